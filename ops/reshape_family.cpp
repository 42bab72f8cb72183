// Reshape, Flatten, Squeeze, Unsqueeze and Identity: the output is the input's bytes under another
// shape. They are views (aliasesInput): the memory planner gives both tensors one buffer and the code
// generator emits nothing, so only inference and the reference copy live here.
#include <algorithm>
#include <set>

#include "ops/data_movement.h"
#include "ops/op_helpers.h"

namespace deeploy {

namespace {

void evaluateView(const EvalArgs& args) { args.out(0) = args.in(0).reshaped(args.out(0).shape()); }

// ONNX Reshape: 0 copies the input dimension (unless allowzero), one -1 takes what is left.
Shape reshapedShape(const InferContext& ctx, const Shape& input, const std::vector<int64_t>& requested,
                    bool allowZero) {
  Shape out(requested.begin(), requested.end());
  int inferred = -1;
  for (size_t i = 0; i < out.size(); ++i) {
    if (out[i] == -1) {
      ctx.require(inferred < 0, "the shape " + shapeToString(requested) + " has more than one -1");
      inferred = static_cast<int>(i);
    } else if (out[i] == 0 && !allowZero) {
      ctx.require(i < input.size(), "the shape " + shapeToString(requested) + " copies dimension " + std::to_string(i) +
                                        " (0) that the input " + shapeToString(input) + " lacks");
      out[i] = input[i];
    } else {
      ctx.require(out[i] >= 0, "the shape " + shapeToString(requested) + " has a negative dimension");
    }
  }
  if (inferred >= 0) out[static_cast<size_t>(inferred)] = 1;
  ctx.require(!exceedsMaxElements(out), "the shape " + shapeToString(requested) + " has more than " +
                                            std::to_string(kMaxTensorElements) + " elements");
  int64_t total = elementCount(input);
  if (inferred >= 0) {
    int64_t known = elementCount(out);
    ctx.require(known != 0 && total % known == 0, "cannot reshape " + shapeToString(input) + " to " +
                                                      shapeToString(requested) + ": -1 has no integral size");
    out[static_cast<size_t>(inferred)] = total / known;
  }
  ctx.require(elementCount(out) == total, "cannot reshape " + shapeToString(input) + " (" + std::to_string(total) +
                                              " elements) to " + shapeToString(requested));
  return out;
}

void inferReshape(InferContext& ctx) {
  ctx.requireInputs(1, 2);
  requireConstantInputs(ctx, {1});
  auto requested = intsFromInputOrAttribute(constantInputsOf(ctx.graph(), ctx.node()), 1, ctx.attrs(), "shape");
  ctx.require(requested.has_value(), "needs the target shape (input 1, or the 'shape' attribute of opset < 5)");
  bool allowZero = ctx.attrs().getInt("allowzero", 0) != 0;
  ctx.setOutput(0, ctx.inputType(0), reshapedShape(ctx, ctx.inputShape(0), *requested, allowZero));
}

void inferFlatten(InferContext& ctx) {
  ctx.requireInputs(1, 1);
  const Shape& in = ctx.inputShape(0);
  int64_t rank = static_cast<int64_t>(in.size());
  int64_t axis = ctx.attrs().getInt("axis", 1);
  ctx.require(axis >= -rank && axis <= rank, "axis " + std::to_string(axis) + " is out of range for rank " +
                                                 std::to_string(rank) + " (Flatten allows -rank..rank)");
  if (axis < 0) axis += rank;
  Shape outer(in.begin(), in.begin() + axis), inner(in.begin() + axis, in.end());
  ctx.setOutput(0, ctx.inputType(0), {elementCount(outer), elementCount(inner)});
}

// Axes normalized against `rank`, checked for duplicates.
std::set<int64_t> uniqueAxes(const InferContext& ctx, const std::vector<int64_t>& axes, int64_t rank) {
  std::set<int64_t> result;
  for (int64_t a : axes) {
    ctx.require(result.insert(normalizeAxis(ctx, a, rank)).second, "axis " + std::to_string(a) + " is repeated");
  }
  return result;
}

void inferSqueeze(InferContext& ctx) {
  ctx.requireInputs(1, 2);
  requireConstantInputs(ctx, {1});
  const Shape& in = ctx.inputShape(0);
  auto axes = intsFromInputOrAttribute(constantInputsOf(ctx.graph(), ctx.node()), 1, ctx.attrs(), "axes");
  std::set<int64_t> squeezed;
  if (axes) {
    squeezed = uniqueAxes(ctx, *axes, static_cast<int64_t>(in.size()));
  } else {
    for (size_t d = 0; d < in.size(); ++d) {
      if (in[d] == 1) squeezed.insert(static_cast<int64_t>(d));
    }
  }
  Shape out;
  for (size_t d = 0; d < in.size(); ++d) {
    if (!squeezed.count(static_cast<int64_t>(d))) {
      out.push_back(in[d]);
      continue;
    }
    ctx.require(in[d] == 1,
                "cannot squeeze axis " + std::to_string(d) + " of shape " + shapeToString(in) + ": its size is not 1");
  }
  ctx.setOutput(0, ctx.inputType(0), out);
}

void inferUnsqueeze(InferContext& ctx) {
  ctx.requireInputs(1, 2);
  requireConstantInputs(ctx, {1});
  const Shape& in = ctx.inputShape(0);
  auto axes = intsFromInputOrAttribute(constantInputsOf(ctx.graph(), ctx.node()), 1, ctx.attrs(), "axes");
  ctx.require(axes.has_value() && !axes->empty(), "needs the axes to insert (input 1, or the 'axes' attribute)");
  int64_t rank = static_cast<int64_t>(in.size() + axes->size());
  std::set<int64_t> inserted = uniqueAxes(ctx, *axes, rank);
  Shape out;
  auto next = in.begin();
  for (int64_t d = 0; d < rank; ++d) out.push_back(inserted.count(d) ? 1 : *next++);
  ctx.setOutput(0, ctx.inputType(0), out);
}

void inferIdentity(InferContext& ctx) {
  ctx.requireInputs(1, 1);
  ctx.setOutput(0, ctx.inputType(0), ctx.inputShape(0));
}

OpSchema viewSchema(const std::string& name, std::function<void(InferContext&)> infer) {
  OpSchema s;
  s.name = name;
  s.infer = std::move(infer);
  s.evaluate = evaluateView;
  s.aliasesInput = true;
  return s;
}

const OpRegistrar registrar{viewSchema("Reshape", inferReshape), viewSchema("Flatten", inferFlatten),
                            viewSchema("Squeeze", inferSqueeze), viewSchema("Unsqueeze", inferUnsqueeze),
                            viewSchema("Identity", inferIdentity)};

}  // namespace

}  // namespace deeploy
