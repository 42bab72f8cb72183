#include "tools/driver.h"

#include <algorithm>
#include <chrono>
#include <iomanip>
#include <nlohmann/json.hpp>
#include <sstream>

#include "frontend/input_binding.h"
#include "ir/error.h"
#include "frontend/onnx_loader.h"
#include "passes/engine_mapping.h"
#include "passes/type_inference.h"
#include "targets/run_target.h"

namespace deeploy {

Platform resolvePlatform(const PlatformChoice& choice, const std::string& target) {
  Platform platform = platformFromArgument(choice.fileOrName.empty() ? defaultPlatformOf(target) : choice.fileOrName);
  if (choice.l1Bytes) overrideLevelSize(platform, "L1", *choice.l1Bytes);
  if (choice.l2Bytes) overrideLevelSize(platform, "L2", *choice.l2Bytes);
  if (choice.int16Weights) platform.int16Weights = *choice.int16Weights;
  // The NPU exists on the emulated cluster only: elsewhere its tasks would have nothing to run them.
  if (choice.npu == NpuPolicy::All && target != "siracusa") throw Error("--npu all needs --target siracusa, where the NPU runs");
  if (!choice.npuNodes.empty() && target != "siracusa") throw Error("--npu-node needs --target siracusa, where the NPU runs");
  platform.npuPolicy = target == "siracusa" ? choice.npu : NpuPolicy::Off;
  platform.npuNodes = choice.npuNodes;
  if (choice.untiled) {
    for (ComputeEngine& engine : platform.engines) engine.computesFrom = platform.activationLevel;
  }
  return platform;
}

Graph loadTypedModel(const std::string& modelPath, const std::optional<NamedArrays>& inputArrays,
                     std::vector<TensorData>* typedInputs) {
  Graph graph = loadOnnxModel(modelPath);
  if (inputArrays) {
    std::vector<TensorData> values = bindInputs(graph, *inputArrays);
    if (typedInputs) *typedInputs = std::move(values);
  } else {
    typeInputsFromDeclarations(graph);
  }
  return graph;
}

CompiledModel compileModel(const std::string& modelPath, const std::optional<NamedArrays>& inputArrays,
                           const Platform& platform, int cores, const TilingProgress& progress) {
  auto start = std::chrono::steady_clock::now();
  CompiledModel model;
  model.platform = platform;
  model.cores = cores;
  model.tilingProgress = progress;
  model.graph = loadTypedModel(modelPath, inputArrays, &model.inputs);
  compileGraph(model, graphDescription(model.graph));
  model.compileSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return model;
}

namespace {

// The engine of every node and, when the platform tiles, its tiles (decisions on the graph), then the code
// and its placement in the platform's levels.
void generateAndPlace(CompiledModel& model, const std::string& description) {
  model.engineDecisions = mapEngines(model.graph, model.platform, model.cores);
  const auto onNpu = std::count_if(model.engineDecisions.begin(), model.engineDecisions.end(),
                                   [](const EngineDecision& d) { return d.engine == NodeEngine::Npu; });
  if (!model.engineDecisions.empty()) {
    model.passLog.lines.push_back("nodes on the NPU: " + std::to_string(onNpu) + " of the " +
                                  std::to_string(model.engineDecisions.size()) + " it can run");
  }
  const CodegenOptions options = codegenOptionsFor(model, description);
  const ActivationMemory memory = planStepMemory(model.graph, options);
  decideTiling(model.graph, memory, options);
  const auto tiled = std::count_if(model.graph.nodes.begin(), model.graph.nodes.end(), [](const Node& n) { return n.tiling.has_value(); });
  if (tiled > 0) model.passLog.lines.push_back("tiles decided for " + std::to_string(tiled) + " nodes");
  model.network = generateC(model.graph, options, &memory);
  model.memoryLevels = placeInMemoryLevels(model.graph, model.network, model.platform);
  requireLevelsFit(model.memoryLevels, model.platform);
}

}  // namespace

std::string graphDescription(const Graph& graph) { return "the ONNX graph '" + graph.name + "'"; }

CodegenOptions codegenOptionsFor(const CompiledModel& model, const std::string& description) {
  CodegenOptions options;
  options.sourceDescription = description;
  options.alignment = model.platform.alignment;
  options.tiling = tilingTargetOf(model.platform);
  options.cores = model.cores;
  options.kernels.int16Weights = model.platform.int16Weights;
  options.weightLevel = model.platform.weightLevel;
  options.activationLevel = model.platform.activationLevel;
  options.npuWeightsInWeightMemory = npuWeightsInWeightMemory(model.platform);
  options.tilingProgress = model.tilingProgress;
  return options;
}

void compileGraph(CompiledModel& model, const std::string& description) {
  model.passLog = runMidend(model.graph);
  generateAndPlace(model, description);
}

CompiledModel compileKVCacheModel(const std::string& modelPath, const std::optional<NamedArrays>& inputArrays,
                                  std::optional<int64_t> requestedRows, bool exposeState, const Platform& platform,
                                  int cores, const TilingProgress& progress) {
  auto start = std::chrono::steady_clock::now();
  CompiledModel model;
  model.platform = platform;
  model.cores = cores;
  model.tilingProgress = progress;
  const Graph typed = loadTypedModel(modelPath, inputArrays, &model.inputs);
  Graph declared = typed;
  inferTypes(declared);
  KVCacheSignature signature = findKVCaches(declared);
  const int64_t maxRows = requestedRows.value_or(signature.cachedRows + signature.newRows);
  requireCapacity(signature, maxRows);
  model.graph = typed;
  setCachedRows(model.graph, signature, maxRows - signature.newRows);
  model.passLog = runMidend(model.graph);
  lowerKVCache(model.graph, fixedLengthGraph(typed, signature, maxRows - signature.newRows - 1), signature, maxRows,
               exposeState);
  model.passLog.lines.push_back("KV caches made persistent: " + std::to_string(signature.cacheInputs.size()) + ", " +
                                std::to_string(maxRows) + " rows each");
  model.kvCache = signature;
  generateAndPlace(model, graphDescription(model.graph));
  model.compileSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return model;
}

Graph fixedLengthGraph(const Graph& typed, const KVCacheSignature& signature, int64_t cachedRows) {
  Graph graph = typed;
  setCachedRows(graph, signature, cachedRows);
  runMidend(graph);
  return graph;
}

std::vector<TensorData> kvStepInputs(const CompiledModel& model, const std::vector<TensorData>& fixedInputs) {
  const KVCacheSignature& sig = *model.kvCache;
  const Graph& graph = model.graph;
  std::vector<TensorData> inputs;
  for (size_t i = 0; i < fixedInputs.size(); ++i) {
    bool kept = std::find(sig.cacheInputs.begin(), sig.cacheInputs.end(), i) == sig.cacheInputs.end() ||
                graph.inputs.size() == fixedInputs.size() + 1;
    if (!kept) continue;
    inputs.push_back(placedAtOrigin(fixedInputs[i], graph.tensor(graph.inputs[inputs.size()]).shape));
  }
  inputs.push_back(TensorData::fromInts(DType::Int32, {1}, std::vector<int64_t>{sig.cachedRows}));
  return inputs;
}

std::vector<TensorData> fixedLengthOutputs(const CompiledModel& model, const std::vector<TensorData>& stepOutputs) {
  const KVCacheSignature& sig = *model.kvCache;
  std::vector<TensorData> outputs;
  for (size_t i = 0; i < stepOutputs.size(); ++i) {
    Shape shape = stepOutputs[i].shape();
    if (std::find(sig.cacheOutputs.begin(), sig.cacheOutputs.end(), i) != sig.cacheOutputs.end()) {
      shape[shape.size() - 2] = sig.cachedRows + sig.newRows;
    }
    outputs.push_back(regionAtOrigin(stepOutputs[i], shape));
  }
  return outputs;
}

namespace {

nlohmann::json levelJson(const CompiledModel& model, TensorId id) {
  int level = model.memoryLevels.levelOfTensor[static_cast<size_t>(id)];
  if (level < 0) return nullptr;
  return model.platform.levels[static_cast<size_t>(level)].name;
}

nlohmann::json tensorJson(const CompiledModel& model, TensorId id) {
  const Tensor& t = model.graph.tensor(id);
  return {{"name", t.name},        {"type", std::string(dtypeName(t.dtype))}, {"shape", t.shape},
          {"bytes", t.byteSize()}, {"level", levelJson(model, id)}};
}

const char* tileBufferKind(TileBuffer::Kind kind) {
  switch (kind) {
    case TileBuffer::Kind::Input: return "input";
    case TileBuffer::Kind::Output: return "output";
    case TileBuffer::Kind::Constant: return "constant";
    case TileBuffer::Kind::Scratch: return "scratch";
  }
  return "";
}

nlohmann::json tileBuffersJson(const std::vector<TileBuffer>& buffers) {
  nlohmann::json out = nlohmann::json::array();
  for (const TileBuffer& b : buffers) {
    out.push_back({{"holds", b.holds}, {"kind", tileBufferKind(b.kind)}, {"offset", b.offset}, {"bytes", b.bytes},
                   {"first_tile", b.firstTile}, {"last_tile", b.lastTile}});
  }
  return out;
}

nlohmann::json tiledNodesJson(const std::vector<NodeTilingReport>& nodes) {
  nlohmann::json out = nlohmann::json::array();
  for (const NodeTilingReport& r : nodes) {
    out.push_back({{"node", r.node},
                   {"op", r.op},
                   {"computes_in_its_tiles", r.follower},
                   {"tile_shape", r.tileSize},
                   {"tile_counts", r.tileCount},
                   {"tiles", r.tiles},
                   {"dma_in_bytes", r.dmaInBytes},
                   {"dma_out_bytes", r.dmaOutBytes},
                   {"modelled_cycles", r.modelledCycles},
                   {"l1_bytes", r.l1Bytes},
                   {"l1_lower_bound_bytes", r.l1LowerBound},
                   {"l1_buffers", tileBuffersJson(r.l1Buffers)},
                   {"solver_optimal", r.solverOptimal}});
  }
  return out;
}

const char* engineName(NodeEngine engine) { return engine == NodeEngine::Npu ? "npu" : "cores"; }

nlohmann::json engineDecisionsJson(const std::vector<EngineDecision>& decisions) {
  nlohmann::json out = nlohmann::json::array();
  for (const EngineDecision& d : decisions) {
    out.push_back({{"node", d.node}, {"engine", engineName(d.engine)}, {"npu_modelled_cycles", d.npuCycles},
                   {"cores_estimated_cycles", d.coreCycles}});
  }
  return out;
}

// One line per node the NPU could run: both engines' cycles (models) and the choice.
void writeEngineTable(std::ostringstream& s, const std::vector<EngineDecision>& decisions) {
  if (decisions.empty()) return;
  s << "engine mapping (nodes the NPU can run; the NPU's modelled cycles against the cores' estimate):\n"
    << std::left << std::setw(44) << "  node" << std::right << std::setw(12) << "NPU" << std::setw(12) << "cores"
    << "  engine\n";
  for (const EngineDecision& d : decisions) {
    s << "  " << std::left << std::setw(42) << d.node.substr(0, 41) << std::right << std::setw(12) << d.npuCycles
      << std::setw(12) << d.coreCycles << "  " << engineName(d.engine) << "\n";
  }
}

nlohmann::json dmaTotals(const std::vector<NodeTilingReport>& nodes) {
  uint64_t in = 0, out = 0;
  for (const NodeTilingReport& r : nodes) {
    in += r.dmaInBytes;
    out += r.dmaOutBytes;
  }
  return {{"in", in}, {"out", out}, {"total", in + out}};
}

std::string dimsText(const std::vector<int64_t>& dims) {
  std::string s;
  for (int64_t d : dims) s += (s.empty() ? "" : "x") + std::to_string(d);
  return s.empty() ? "-" : s;
}

// One line per tiled node, in columns.
void writeTilingTable(std::ostringstream& s, const std::vector<NodeTilingReport>& nodes) {
  if (nodes.empty()) return;
  uint64_t in = 0, out = 0;
  int64_t cycles = 0;
  s << "tiled nodes:\n"
    << std::left << std::setw(28) << "  node" << std::setw(16) << "op" << std::setw(18) << "tile" << std::right
    << std::setw(7) << "tiles" << std::setw(10) << "DMA in" << std::setw(10) << "DMA out" << std::setw(11) << "cycles"
    << std::setw(9) << "L1 B" << "\n";
  for (const NodeTilingReport& r : nodes) {
    s << "  " << std::left << std::setw(26) << r.node.substr(0, 25) << std::setw(16) << r.op.substr(0, 15) << std::setw(18)
      << dimsText(r.tileSize) << std::right << std::setw(7) << r.tiles << std::setw(10) << r.dmaInBytes << std::setw(10)
      << r.dmaOutBytes << std::setw(11) << r.modelledCycles << std::setw(9) << r.l1Bytes << "\n";
    in += r.dmaInBytes;
    out += r.dmaOutBytes;
    cycles += r.modelledCycles;
  }
  s << "  total: DMA in " << in << " B, out " << out << " B, modelled " << cycles << " cycles\n";
}

}  // namespace

std::string memoryReportJson(const CompiledModel& model) {
  const ActivationMemory& mem = model.network.memory;
  nlohmann::json buffers = nlohmann::json::array();
  for (size_t b = 0; b < mem.allocations.size(); ++b) {
    buffers.push_back({{"holds", mem.bufferLabels[b]},
                       {"level", model.platform.activationLevel},
                       {"offset", mem.plan.offsets[b]},
                       {"bytes", mem.allocations[b].size},
                       {"first_step", mem.allocations[b].first},
                       {"last_step", mem.allocations[b].last}});
  }
  nlohmann::json inputs = nlohmann::json::array(), outputs = nlohmann::json::array();
  for (TensorId id : model.graph.inputs) inputs.push_back(tensorJson(model, id));
  for (TensorId id : model.graph.outputs) outputs.push_back(tensorJson(model, id));
  nlohmann::json levels = nlohmann::json::array();
  for (const LevelUsage& u : model.memoryLevels.levels) {
    levels.push_back({{"name", u.level},
                      {"capacity_bytes", u.capacityBytes},
                      {"used_bytes", u.usedBytes()},
                      {"constant_bytes", u.constantBytes},
                      {"holds_arena", u.holdsArena},
                      {"arena_bytes", u.arenaBytes},
                      {"kv_cache_bytes", u.cacheBytes},
                      {"arena_lower_bound_bytes", u.arenaLowerBound},
                      {"io_bytes", u.ioBytes},
                      {"tile_bytes", u.tileBytes},
                      {"tile_lower_bound_bytes", u.tileLowerBound},
                      {"compute_engines", u.computingEngines},
                      {"contents", describeLevelContents(u)}});
  }
  nlohmann::json report = {{"arena_bytes", mem.plan.arenaSize},
                           {"arena_lower_bound_bytes", mem.lowerBound},
                           {"alignment", mem.alignment},
                           {"constant_bytes", model.network.constantBytes},
                           {"nodes", model.graph.nodes.size()},
                           {"inputs", inputs},
                           {"outputs", outputs},
                           {"buffers", buffers},
                           {"platform", model.platform.name},
                           {"memory_levels", levels},
                           {"tiled_nodes", tiledNodesJson(model.network.tiledNodes)},
                           {"engine_decisions", engineDecisionsJson(model.engineDecisions)},
                           {"dma_bytes", dmaTotals(model.network.tiledNodes)}};
  return report.dump(2) + "\n";
}

std::string memoryReportText(const CompiledModel& model) {
  const ActivationMemory& mem = model.network.memory;
  std::ostringstream s;
  double ratio = mem.lowerBound ? static_cast<double>(mem.plan.arenaSize) / static_cast<double>(mem.lowerBound) : 1.0;
  s << "nodes: " << model.graph.nodes.size() << "\n"
    << "activation arena: " << mem.plan.arenaSize << " B (lower bound " << mem.lowerBound << " B, ratio "
    << ratio << ", " << mem.allocations.size() << " buffers)\n"
    << "constants: " << model.network.constantBytes << " B\n"
    << "platform: " << model.platform.name << "; memory levels (used / capacity):\n";
  for (const LevelUsage& u : model.memoryLevels.levels) {
    std::ostringstream percent;
    percent << std::fixed << std::setprecision(1)
            << 100.0 * static_cast<double>(u.usedBytes()) / static_cast<double>(u.capacityBytes);
    s << "  " << u.level << ": " << u.usedBytes() << " / " << u.capacityBytes << " B (" << percent.str() << "%) "
      << describeLevelContents(u) << "\n";
  }
  writeTilingTable(s, model.network.tiledNodes);
  writeEngineTable(s, model.engineDecisions);
  for (const auto& line : model.passLog.lines) s << "pass " << line << "\n";
  return s.str();
}

}  // namespace deeploy
