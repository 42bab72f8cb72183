#include "tests/support/single_node_graph.h"

namespace deeploy::testing {

Graph makeSingleNodeGraph(const NodeCase& c) {
  Graph g;
  g.name = "single_" + c.op;
  Node node;
  node.name = c.op + "_under_test";
  node.op = c.op;
  node.attrs = c.attrs;
  for (size_t i = 0; i < c.inputs.size(); ++i) {
    const NodeInput& in = c.inputs[i];
    if (in.value.dtype() == DType::Undefined) {
      node.inputs.push_back(kNoTensor);
      continue;
    }
    if (in.constant) {
      node.inputs.push_back(g.addConstant("const_" + std::to_string(i), in.value));
      continue;
    }
    Tensor t;
    t.name = "input_" + std::to_string(i);
    t.dtype = t.declaredType = in.value.dtype();
    t.shape = in.value.shape();
    TensorId id = g.addTensor(t);
    g.inputs.push_back(id);
    node.inputs.push_back(id);
  }
  for (int o = 0; o < c.outputs; ++o) {
    Tensor t;
    t.name = "output_" + std::to_string(o);
    if (static_cast<size_t>(o) < c.declaredOutputTypes.size()) t.declaredType = c.declaredOutputTypes[o];
    TensorId id = g.addTensor(t);
    g.outputs.push_back(id);
    node.outputs.push_back(id);
  }
  g.nodes.push_back(node);
  return g;
}

std::vector<TensorData> runtimeInputs(const NodeCase& c) {
  std::vector<TensorData> values;
  for (const auto& in : c.inputs) {
    if (!in.constant && in.value.dtype() != DType::Undefined) values.push_back(in.value);
  }
  return values;
}

}  // namespace deeploy::testing
