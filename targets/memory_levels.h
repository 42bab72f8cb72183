// Memory-level annotation: which level of a platform holds each tensor of a generated network, how
// full every level is, and whether everything fits.
#pragma once

#include <string>
#include <vector>

#include "codegen/c_codegen.h"
#include "ir/graph.h"
#include "targets/platform.h"

namespace deeploy {

struct LevelUsage {
  std::string level;
  uint64_t capacityBytes = 0;
  size_t constantBytes = 0;    // const arrays placed here
  bool holdsArena = false;     // the activation arena (activations, scratch, I/O) lives here
  size_t arenaBytes = 0;
  size_t arenaLowerBound = 0;  // no plan of the arena's buffers can be smaller
  size_t ioBytes = 0;          // network inputs and outputs, inside the arena
  size_t tileBytes = 0;        // tile buffers of tiled nodes (they take turns in this level)
  size_t tileLowerBound = 0;   // the largest number of tile-buffer bytes one node has live at once
  size_t cacheBytes = 0;       // persistent KV caches at full capacity (Graph::kvCache), beside the arena
  std::vector<std::string> computingEngines;  // engines that compute from this level

  uint64_t usedBytes() const { return constantBytes + arenaBytes + tileBytes + cacheBytes; }
};

// What a level holds, in words, for the reports (a compute level that holds nothing says whose it is).
std::string describeLevelContents(const LevelUsage& u);

struct MemoryLevelPlacement {
  std::vector<int> levelOfTensor;  // per TensorId: index into Platform::levels; -1 for tensors without storage
  std::vector<LevelUsage> levels;  // per platform level, in the platform's order
};

// Constants go to the platform's weight level, the activation arena to its activation level, inputs
// and outputs to its I/O level. The generated code keeps I/O inside the arena, so a platform whose
// I/O level differs from its activation level is rejected (Error) until I/O gets buffers of its own.
MemoryLevelPlacement placeInMemoryLevels(const Graph& graph, const GeneratedNetwork& network,
                                         const Platform& platform);

// Throws Error naming the first level whose contents exceed its capacity, the bytes needed and the
// capacity, e.g. "activations need 37080 B in L2 but L2 has 16000 B".
void requireLevelsFit(const MemoryLevelPlacement& placement, const Platform& platform);

}  // namespace deeploy
