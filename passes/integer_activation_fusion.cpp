#include "passes/integer_activation_fusion.h"

#include <algorithm>

#include "ops/integer_activation.h"
#include "ops/op_schema.h"

namespace deeploy {

namespace {

// The RequantShift reading `tensor` as its only use, as a node index, or -1.
int soleRequantReader(const Graph& graph, const std::vector<std::vector<int>>& consumers, TensorId tensor) {
  const auto& readers = consumers[static_cast<size_t>(tensor)];
  if (graph.isGraphOutput(tensor) || readers.size() != 1) return -1;
  const Node& reader = graph.nodes[static_cast<size_t>(readers[0])];
  if (reader.op != "RequantShift" || reader.inputs.size() != 3) return -1;
  bool onlyInputZero = reader.inputs[0] == tensor && reader.inputs[1] != tensor && reader.inputs[2] != tensor;
  return onlyInputZero ? readers[0] : -1;
}

bool resultFitsOutputType(const Graph& graph, const Node& activation) {
  DType input = graph.tensor(activation.inputs[0]).dtype, output = graph.tensor(activation.outputs[0]).dtype;
  int64_t inputMagnitude = std::max(-integerMin(input), integerMax(input));
  __int128 bound = activationMagnitude(activation.op, readActivation(activation.op, activation.attrs), inputMagnitude);
  return bound <= integerMax(output) && -bound >= integerMin(output);
}

Node fusedNode(const Node& activation, const Node& requant) {
  Node fused;
  fused.name = activation.name + "_" + requant.name;
  fused.op = "RQ" + activation.op;
  fused.domain = activation.domain;
  fused.inputs = {activation.inputs[0], requant.inputs[1], requant.inputs[2]};
  fused.outputs = requant.outputs;
  fused.attrs = requant.attrs;
  for (const auto& [name, value] : activation.attrs.all()) fused.attrs.set(name, value);
  return fused;
}

}  // namespace

int fuseIntegerActivationRequant(Graph& graph) {
  auto consumers = graph.consumers();
  std::vector<bool> remove(graph.nodes.size(), false);
  int fused = 0;
  for (size_t n = 0; n < graph.nodes.size(); ++n) {
    const Node& activation = graph.nodes[n];
    if (!isIntegerActivation(activation.op) || activation.inputs.size() != 1 || activation.outputs.size() != 1)
      continue;
    const OpSchema* schema = OpRegistry::instance().find("RQ" + activation.op);
    int reader = soleRequantReader(graph, consumers, activation.outputs[0]);
    if (!schema || reader < 0 || !resultFitsOutputType(graph, activation)) continue;
    Node& requant = graph.nodes[static_cast<size_t>(reader)];
    requant = fusedNode(activation, requant);
    InferContext ctx(graph, requant);
    schema->infer(ctx);
    remove[n] = true;
    ++fused;
  }
  graph.removeNodes(remove);
  return fused;
}

}  // namespace deeploy
