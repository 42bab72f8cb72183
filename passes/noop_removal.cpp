#include "passes/noop_removal.h"

#include <optional>

#include "ops/data_movement.h"
#include "ops/requant_shift.h"

namespace deeploy {

namespace {

// A RequantShift that gives back every value of its (at most 16-bit) input type unchanged, such as
// the mul = div, add = 0 requantization Deeploy's exports put after each KV-cache Concat.
bool requantIsIdentity(const Graph& graph, const Node& node) {
  if (node.op != "RequantShift" || node.inputs.size() != 3) return false;
  const Tensor &x = graph.tensor(node.inputs[0]), &mul = graph.tensor(node.inputs[1]), &add = graph.tensor(node.inputs[2]);
  if (!isInteger(x.dtype) || dtypeSize(x.dtype) > 2 || !mul.isConstant() || !add.isConstant()) return false;
  if (mul.elementCount() != 1 || add.elementCount() != 1) return false;
  RequantReference rq(node.attrs, *mul.constant, *add.constant, x.shape);
  for (int64_t v = integerMin(x.dtype); v <= integerMax(x.dtype); ++v) {
    if (rq.apply(v, 0) != v) return false;
  }
  return true;
}

// The input a node passes through unchanged (same type, shape and element order), if it does.
std::optional<size_t> passedThroughInput(const Graph& graph, const Node& node) {
  if (node.inputs.empty() || node.inputs[0] == kNoTensor) return std::nullopt;
  if (node.outputs.size() != 1 || node.outputs[0] == kNoTensor) return std::nullopt;
  size_t data = 0;
  if (node.op == "Concat") {
    for (size_t i = 0; i < node.inputs.size(); ++i) {
      if (graph.tensor(node.inputs[i]).elementCount() > 0) data = i;
    }
  }
  const Tensor &in = graph.tensor(node.inputs[data]), &out = graph.tensor(node.outputs[0]);
  if (in.dtype != out.dtype || in.shape != out.shape) return std::nullopt;
  const std::string& op = node.op;
  bool passes = op == "Identity" || op == "Cast" || op == "Reshape" || op == "Flatten" || op == "Squeeze" ||
                op == "Unsqueeze" || op == "Expand" || op == "Concat" ||
                (op == "Transpose" && transposeKeepsOrder(graph, node)) ||
                (op == "Slice" && sliceTakesEverything(graph, node)) || (op == "Pad" && padIsEmpty(graph, node)) ||
                requantIsIdentity(graph, node);
  return passes ? std::optional<size_t>(data) : std::nullopt;
}

// A kept no-op becomes a view: no code and no buffer of its own.
void turnIntoView(Node& node, TensorId input) {
  node.op = "Identity";
  node.domain.clear();
  node.inputs = {input};
  node.attrs = Attributes{};
}

// Makes the producer of `from` write `to` instead, and every reader of `from` read `to`.
void writeDirectly(Graph& graph, int producer, TensorId from, TensorId to) {
  for (TensorId& o : graph.nodes[static_cast<size_t>(producer)].outputs) {
    if (o == from) o = to;
  }
  graph.replaceUses(from, to);
}

// A Transpose that moves only dimensions of size 1 keeps the element order: a Reshape (a view).
bool reshapeTranspose(Graph& graph, Node& node) {
  if (node.op != "Transpose" || !transposeKeepsOrder(graph, node)) return false;
  const Tensor& out = graph.tensor(node.outputs[0]);
  TensorData shape = TensorData::fromInts(DType::Int64, {static_cast<int64_t>(out.shape.size())}, out.shape);
  TensorId shapeId = graph.addConstant(node.name + "_shape", std::move(shape));
  node.op = "Reshape";
  node.inputs = {node.inputs[0], shapeId};
  node.attrs = Attributes{};
  return true;
}

}  // namespace

int removeNoOps(Graph& graph) {
  int changed = 0;
  std::vector<bool> remove(graph.nodes.size(), false);
  for (size_t n = 0; n < graph.nodes.size(); ++n) {
    Node& node = graph.nodes[n];
    std::optional<size_t> data = passedThroughInput(graph, node);
    if (!data) {
      if (reshapeTranspose(graph, node)) ++changed;
      continue;
    }
    TensorId in = node.inputs[*data], out = node.outputs[0];
    int producer = graph.producerOf(in);
    if (!graph.isGraphOutput(out)) {
      graph.replaceUses(out, in);
      remove[n] = true;
    } else if (producer >= 0 && !graph.isGraphOutput(in)) {
      writeDirectly(graph, producer, in, out);  // the graph output keeps its tensor and name
      remove[n] = true;
    } else if (node.op != "Identity" && !graph.tensor(in).isConstant()) {
      turnIntoView(node, in);  // removing it would make a graph output a graph input or another output
    } else {
      continue;
    }
    ++changed;
  }
  graph.removeNodes(remove);
  return changed;
}

}  // namespace deeploy
