#include "targets/memory_levels.h"

#include <sstream>

#include "ir/error.h"

namespace deeploy {

namespace {

std::vector<bool> tensorsInUse(const Graph& graph) {
  std::vector<bool> used(graph.tensors.size(), false);
  auto mark = [&](TensorId id) {
    if (id != kNoTensor) used[static_cast<size_t>(id)] = true;
  };
  for (const Node& node : graph.nodes) {
    for (TensorId id : node.inputs) mark(id);
    for (TensorId id : node.outputs) mark(id);
  }
  for (TensorId id : graph.inputs) mark(id);
  for (TensorId id : graph.outputs) mark(id);
  return used;
}

std::string bytes(uint64_t n) { return std::to_string(n) + " B"; }

const std::string& computeLevelOf(const Platform& platform) { return platform.engines.front().computesFrom; }

}  // namespace

MemoryLevelPlacement placeInMemoryLevels(const Graph& graph, const GeneratedNetwork& network,
                                         const Platform& platform) {
  if (platform.ioLevel != platform.activationLevel) {
    throw Error("platform '" + platform.name + "' puts I/O in " + platform.ioLevel + " and activations in " +
                platform.activationLevel + ", but the generated code keeps inputs and outputs inside the activation " +
                "arena: give both the same default level");
  }
  MemoryLevelPlacement placement;
  for (const MemoryLevel& level : platform.levels) {
    LevelUsage usage;
    usage.level = level.name;
    usage.capacityBytes = level.sizeBytes;
    for (const ComputeEngine& engine : platform.engines) {
      if (engine.computesFrom == level.name) usage.computingEngines.push_back(engine.name);
    }
    placement.levels.push_back(usage);
  }
  const int weights = static_cast<int>(platform.levelIndex(platform.weightLevel));
  const int activations = static_cast<int>(platform.levelIndex(platform.activationLevel));
  const int io = static_cast<int>(platform.levelIndex(platform.ioLevel));

  // The emitted const arrays include tables kernels derive from constants, so the level is charged
  // what the generator wrote rather than the sum of the graph's constant tensors.
  placement.levels[static_cast<size_t>(weights)].constantBytes = network.constantBytes;
  LevelUsage& arena = placement.levels[static_cast<size_t>(activations)];
  arena.holdsArena = true;
  arena.arenaBytes = network.memory.plan.arenaSize;
  arena.arenaLowerBound = network.memory.lowerBound;
  if (graph.kvCache) {
    for (TensorId s : graph.kvCache->states) arena.cacheBytes += graph.tensor(s).byteSize();
  }

  if (!network.tiledNodes.empty()) {
    LevelUsage& compute = placement.levels[platform.levelIndex(computeLevelOf(platform))];
    compute.tileBytes = network.l1ArenaBytes;
    compute.tileLowerBound = network.l1LowerBound;
  }

  placement.levelOfTensor.assign(graph.tensors.size(), -1);
  std::vector<bool> used = tensorsInUse(graph);
  for (size_t t = 0; t < graph.tensors.size(); ++t) {
    if (!used[t]) continue;
    if (graph.tensors[t].isConstant()) {
      placement.levelOfTensor[t] = weights;
    } else if (network.memory.bufferOfTensor[t] >= 0 || (graph.kvCache && graph.kvCache->isState(static_cast<TensorId>(t)))) {
      placement.levelOfTensor[t] = activations;
    }
  }
  for (const auto* ids : {&graph.inputs, &graph.outputs}) {
    for (TensorId id : *ids) {
      const Tensor& t = graph.tensor(id);
      if (t.isConstant()) continue;
      placement.levelOfTensor[static_cast<size_t>(id)] = io;
      placement.levels[static_cast<size_t>(io)].ioBytes += t.byteSize();
    }
  }
  return placement;
}

void requireLevelsFit(const MemoryLevelPlacement& placement, const Platform& platform) {
  for (const LevelUsage& u : placement.levels) {
    if (u.usedBytes() <= u.capacityBytes) continue;
    std::string need;
    if (u.constantBytes && u.arenaBytes) {
      need = "constants and activations need " + bytes(u.usedBytes()) + " (" + bytes(u.constantBytes) + " + " +
             bytes(u.arenaBytes) + ")";
    } else if (u.constantBytes) {
      need = "constants need " + bytes(u.constantBytes);
    } else if (u.tileBytes) {
      need = "tile buffers need " + bytes(u.tileBytes);
    } else {
      need = "activations need " + bytes(u.arenaBytes);
    }
    if (u.tileBytes && (u.constantBytes || u.arenaBytes)) need += " besides tile buffers of " + bytes(u.tileBytes);
    if (u.cacheBytes) need += " besides KV caches of " + bytes(u.cacheBytes);
    std::string message = "platform '" + platform.name + "': " + need + " in " + u.level + " but " + u.level +
                          " has " + bytes(u.capacityBytes);
    // Only when everything else in the level and the arena's lower bound fit together.
    if (u.arenaBytes && u.usedBytes() - u.arenaBytes + u.arenaLowerBound <= u.capacityBytes) {
      message += " (the arena's lower bound is " + bytes(u.arenaLowerBound) + ": a tighter plan could fit)";
    }
    throw Error(message);
  }
}

std::string describeLevelContents(const LevelUsage& u) {
  std::ostringstream s;
  if (u.constantBytes) s << "constants " << u.constantBytes << " B";
  if (u.holdsArena) {
    s << (u.constantBytes ? "; " : "") << "activation arena " << u.arenaBytes << " B (lower bound "
      << u.arenaLowerBound << " B; I/O " << u.ioBytes << " B inside it)";
  }
  if (u.cacheBytes) s << "; KV caches " << u.cacheBytes << " B (persistent, at full context)";
  if (u.tileBytes) {
    s << (u.constantBytes || u.holdsArena ? "; " : "") << "tile buffers " << u.tileBytes << " B (lower bound "
      << u.tileLowerBound << " B), the largest of any node";
  }
  bool empty = !u.constantBytes && !u.holdsArena && !u.tileBytes;
  if (empty && !u.computingEngines.empty()) {
    std::string engines;
    for (const auto& e : u.computingEngines) engines += (engines.empty() ? "" : ", ") + e;
    s << "compute level of " << engines << "; nothing is placed here";
  } else if (empty) {
    s << "nothing placed here";
  }
  return s.str();
}

}  // namespace deeploy
