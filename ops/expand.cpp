// Expand: broadcasts the input to the NumPy broadcast of its shape and the constant `shape` input
// (dimensions of 1 in either stretch). The C kernel is a strided copy with zero strides on the
// broadcast dimensions.
// Tiling: the constant `shape` holds output extents that a tile cannot change, so only the output axes
// whose extent comes from the input (a shape entry of 1, or none) are split; the input follows them.
#include "ops/data_movement.h"
#include "ops/op_helpers.h"

namespace deeploy {

namespace {

void inferExpand(InferContext& ctx) {
  ctx.requireInputs(2, 2);
  requireConstantInputs(ctx, {1});
  auto shape = intsFromInputOrAttribute(constantInputsOf(ctx.graph(), ctx.node()), 1, ctx.attrs(), "shape");
  for (int64_t d : *shape) ctx.require(d >= 0, "the shape " + shapeToString(*shape) + " has a negative dimension");
  ctx.setOutput(0, ctx.inputType(0), broadcastShapes(ctx, ctx.inputShape(0), *shape));
}

void evaluateExpand(const EvalArgs& args) {
  const TensorData& x = args.in(0);
  TensorData& y = args.out(0);
  auto strides = broadcastStrides(x.shape(), y.shape());
  for (int64_t i = 0; i < y.size(); ++i) copyElement(y, i, x, broadcastOffset(i, y.shape(), strides));
}

void emitExpand(KernelEmitter& e) {
  const Tensor &x = e.input(0), &y = e.output(0);
  emitStridedCopy(e, e.outputPtr(0), e.inputPtr(0), y.dtype, y.shape, rowMajorStrides(y.shape),
                  broadcastStrides(x.shape, y.shape));
}

TilingGeometry expandGeometry(const Graph& graph, const Node& node) {
  Node inputOnly = node;
  inputOnly.inputs.at(1) = kNoTensor;  // the shape is no operand to broadcast
  TilingGeometry g = elementwiseGeometry(graph, inputOnly);
  g.inputs.at(1).assign(graph.tensor(node.inputs[1]).shape.size(), AxisMap::whole());
  const std::vector<int64_t> target = *intsFromInputOrAttribute(constantInputsOf(graph, node), 1, node.attrs, "shape");
  const size_t lead = g.iteration.size() - target.size();
  for (size_t a = lead; a < g.iteration.size(); ++a) {
    if (target[a - lead] != 1) g.splittable[a] = false;
  }
  return g;
}

const OpRegistrar registrar{OpSchema{"Expand", inferExpand, evaluateExpand, emitExpand, {}, false, expandGeometry}};

}  // namespace

}  // namespace deeploy
