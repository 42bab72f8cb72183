// Softmax (float32) over one axis, as defined since opset 13: y = exp(x - m) / sum(exp(x - m)) along
// `axis` (default -1), m the maximum along it.
// This definition is used for every opset: ONNX before 13 normalized all dimensions from `axis`
// (default 1) on as one flattened row, but Deeploy's exporters and expected outputs mean the last axis
// (the FP32 microLlama network declares opset 10, has no axis and expects a last-axis softmax).
#include <algorithm>
#include <cmath>

#include "ops/op_helpers.h"

namespace deeploy {

namespace {

// The tensor seen as [outer, axis, inner] around the normalized axis.
struct AxisView {
  int64_t outer = 1, length = 1, inner = 1;
};

AxisView viewAround(const Shape& shape, int64_t axis) {
  AxisView v;
  for (int64_t d = 0; d < static_cast<int64_t>(shape.size()); ++d) {
    int64_t extent = shape[static_cast<size_t>(d)];
    if (d < axis) v.outer *= extent;
    if (d == axis) v.length = extent;
    if (d > axis) v.inner *= extent;
  }
  return v;
}

int64_t softmaxAxis(const Attributes& attrs, int64_t rank) {
  int64_t axis = attrs.getInt("axis", -1);
  return axis < 0 ? axis + rank : axis;
}

void inferSoftmax(InferContext& ctx) {
  ctx.requireInputs(1, 1);
  DType type = ctx.inputType(0);
  ctx.require(type == DType::Float32, "takes float32 input, got " + std::string(dtypeName(type)));
  int64_t rank = static_cast<int64_t>(ctx.inputShape(0).size());
  ctx.require(rank >= 1, "needs an input of rank 1 or more");
  int64_t givenAxis = readAttributes(ctx, [&] { return ctx.attrs().getInt("axis", -1); });
  normalizeAxis(ctx, givenAxis, rank);  // fails when out of range
  ctx.setOutput(0, type, ctx.inputShape(0));
}

void evaluateSoftmax(const EvalArgs& args) {
  const TensorData& x = args.in(0);
  TensorData& y = args.out(0);
  AxisView v = viewAround(x.shape(), softmaxAxis(args.attrs(), static_cast<int64_t>(x.shape().size())));
  std::vector<double> e(static_cast<size_t>(v.length));
  for (int64_t o = 0; o < v.outer; ++o) {
    for (int64_t j = 0; j < v.inner; ++j) {
      auto index = [&](int64_t k) { return (o * v.length + k) * v.inner + j; };
      double max = -INFINITY, sum = 0;
      for (int64_t k = 0; k < v.length; ++k) max = std::max(max, x.getDouble(index(k)));
      for (int64_t k = 0; k < v.length; ++k) sum += e[static_cast<size_t>(k)] = std::exp(x.getDouble(index(k)) - max);
      for (int64_t k = 0; k < v.length; ++k) y.setDouble(index(k), e[static_cast<size_t>(k)] / sum);
    }
  }
}

void emitSoftmax(KernelEmitter& e) {
  const Tensor& x = e.input(0);
  if (x.elementCount() == 0) return;
  AxisView v = viewAround(x.shape, softmaxAxis(e.attrs(), static_cast<int64_t>(x.shape.size())));
  e.include("kernels/softmax.h");
  e.statement(cCall("dp_softmax_f32", {e.inputPtr(0), e.outputPtr(0), std::to_string(v.outer),
                                       std::to_string(v.length), std::to_string(v.inner)}));
}

// Tiling: every axis but the softmax axis splits.
TilingGeometry softmaxGeometry(const Graph& graph, const Node& node) {
  const size_t rank = graph.tensor(node.inputs.at(0)).shape.size();
  const int64_t axis = softmaxAxis(node.attrs, static_cast<int64_t>(rank));
  return sameShapeGeometry(graph, node, {static_cast<int>(axis)});
}

const OpRegistrar registrar{
    OpSchema{"Softmax", inferSoftmax, evaluateSoftmax, emitSoftmax, nullptr, false, softmaxGeometry}};

}  // namespace

}  // namespace deeploy
