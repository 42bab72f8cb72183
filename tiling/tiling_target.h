// What tiling needs to know of the platform, and what it reports per node.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace deeploy {

// What tiling needs to know of the platform.
struct TilingTarget {
  std::string computeLevel;                  // where kernels read and write (L1)
  uint64_t capacityBytes = 0;                // of the compute level
  double activationBytesPerCycle = 1;        // DMA between the activation level and the compute level
  double weightBytesPerCycle = 1;            // DMA from the weight level to the compute level
  // Search nodes per solve: work, not time, so the same model tiles the same on any machine and under any
  // load. The tiles of Deeploy's test networks take at most about 700.
  uint64_t solverNodeBudget = 200'000;
  int64_t cyclesPerTile = 100;               // modelled fixed cost of a tile
};

struct NodeTilingReport {
  std::string node;
  std::string op;
  std::string follower;            // a node computed in the same tiles, on this node's output in L1
  std::vector<int64_t> tileSize;   // per iteration axis
  std::vector<int64_t> tileCount;  // per iteration axis
  size_t tiles = 0;
  uint64_t dmaInBytes = 0;         // moved into the compute level, as generated
  uint64_t dmaOutBytes = 0;        // written back
  int64_t modelledCycles = 0;      // the generated transfers at the link bandwidths + the fixed cost per tile
  size_t l1Bytes = 0;              // this node's planned compute-level buffers
  size_t l1LowerBound = 0;         // most bytes live at one tile step
  bool solverOptimal = false;      // the solver proved its choice cheapest within its budget
};

}  // namespace deeploy
