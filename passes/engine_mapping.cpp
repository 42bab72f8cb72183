#include "passes/engine_mapping.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "ir/error.h"
#include "ops/op_schema.h"

namespace deeploy {

namespace {

uint64_t cyclesFor(uint64_t bytes, double bytesPerCycle) {
  const uint64_t bw = bytesPerCycleQ8(bytesPerCycle);
  return (bytes * 256 + bw - 1) / bw;
}

uint64_t stepCycles(const NpuModel& model, NpuMode mode) {
  switch (mode) {
    case NpuMode::Pointwise:
      return model.stepCycles1x1;
    case NpuMode::Dense3x3:
      return model.stepCycles3x3;
    case NpuMode::Depthwise3x3:
      return model.stepCyclesDepthwise;
  }
  return 1;
}

uint64_t ceilDiv(int64_t a, int64_t b) { return static_cast<uint64_t>((a + b - 1) / b); }

// Bytes the activation streams move: each 6x6 subtile's input window and its output.
uint64_t activationBytes(const NpuConvGeometry& g) {
  const int64_t k = g.kernelSize();
  const int64_t channelsIn = g.mode == NpuMode::Depthwise3x3 ? g.outChannels : g.inChannels;
  const int64_t valueBytes = g.requant ? 1 : 4;
  uint64_t bytes = 0;
  for (int64_t r = 0; r < g.outHeight; r += 6) {
    for (int64_t c = 0; c < g.outWidth; c += 6) {
      const int64_t rows = std::min<int64_t>(6, g.outHeight - r), cols = std::min<int64_t>(6, g.outWidth - c);
      bytes += static_cast<uint64_t>(((rows - 1) * g.stride + k) * ((cols - 1) * g.stride + k) * channelsIn);
      bytes += static_cast<uint64_t>(rows * cols * g.outChannels * valueBytes);
    }
  }
  return bytes;
}

uint64_t coreCycles(const NpuConvGeometry& g, const CoreCostModel& model, int cores) {
  return static_cast<uint64_t>(std::llround(static_cast<double>(npuMacs(g)) * model.int8MacCycles / cores + model.nodeCycles));
}

// Moves every NPU node up to just after the producers of its inputs (and after the NPU node before it, so
// tasks keep their order): committed early, a task runs while the cores compute what does not need it.
void scheduleNpuNodesEarly(Graph& graph) {
  std::vector<Node> order;
  size_t afterLastTask = 0;
  for (Node& node : graph.nodes) {
    size_t at = order.size();
    if (node.engine == NodeEngine::Npu) {
      at = afterLastTask;
      for (size_t i = at; i < order.size(); ++i) {
        const auto& outs = order[i].outputs;
        const bool produces = std::any_of(node.inputs.begin(), node.inputs.end(),
                                          [&](TensorId in) { return std::find(outs.begin(), outs.end(), in) != outs.end(); });
        if (produces) at = i + 1;
      }
      afterLastTask = at + 1;
    }
    order.insert(order.begin() + static_cast<std::ptrdiff_t>(at), std::move(node));
  }
  graph.nodes = std::move(order);
}

// The weight memory's bytes the NPU nodes' weights, scales and biases take, in mapping order, when the NPU
// reads its weights there (the level's other constants are checked with every level after code
// generation, requireLevelsFit).
class WeightMemoryBudget {
 public:
  WeightMemoryBudget(const Platform& platform, bool fromWeightMemory)
      : capacity_(fromWeightMemory ? platform.level(platform.weightLevel).sizeBytes : 0), level_(platform.weightLevel) {}

  bool take(const NpuConv& conv) {
    if (capacity_ == 0) return true;  // the weights stay with the other constants: no budget of their own
    if (used_ + bytesOf(conv) > capacity_) return false;
    used_ += bytesOf(conv);
    return true;
  }
  std::string overflow(const NpuConv& conv) const {
    return "its NPU weights, scales and biases (" + std::to_string(bytesOf(conv)) + " B) do not fit in the weight memory " +
           level_ + " (" + std::to_string(capacity_) + " B, " + std::to_string(used_) + " B taken by the NPU nodes before it)";
  }

 private:
  static uint64_t bytesOf(const NpuConv& conv) {
    return static_cast<uint64_t>(npuWeightBytes(conv.geometry) + 8 * conv.geometry.outChannels);
  }
  uint64_t capacity_;
  std::string level_;
  uint64_t used_ = 0;
};

}  // namespace

uint64_t npuTaskCycles(const NpuConvGeometry& g, const NpuModel& model, bool weightsInWeightMemory) {
  const uint64_t subtiles = ceilDiv(g.outHeight, 6) * ceilDiv(g.outWidth, 6);
  const uint64_t steps = g.mode == NpuMode::Depthwise3x3
                             ? subtiles * ceilDiv(g.outChannels, 28)
                             : subtiles * ceilDiv(g.outChannels, 32) * ceilDiv(g.inChannels, g.mode == NpuMode::Pointwise ? 32 : 28);
  const uint64_t compute = steps * static_cast<uint64_t>(g.weightBits) * stepCycles(model, g.mode);
  const double weightBandwidth = weightsInWeightMemory ? model.weightMemoryBytesPerCycle : model.weightBytesPerCycle;
  const uint64_t memory = cyclesFor(subtiles * static_cast<uint64_t>(npuWeightBytes(g)), weightBandwidth) +
                          cyclesFor(activationBytes(g), model.streamBytesPerCycle);
  return std::max<uint64_t>(1, model.setupCycles + std::max(compute, memory));
}

bool npuWeightsInWeightMemory(const Platform& platform) {
  const ComputeEngine* npu = platform.npuEngine();
  return npu && !npu->npu->weightMemory.empty() && npu->npu->weightMemory == platform.weightLevel;
}

std::vector<EngineDecision> mapEngines(Graph& graph, const Platform& platform, int cores) {
  const NpuPolicy policy = platform.npuPolicy;
  for (Node& node : graph.nodes) node.engine = NodeEngine::Cores;
  const ComputeEngine* npu = platform.npuEngine();
  const std::set<std::string> forced(platform.npuNodes.begin(), platform.npuNodes.end());
  for (const std::string& name : forced) {
    if (std::none_of(graph.nodes.begin(), graph.nodes.end(), [&](const Node& n) { return n.name == name; })) {
      throw Error("--npu-node '" + name + "': the graph has no node of that name");
    }
  }
  if (forced.empty() && (policy == NpuPolicy::Off || (!npu && policy == NpuPolicy::Auto))) return {};
  if (!npu) throw Error(std::string(forced.empty() ? "--npu all" : "--npu-node") + ": platform '" + platform.name + "' has no NPU");
  const CoreCostModel fallback{1.0, 0.0, "one cycle per MAC"};
  const CoreCostModel& coreModel = platform.engines.front().costModel ? *platform.engines.front().costModel : fallback;
  const bool fromWeightMemory = npuWeightsInWeightMemory(platform);
  WeightMemoryBudget budget(platform, fromWeightMemory);
  std::vector<EngineDecision> decisions;
  for (Node& node : graph.nodes) {
    const OpSchema* schema = OpRegistry::instance().find(node.op);
    const std::optional<NpuConv> conv = schema && schema->npu ? schema->npu(graph, node) : std::nullopt;
    const bool pinned = forced.count(node.name) > 0;
    if (!conv && pinned) {
      throw Error(node.describe() + ": --npu-node puts it on the NPU, which cannot run it (the NPU runs RQMatMul and "
                  "RQGemm with a constant B, contiguous rows, 8-bit operands and output and requantization per column)");
    }
    if (!conv) continue;
    EngineDecision d;
    d.node = node.name;
    d.npuCycles = npuTaskCycles(conv->geometry, *npu->npu, fromWeightMemory);
    d.coreCycles = coreCycles(conv->geometry, coreModel, cores);
    const bool byPolicy = policy == NpuPolicy::All || (policy == NpuPolicy::Auto && d.npuCycles < d.coreCycles);
    d.engine = pinned || byPolicy ? NodeEngine::Npu : NodeEngine::Cores;
    if (d.engine == NodeEngine::Npu && !budget.take(*conv)) {
      if (pinned || policy == NpuPolicy::All) throw Error(node.describe() + ": " + budget.overflow(*conv));
      d.engine = NodeEngine::Cores;  // auto: the cores run what the weight memory cannot hold
    }
    node.engine = d.engine;
    decisions.push_back(d);
  }
  scheduleNpuNodesEarly(graph);
  return decisions;
}

}  // namespace deeploy
