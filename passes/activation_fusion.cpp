#include "passes/activation_fusion.h"

#include <algorithm>

#include "ops/fused_activation.h"
#include "passes/sole_reader.h"

namespace deeploy {

namespace {

bool isFloatProduct(const Graph& graph, const Node& node) {
  const OpSchema* schema = OpRegistry::instance().find(node.op);
  if (!schema || !schema->fusesActivation || node.outputs.size() != 1 || hasFusedActivation(node)) return false;
  if (graph.tensor(node.outputs[0]).dtype != DType::Float32) return false;
  return std::all_of(node.inputs.begin(), node.inputs.end(),
                     [&](TensorId in) { return in == kNoTensor || graph.tensor(in).dtype == DType::Float32; });
}

}  // namespace

int fuseFloatActivations(Graph& graph) {
  const auto consumers = graph.consumers();
  std::vector<bool> remove(graph.nodes.size(), false);
  int fused = 0;
  for (Node& product : graph.nodes) {
    if (!isFloatProduct(graph, product)) continue;
    const int reader = soleReader(graph, consumers, product.outputs[0]);
    if (reader < 0) continue;
    const Node& activation = graph.nodes[static_cast<size_t>(reader)];
    const std::optional<Attributes> attrs = fusedActivationAttributes(graph, activation);
    if (!attrs || activation.inputs[0] != product.outputs[0]) continue;
    for (const auto& [name, value] : attrs->all()) product.attrs.set(name, value);
    product.outputs[0] = activation.outputs[0];
    remove[static_cast<size_t>(reader)] = true;
    ++fused;
  }
  graph.removeNodes(remove);
  return fused;
}

}  // namespace deeploy
