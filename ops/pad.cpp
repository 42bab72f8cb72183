// Pad: pads given as the `pads` attribute (opset 2-10; `paddings` in opset 1) or a constant input
// (opset >= 11, with optional `axes` from opset 18), as [begin_0, ..., begin_n, end_0, ..., end_n];
// negative pads crop. Modes constant (value from the `value` attribute or the constant_value input,
// converted to the data type with Cast's rules), reflect, edge and wrap. Output index o of a dimension
// shows input index o - begin, mapped back into the input when outside it:
//   reflect: mirrored without repeating the edge (periodically for pads longer than the dimension),
//   edge: the nearest edge element, wrap: periodic continuation.
#include <cmath>
#include <stdexcept>

#include "ops/data_movement.h"
#include "ops/op_helpers.h"

namespace deeploy {

namespace {

enum class PadMode { Constant = 0, Reflect = 1, Edge = 2, Wrap = 3 };  // values of the C kernel's DP_PAD_*

struct PadSpec {
  std::vector<int64_t> begin, end;  // per data dimension
  PadMode mode = PadMode::Constant;
};

PadMode padMode(const Attributes& attrs) {
  std::string mode = attrs.getString("mode", "constant");
  if (mode == "constant") return PadMode::Constant;
  if (mode == "reflect") return PadMode::Reflect;
  if (mode == "edge") return PadMode::Edge;
  if (mode == "wrap") return PadMode::Wrap;
  throw std::invalid_argument("unknown mode '" + mode + "' (expected constant, reflect, edge or wrap)");
}

// Throws std::invalid_argument on malformed pads.
PadSpec padSpec(size_t rank, const Attributes& attrs, const std::vector<const TensorData*>& inputs) {
  auto pads = intsFromInputOrAttribute(inputs, 1, attrs, "pads");
  if (!pads) pads = intsFromInputOrAttribute(inputs, 1, attrs, "paddings");
  if (!pads) throw std::invalid_argument("needs pads (input 1, or the 'pads' attribute before opset 11)");
  std::vector<int64_t> axes(rank);
  for (size_t d = 0; d < rank; ++d) axes[d] = static_cast<int64_t>(d);
  axes = intsFromInputOrAttribute(inputs, 3, attrs, "axes").value_or(axes);
  if (pads->size() != 2 * axes.size()) {
    throw std::invalid_argument("expected " + std::to_string(2 * axes.size()) + " pads (begin and end for " +
                                std::to_string(axes.size()) + " axes), got " + std::to_string(pads->size()));
  }
  PadSpec spec{std::vector<int64_t>(rank, 0), std::vector<int64_t>(rank, 0), padMode(attrs)};
  std::vector<bool> seen(rank, false);
  for (size_t i = 0; i < axes.size(); ++i) {
    int64_t axis = axes[i] < 0 ? axes[i] + static_cast<int64_t>(rank) : axes[i];
    if (axis < 0 || axis >= static_cast<int64_t>(rank) || seen[static_cast<size_t>(axis)]) {
      throw std::invalid_argument("axis " + std::to_string(axes[i]) + " is out of range or repeated");
    }
    seen[static_cast<size_t>(axis)] = true;
    spec.begin[static_cast<size_t>(axis)] = (*pads)[i];
    spec.end[static_cast<size_t>(axis)] = (*pads)[i + axes.size()];
  }
  return spec;
}

// The constant-mode fill as one element of `type`.
TensorData fillValue(DType type, const Attributes& attrs, const TensorData* constantValue) {
  TensorData value =
      constantValue && constantValue->size() > 0
          ? constantValue->reshaped({1})
          : TensorData::fromDoubles(DType::Float64, {1}, std::vector<double>{attrs.getFloat("value", 0.0)});
  return convertElements(value, type);
}

// The input index shown at index i of a padded dimension of n input elements; -1: the constant fill.
int64_t sourceIndex(int64_t i, int64_t n, PadMode mode) {
  if (i >= 0 && i < n) return i;
  switch (mode) {
    case PadMode::Constant: return -1;
    case PadMode::Edge: return i < 0 ? 0 : n - 1;
    case PadMode::Wrap: return ((i % n) + n) % n;
    case PadMode::Reflect: {
      if (n == 1) return 0;
      int64_t period = 2 * (n - 1), k = ((i % period) + period) % period;
      return k < n ? k : period - k;
    }
  }
  return -1;
}

void inferPad(InferContext& ctx) {
  ctx.requireInputs(1, 4);
  requireConstantInputs(ctx, {1, 3});
  if (ctx.hasInput(2)) {
    ctx.require(ctx.input(2).elementCount() <= 1, "constant_value must hold one element");
    ctx.require(
        ctx.constantInput(2) || (ctx.inputType(2) == ctx.inputType(0) && ctx.input(2).elementCount() == 1),
        "a run-time constant_value must be one element of the data's type " + std::string(dtypeName(ctx.inputType(0))));
  }
  const Shape& in = ctx.inputShape(0);
  PadSpec spec = padSpec(in.size(), ctx.attrs(), constantInputsOf(ctx.graph(), ctx.node()));
  Shape out;
  for (size_t d = 0; d < in.size(); ++d) {
    int64_t size = in[d] + spec.begin[d] + spec.end[d];
    ctx.require(size >= 0, "pads " + std::to_string(spec.begin[d]) + ", " + std::to_string(spec.end[d]) +
                               " crop more than the " + std::to_string(in[d]) + " elements of axis " +
                               std::to_string(d));
    bool padded = spec.begin[d] > 0 || spec.end[d] > 0;
    ctx.require(spec.mode == PadMode::Constant || in[d] > 0 || !padded,
                "cannot pad the empty axis " + std::to_string(d) + " in mode " + ctx.attrs().getString("mode", ""));
    out.push_back(size);
  }
  ctx.setOutput(0, ctx.inputType(0), out);
}

void evaluatePad(const EvalArgs& args) {
  const TensorData& x = args.in(0);
  TensorData& y = args.out(0);
  PadSpec spec = padSpec(x.shape().size(), args.attrs(), args.inputs);
  TensorData fill = fillValue(y.dtype(), args.attrs(), args.has(2) ? &args.in(2) : nullptr);
  auto inStrides = rowMajorStrides(x.shape());
  const Shape& outShape = y.shape();
  for (int64_t i = 0; i < y.size(); ++i) {
    int64_t rest = i, source = 0;
    for (size_t d = outShape.size(); d-- > 0 && source >= 0;) {
      int64_t k = sourceIndex(rest % outShape[d] - spec.begin[d], x.shape()[d], spec.mode);
      source = k < 0 ? -1 : source + k * inStrides[d];
      rest /= outShape[d];
    }
    if (source < 0) {
      copyElement(y, i, fill, 0);
    } else {
      copyElement(y, i, x, source);
    }
  }
}

struct PadDim {
  int64_t in, out, begin, end;
};

// Merges a dimension into the next outer one when it is not padded and the merge keeps the meaning:
// always when the outer one is not padded either, and in constant mode also when it is (its pads
// then cover whole rows of the inner dimension).
std::vector<PadDim> mergePadDims(const PadSpec& spec, const Shape& in, const Shape& out) {
  std::vector<PadDim> dims;
  for (size_t d = 0; d < in.size(); ++d) {
    PadDim next{in[d], out[d], spec.begin[d], spec.end[d]};
    if (!dims.empty() && next.begin == 0 && next.end == 0) {
      PadDim& outer = dims.back();
      if (spec.mode == PadMode::Constant || (outer.begin == 0 && outer.end == 0)) {
        outer = {outer.in * next.in, outer.out * next.out, outer.begin * next.in, outer.end * next.in};
        continue;
      }
    }
    dims.push_back(next);
  }
  if (dims.empty()) dims.push_back({1, 1, 0, 0});
  return dims;
}

void emitPad(KernelEmitter& e) {
  const Tensor &x = e.input(0), &y = e.output(0);
  if (y.elementCount() == 0) return;
  PadSpec spec = padSpec(x.shape.size(), e.attrs(), constantInputsOf(e.graph(), e.node()));
  std::vector<PadDim> dims = mergePadDims(spec, x.shape, y.shape);
  if (dims.size() > kKernelMaxDims) {
    throw Error(e.node().describe() + ": pads " + std::to_string(dims.size()) +
                " dimensions after merging; the kernel handles at most " + std::to_string(kKernelMaxDims));
  }
  std::vector<int64_t> inShape, outShape, begins;
  for (const PadDim& d : dims) inShape.push_back(d.in), outShape.push_back(d.out), begins.push_back(d.begin);
  requireInt32(e, {x.elementCount(), y.elementCount()});
  requireInt32(e, begins);
  std::string fill = "NULL";
  if (spec.mode == PadMode::Constant && e.hasInput(2) && !e.input(2).isConstant()) {
    fill = e.inputPtr(2);
  } else if (spec.mode == PadMode::Constant) {
    const TensorData* given = e.hasInput(2) ? &*e.input(2).constant : nullptr;
    fill = e.constant(fillValue(y.dtype, e.attrs(), given), "pad_value");
  }
  e.include("kernels/data_movement.h");
  e.statement(
      cCall("dp_pad", {e.outputPtr(0), e.inputPtr(0), std::to_string(dtypeSize(y.dtype)), std::to_string(dims.size()),
                       int32Array(e, inShape, "pad_in_shape"), int32Array(e, outShape, "pad_out_shape"),
                       int32Array(e, begins, "pads_begin"), std::to_string(static_cast<int>(spec.mode)), fill}));
}

// Axes without pads split (the pads, constant value and axes inputs are read whole); padded axes stay
// whole: a tile would need pads of its own, and from opset 11 on they are an input, not an attribute.
TilingGeometry padTiling(const Graph& graph, const Node& node) {
  TilingGeometry g = outputTiling(graph, node);
  PadSpec spec = padSpec(g.iteration.size(), node.attrs, constantInputsOf(graph, node));
  for (size_t d = 0; d < g.iteration.size(); ++d) {
    bool untouched = spec.begin[d] == 0 && spec.end[d] == 0;
    g.splittable[d] = untouched;
    if (untouched) g.inputs[0][d] = AxisMap::follow(static_cast<int>(d));
  }
  return g;
}

const OpRegistrar registrar{OpSchema{"Pad", inferPad, evaluatePad, emitPad, {}, false, padTiling}};

}  // namespace

bool padIsEmpty(const Graph& graph, const Node& node) {
  PadSpec spec = padSpec(graph.tensor(node.inputs[0]).shape.size(), node.attrs, constantInputsOf(graph, node));
  for (size_t d = 0; d < spec.begin.size(); ++d) {
    if (spec.begin[d] != 0 || spec.end[d] != 0) return false;
  }
  return true;
}

std::optional<PadAmounts> zeroFillPadAmounts(const Graph& graph, const Node& node) {
  if (node.inputs.empty() || node.outputs.size() != 1) return std::nullopt;
  for (size_t i = 1; i < node.inputs.size(); ++i) {
    if (node.inputs[i] != kNoTensor && !graph.tensor(node.inputs[i]).isConstant()) return std::nullopt;
  }
  const auto constants = constantInputsOf(graph, node);
  const PadSpec spec = padSpec(graph.tensor(node.inputs[0]).shape.size(), node.attrs, constants);
  if (spec.mode != PadMode::Constant) return std::nullopt;
  const double fill = fillValue(DType::Float64, node.attrs, constants.size() > 2 ? constants[2] : nullptr).getDouble(0);
  if (fill != 0 || std::signbit(fill)) return std::nullopt;
  return PadAmounts{spec.begin, spec.end};
}

}  // namespace deeploy
