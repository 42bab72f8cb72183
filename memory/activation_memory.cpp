#include "memory/activation_memory.h"

#include <algorithm>
#include <numeric>
#include <optional>

#include "ops/op_schema.h"

namespace deeploy {

namespace {

size_t alignUp(size_t v, size_t alignment) { return (v + alignment - 1) / alignment * alignment; }

// Union-find over tensors: a view and the tensor it views end up with the same root.
struct ViewRoots {
  std::vector<TensorId> parent;
  explicit ViewRoots(size_t n) : parent(n) { std::iota(parent.begin(), parent.end(), 0); }
  TensorId find(TensorId t) {
    while (parent[static_cast<size_t>(t)] != t) t = parent[static_cast<size_t>(t)] = parent[static_cast<size_t>(parent[static_cast<size_t>(t)])];
    return t;
  }
  void join(TensorId a, TensorId b) { parent[static_cast<size_t>(find(a))] = find(b); }
};

ViewRoots findViews(const Graph& graph) {
  ViewRoots roots(graph.tensors.size());
  for (const Node& node : graph.nodes) {
    const OpSchema& schema = OpRegistry::instance().get(node);
    if (schema.aliasesInput && !graph.tensor(node.inputs[0]).isConstant()) roots.join(node.outputs[0], node.inputs[0]);
  }
  return roots;
}

bool isArenaTensor(const Graph& graph, TensorId t) {
  return t != kNoTensor && !graph.tensor(t).isConstant() && !(graph.kvCache && graph.kvCache->isState(t));
}

// Per buffer (the root of its tensors), the last step that uses it and whether it holds a graph input, with
// the steps of planActivationMemory.
class BufferUses {
 public:
  BufferUses(const Graph& graph, ViewRoots& roots, const std::vector<size_t>& heldInputs)
      : roots_(roots), lastUse_(graph.tensors.size(), -1), holdsGraphInput_(graph.tensors.size(), false) {
    for (TensorId in : graph.inputs) {
      use(in, 0);
      holdsGraphInput_[static_cast<size_t>(roots_.find(in))] = true;
    }
    for (size_t n = 0; n < graph.nodes.size(); ++n) {
      for (TensorId t : graph.nodes[n].inputs) use(t, static_cast<int>(n) + 1);
      for (TensorId t : graph.nodes[n].outputs) use(t, static_cast<int>(n) + 1);
    }
    for (size_t n : heldInputs) {
      for (TensorId in : graph.nodes[n].inputs) use(in, static_cast<int>(n) + 2);
    }
    for (TensorId out : graph.outputs) use(out, static_cast<int>(graph.nodes.size()) + 1);
  }

  // Whether `t`'s buffer is used last at `step` and holds no graph input.
  bool diesAt(TensorId t, int step) {
    const size_t root = static_cast<size_t>(roots_.find(t));
    return lastUse_[root] == step && !holdsGraphInput_[root];
  }

  // `out`'s buffer becomes `in`'s.
  void share(TensorId out, TensorId in) {
    const int last = std::max(lastUse_[static_cast<size_t>(roots_.find(out))], lastUse_[static_cast<size_t>(roots_.find(in))]);
    roots_.join(out, in);
    lastUse_[static_cast<size_t>(roots_.find(in))] = last;
  }

 private:
  void use(TensorId t, int step) {
    if (t == kNoTensor) return;
    int& last = lastUse_[static_cast<size_t>(roots_.find(t))];
    last = std::max(last, step);
  }

  ViewRoots& roots_;
  std::vector<int> lastUse_;
  std::vector<bool> holdsGraphInput_;
};

// Whether node n's output can take input `in`'s buffer as far as lifetimes go: the buffer dies at this
// node, holds no graph input, and no other input of the node lies in it.
bool canTakeBuffer(const Graph& graph, size_t n, TensorId in, ViewRoots& roots, BufferUses& uses) {
  const Node& node = graph.nodes[n];
  if (!isArenaTensor(graph, in) || roots.find(in) == roots.find(node.outputs[0]) || !uses.diesAt(in, static_cast<int>(n) + 1)) {
    return false;
  }
  return std::none_of(node.inputs.begin(), node.inputs.end(), [&](TensorId other) {
    return other != in && isArenaTensor(graph, other) && roots.find(other) == roots.find(in);
  });
}

// The input of node `n` whose buffer its output can take, if any (never for nodes over the filled rows of
// KV caches, whose blocks codegen/runtime_length addresses itself): for a node computing in place, an input
// of the output's type and element count (so, broadcast or not, element i of both is at the same offset);
// with `nodesRunWhole` (one core, untiled), input 0 of a node whose kernel stores behind its reads, when
// the output is not larger.
std::optional<TensorId> inPlaceInput(const Graph& graph, size_t n, ViewRoots& roots, BufferUses& uses, bool nodesRunWhole) {
  const Node& node = graph.nodes[n];
  if (node.outputs.size() != 1 || !isArenaTensor(graph, node.outputs[0]) || runsOverFilledRows(graph, node)) return std::nullopt;
  const OpSchema& schema = OpRegistry::instance().get(node);
  const Tensor& y = graph.tensor(node.outputs[0]);
  if (schema.computesInPlace) {
    for (TensorId in : node.inputs) {
      if (in == kNoTensor) continue;
      const Tensor& x = graph.tensor(in);
      if (x.dtype == y.dtype && x.elementCount() == y.elementCount() && canTakeBuffer(graph, n, in, roots, uses)) return in;
    }
    return std::nullopt;
  }
  if (!nodesRunWhole || node.engine != NodeEngine::Cores || !schema.storesBehindReads || node.inputs.empty()) return std::nullopt;
  const TensorId in = node.inputs[0];
  if (in == kNoTensor || y.byteSize() > graph.tensor(in).byteSize() || !schema.storesBehindReads(graph, node)) return std::nullopt;
  return canTakeBuffer(graph, n, in, roots, uses) ? std::optional<TensorId>(in) : std::nullopt;
}

// Nodes write their output over an input that dies with them (one buffer, as for views).
void shareBuffersInPlace(const Graph& graph, ViewRoots& roots, const std::vector<size_t>& heldInputs, bool nodesRunWhole) {
  BufferUses uses(graph, roots, heldInputs);
  for (size_t n = 0; n < graph.nodes.size(); ++n) {
    if (std::optional<TensorId> in = inPlaceInput(graph, n, roots, uses, nodesRunWhole)) uses.share(graph.nodes[n].outputs[0], *in);
  }
}

}  // namespace

ActivationMemory planActivationMemory(const Graph& graph, const MemoryPlanner& planner, size_t alignment,
                                      const std::vector<size_t>& heldInputs, bool nodesRunWhole) {
  ActivationMemory mem;
  mem.alignment = alignment;
  mem.bufferOfTensor.assign(graph.tensors.size(), -1);
  mem.scratchOfNode.assign(graph.nodes.size(), -1);
  ViewRoots roots = findViews(graph);
  shareBuffersInPlace(graph, roots, heldInputs, nodesRunWhole);
  const int lastStep = static_cast<int>(graph.nodes.size()) + 1;
  std::vector<int> bufferOfRoot(graph.tensors.size(), -1);

  auto touch = [&](TensorId t, int step) {
    if (t == kNoTensor || graph.tensor(t).isConstant()) return;
    if (graph.kvCache && graph.kvCache->isState(t)) return;  // persistent, outside the arena
    TensorId root = roots.find(t);
    int& buffer = bufferOfRoot[static_cast<size_t>(root)];
    if (buffer < 0) {
      buffer = static_cast<int>(mem.allocations.size());
      mem.allocations.push_back({0, step, step});
      mem.bufferLabels.push_back(graph.tensor(root).name);
    }
    Allocation& a = mem.allocations[static_cast<size_t>(buffer)];
    a.size = std::max(a.size, alignUp(graph.tensor(t).byteSize(), alignment));
    a.first = std::min(a.first, step);
    a.last = std::max(a.last, step);
    mem.bufferOfTensor[static_cast<size_t>(t)] = buffer;
  };

  for (TensorId in : graph.inputs) touch(in, 0);
  for (size_t n = 0; n < graph.nodes.size(); ++n) {
    const Node& node = graph.nodes[n];
    int step = static_cast<int>(n) + 1;
    for (TensorId in : node.inputs) touch(in, step);
    for (TensorId out : node.outputs) touch(out, step);
    const OpSchema& schema = OpRegistry::instance().get(node);
    // Nodes over the filled rows of KV caches call their kernels without scratch (codegen/runtime_length).
    size_t scratch = schema.scratchBytes && !runsOverFilledRows(graph, node) ? schema.scratchBytes(graph, node) : 0;
    if (scratch > 0) {
      mem.scratchOfNode[n] = static_cast<int>(mem.allocations.size());
      mem.allocations.push_back({alignUp(scratch, alignment), step, step});
      mem.bufferLabels.push_back("scratch of " + node.name);
    }
  }
  for (size_t n : heldInputs) {
    for (TensorId in : graph.nodes[n].inputs) touch(in, static_cast<int>(n) + 2);
  }
  for (TensorId out : graph.outputs) touch(out, lastStep);

  mem.plan = planner.plan(mem.allocations, alignment);
  mem.lowerBound = lifetimeLowerBound(mem.allocations);
  return mem;
}

}  // namespace deeploy
