#include "memory/activation_memory.h"

#include <algorithm>
#include <numeric>

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

}  // namespace

ActivationMemory planActivationMemory(const Graph& graph, const MemoryPlanner& planner, size_t alignment,
                                      const std::vector<size_t>& heldInputs) {
  ActivationMemory mem;
  mem.alignment = alignment;
  mem.bufferOfTensor.assign(graph.tensors.size(), -1);
  mem.scratchOfNode.assign(graph.nodes.size(), -1);
  ViewRoots roots = findViews(graph);
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
