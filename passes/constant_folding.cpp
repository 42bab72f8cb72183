#include "passes/constant_folding.h"

#include <algorithm>

#include "ops/interpreter.h"
#include "ops/op_schema.h"

namespace deeploy {

bool isFoldable(const Graph& graph, const Node& node) {
  const OpSchema* schema = OpRegistry::instance().find(node.op);
  if (!schema || !schema->evaluate) return false;
  bool anyOutput = std::any_of(node.outputs.begin(), node.outputs.end(), [](TensorId t) { return t != kNoTensor; });
  return anyOutput && std::all_of(node.inputs.begin(), node.inputs.end(), [&](TensorId in) {
           return in == kNoTensor || graph.tensor(in).isConstant();
         });
}

void foldNode(Graph& graph, size_t index) {
  const Node& node = graph.nodes[index];
  for (TensorId out : node.outputs) {
    if (out == kNoTensor) continue;
    const Shape& shape = graph.tensor(out).shape;
    if (exceedsMaxElements(shape) || elementCount(shape) > kMaxFoldedElements) {
      throw Error(node.describe() + ": its constant output '" + graph.tensor(out).name + "' of shape " +
                  shapeToString(shape) + " has more than the " + std::to_string(kMaxFoldedElements) +
                  " elements the compiler computes at compile time");
    }
  }
  std::vector<std::optional<TensorData>> values(graph.tensors.size());
  for (TensorId in : node.inputs) {
    if (in != kNoTensor) values[static_cast<size_t>(in)] = graph.tensor(in).constant;
  }
  evaluateNode(graph, node, values);
  for (TensorId out : node.outputs) {
    if (out != kNoTensor) graph.tensor(out).constant = std::move(values[static_cast<size_t>(out)]);
  }
}

void removeFoldedNodes(Graph& graph) {
  std::vector<bool> remove(graph.nodes.size(), false);
  for (size_t n = 0; n < graph.nodes.size(); ++n) {
    const auto& outs = graph.nodes[n].outputs;
    remove[n] = std::all_of(outs.begin(), outs.end(), [&](TensorId t) { return t == kNoTensor || graph.tensor(t).isConstant(); });
  }
  graph.removeNodes(remove);
}

int foldConstants(Graph& graph) {
  int folded = 0;
  for (size_t n = 0; n < graph.nodes.size(); ++n) {
    if (isFoldable(graph, graph.nodes[n])) {
      foldNode(graph, n);
      ++folded;
    }
  }
  removeFoldedNodes(graph);
  return folded;
}

}  // namespace deeploy
