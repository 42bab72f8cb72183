#include "ops/interpreter.h"

#include "ops/fused_activation.h"
#include "ops/op_schema.h"

namespace deeploy {

void evaluateNode(const Graph& graph, const Node& node, std::vector<std::optional<TensorData>>& values) {
  const OpSchema& schema = OpRegistry::instance().get(node);
  if (!schema.evaluate) throw Error(node.describe() + ": operator has no reference semantics");
  EvalArgs args{node, {}, {}};
  for (TensorId in : node.inputs) {
    if (in == kNoTensor) {
      args.inputs.push_back(nullptr);
      continue;
    }
    const auto& v = values.at(static_cast<size_t>(in));
    if (!v) throw Error(node.describe() + ": input '" + graph.tensor(in).name + "' has no value");
    args.inputs.push_back(&*v);
  }
  std::vector<TensorData> outputs;
  outputs.reserve(node.outputs.size());
  for (TensorId out : node.outputs) {
    if (out == kNoTensor) {
      outputs.emplace_back();
    } else {
      outputs.emplace_back(graph.tensor(out).dtype, graph.tensor(out).shape);
    }
  }
  for (auto& o : outputs) args.outputs.push_back(&o);
  try {
    schema.evaluate(args);
    if (hasFusedActivation(node)) applyFusedActivation(node, outputs.at(0));
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    throw Error(node.describe() + ": " + e.what());
  }
  for (size_t i = 0; i < node.outputs.size(); ++i) {
    if (node.outputs[i] != kNoTensor) values[static_cast<size_t>(node.outputs[i])] = std::move(outputs[i]);
  }
}

std::vector<std::optional<TensorData>> interpretAllTensors(const Graph& graph, const std::vector<TensorData>& inputs) {
  if (inputs.size() != graph.inputs.size()) {
    throw Error("the graph has " + std::to_string(graph.inputs.size()) + " inputs, got " + std::to_string(inputs.size()));
  }
  std::vector<std::optional<TensorData>> values(graph.tensors.size());
  for (size_t i = 0; i < graph.tensors.size(); ++i) {
    if (graph.tensors[i].constant) values[i] = graph.tensors[i].constant;
  }
  for (size_t i = 0; i < inputs.size(); ++i) values[static_cast<size_t>(graph.inputs[i])] = inputs[i];
  for (const Node& node : graph.nodes) evaluateNode(graph, node, values);
  return values;
}

std::vector<TensorData> interpretGraph(const Graph& graph, const std::vector<TensorData>& inputs) {
  const std::vector<std::optional<TensorData>> values = interpretAllTensors(graph, inputs);
  std::vector<TensorData> outputs;
  for (TensorId out : graph.outputs) {
    if (!values[static_cast<size_t>(out)]) throw Error("graph output '" + graph.tensor(out).name + "' was not computed");
    outputs.push_back(*values[static_cast<size_t>(out)]);
  }
  return outputs;
}

}  // namespace deeploy
