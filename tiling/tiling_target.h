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

// One buffer of a tiled node in the compute level: what it holds, where, and the tiles it is live in
// (an input from the tile before its first use, when it is prefetched; an output through the tile after
// its last, when it is written back).
struct TileBuffer {
  enum class Kind { Input, Output, Constant, Scratch } kind = Kind::Input;
  std::string holds;
  size_t offset = 0;
  size_t bytes = 0;
  int firstTile = 0;
  int lastTile = 0;
};

struct NodeTilingReport {
  std::string node;
  size_t nodeIndex = 0;            // in the schedule
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
  std::vector<TileBuffer> l1Buffers;
  bool solverOptimal = false;      // the solver proved its choice cheapest within its budget
};

}  // namespace deeploy
