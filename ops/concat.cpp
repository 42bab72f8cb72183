// Concat along one axis (default 1 as in opset 1; negative counts from the end). Inputs may be empty
// along any dimension. Inputs of different types are converted to a common type with Cast's rules:
// integers to the smallest integer type holding all their ranges (int8 with uint8 gives int16), any
// float input makes the result float32 (float64 if one is float64). Each input is one strided block
// copy (or a converting copy) into its slab of the output.
#include <algorithm>

#include "ops/data_movement.h"
#include "ops/op_helpers.h"

namespace deeploy {

namespace {

DType commonType(const std::vector<DType>& types) {
  if (std::all_of(types.begin(), types.end(), [&](DType t) { return t == types[0]; })) return types[0];
  if (std::any_of(types.begin(), types.end(), isFloat)) {
    return std::count(types.begin(), types.end(), DType::Float64) ? DType::Float64 : DType::Float32;
  }
  if (std::none_of(types.begin(), types.end(), isSignedInteger)) {
    return *std::max_element(types.begin(), types.end(), [](DType a, DType b) { return dtypeBits(a) < dtypeBits(b); });
  }
  int64_t lo = 0, hi = 0;
  for (DType t : types) {
    lo = std::min(lo, integerMin(t));
    hi = std::max(hi, t == DType::UInt64 ? integerMax(DType::Int64) : integerMax(t));
  }
  return smallestIntegerType(lo, hi);
}

int64_t concatAxis(const Attributes& attrs, size_t rank) {
  int64_t axis = attrs.getInt("axis", 1);
  return axis < 0 ? axis + static_cast<int64_t>(rank) : axis;
}

void inferConcat(InferContext& ctx) {
  ctx.require(ctx.inputCount() > 0, "needs at least one input");
  ctx.requireInputs(ctx.inputCount(), ctx.inputCount());
  const Shape& first = ctx.inputShape(0);
  int64_t rank = static_cast<int64_t>(first.size());
  ctx.require(rank > 0, "cannot concatenate scalars");
  int64_t axis = normalizeAxis(ctx, ctx.attrs().getInt("axis", 1), rank);
  Shape out = first;
  out[static_cast<size_t>(axis)] = 0;
  std::vector<DType> types;
  for (size_t i = 0; i < ctx.inputCount(); ++i) {
    const Shape& s = ctx.inputShape(i);
    bool compatible = s.size() == first.size();
    for (size_t d = 0; compatible && d < s.size(); ++d) compatible = d == static_cast<size_t>(axis) || s[d] == first[d];
    ctx.require(compatible, "input " + std::to_string(i) + " has shape " + shapeToString(s) + ", incompatible with " +
                                shapeToString(first) + " for concatenation along axis " + std::to_string(axis));
    out[static_cast<size_t>(axis)] += s[static_cast<size_t>(axis)];
    types.push_back(ctx.inputType(i));
  }
  ctx.setOutput(0, commonType(types), out);
}

// Element counts before the axis (outer: the number of slabs) and after it (inner: elements per index
// of the axis); the same for every input and the output.
struct Slabs {
  int64_t outer = 1, inner = 1;
};

Slabs slabs(const Shape& shape, int64_t axis) {
  Slabs s;
  for (size_t d = 0; d < shape.size(); ++d) {
    if (static_cast<int64_t>(d) < axis) s.outer *= shape[d];
    if (static_cast<int64_t>(d) > axis) s.inner *= shape[d];
  }
  return s;
}

void evaluateConcat(const EvalArgs& args) {
  TensorData& y = args.out(0);
  int64_t axis = concatAxis(args.attrs(), y.shape().size());
  Slabs s = slabs(y.shape(), axis);
  int64_t outAxis = y.shape()[static_cast<size_t>(axis)], offset = 0;
  for (size_t i = 0; i < args.inputs.size(); ++i) {
    TensorData x = convertElements(args.in(i), y.dtype());
    int64_t len = x.shape()[static_cast<size_t>(axis)] * s.inner;
    for (int64_t o = 0; o < s.outer; ++o) {
      for (int64_t k = 0; k < len; ++k) copyElement(y, o * outAxis * s.inner + offset + k, x, o * len + k);
    }
    offset += len;
  }
}

void emitConcat(KernelEmitter& e) {
  const Tensor& y = e.output(0);
  if (y.elementCount() == 0) return;
  int64_t axis = concatAxis(e.attrs(), y.shape.size());
  Slabs s = slabs(y.shape, axis);
  int64_t outRow = y.shape[static_cast<size_t>(axis)] * s.inner, offset = 0;
  for (size_t i = 0; i < e.node().inputs.size(); ++i) {
    const Tensor& x = e.input(i);
    int64_t len = x.shape[static_cast<size_t>(axis)] * s.inner;
    std::string dst = "(" + e.outputPtr(0) + " + " + std::to_string(offset) + ")";
    offset += len;
    if (len == 0) continue;
    if (x.dtype == y.dtype) {
      emitStridedCopy(e, dst, e.inputPtr(i), y.dtype, {s.outer, len}, {outRow, 1}, {len, 1});
    } else {
      emitConvertingCopy(e, dst, e.inputPtr(i), x.dtype, y.dtype, s.outer, len, outRow);
    }
  }
}

// Every axis but the concatenation axis splits, and every input follows it there.
TilingGeometry concatTiling(const Graph& graph, const Node& node) {
  TilingGeometry g = outputTiling(graph, node);
  size_t axis = static_cast<size_t>(concatAxis(node.attrs, g.iteration.size()));
  g.splittable[axis] = false;
  for (auto& input : g.inputs) {
    for (size_t a = 0; a < input.size(); ++a) {
      if (a != axis) input[a] = AxisMap::follow(static_cast<int>(a));
    }
  }
  return g;
}

const OpRegistrar registrar{OpSchema{"Concat", inferConcat, evaluateConcat, emitConcat, {}, false, concatTiling}};

}  // namespace

}  // namespace deeploy
