// RequantShift (domains '', PACTOps, ai.onnx.contrib): see ops/requant_shift.h.
#include "ops/requant_shift.h"

#include <algorithm>
#include <limits>

#include "ops/op_helpers.h"

namespace deeploy {

namespace {

constexpr int64_t kInt32Min = std::numeric_limits<int32_t>::min();
constexpr int64_t kInt32Max = std::numeric_limits<int32_t>::max();

Shape withoutLeadingOnes(const Shape& s) {
  auto first = std::find_if(s.begin(), s.end(), [](int64_t d) { return d != 1; });
  return Shape(first, s.end());
}

bool broadcastsInto(const Shape& param, const Shape& x) {
  if (param.size() > x.size()) return false;
  size_t offset = x.size() - param.size();
  for (size_t d = 0; d < param.size(); ++d) {
    if (param[d] != 1 && param[d] != x[offset + d]) return false;
  }
  return true;
}

// The axes over which a parameter of (broadcastable) shape `param` varies, as [first, last]; none: first > last.
std::pair<size_t, size_t> varyingAxes(const Shape& param, const Shape& x) {
  size_t first = x.size(), last = 0, offset = x.size() - param.size();
  for (size_t d = 0; d < param.size(); ++d) {
    if (param[d] == 1) continue;
    first = std::min(first, offset + d);
    last = std::max(last, offset + d);
  }
  return {first, last};
}

int64_t product(const Shape& s, size_t begin, size_t end) {
  int64_t p = 1;
  for (size_t d = begin; d < end; ++d) p *= s[d];
  return p;
}

}  // namespace

int64_t RequantAttributes::apply(int64_t value, int64_t mul, int64_t add) const {
  int64_t shifted = (value * mul + add + rounding()) >> shift;  // C++20: arithmetic shift
  return std::clamp(shifted, lo, hi);
}

RequantAttributes readRequantAttributes(const Attributes& attrs) {
  RequantAttributes rq;
  rq.shift = log2OfPowerOfTwo("div", attrs.getInt("div"));
  if (rq.shift > 31) throw Error("attribute 'div' must be at most 2^31, got 2^" + std::to_string(rq.shift));
  const char* levelsName = attrs.has("n_levels_out") ? "n_levels_out" : "n_levels";
  int64_t levels = attrs.getInt(levelsName);
  if (levels < 2 || levels > (int64_t{1} << 32)) {
    throw Error("attribute '" + std::string(levelsName) + "' must be in [2, 2^32], got " + std::to_string(levels));
  }
  bool isSigned = attrs.getInt("signed", 1) != 0;
  rq.lo = isSigned ? -(levels / 2) : 0;
  rq.hi = isSigned ? levels / 2 - 1 : levels - 1;
  return rq;
}

std::optional<Shape> requantParameterShape(const Shape& param, const Shape& x) {
  Shape trimmed = withoutLeadingOnes(param);
  if (broadcastsInto(trimmed, x)) return trimmed;
  // Deeploy's per-channel form: C values on axis 1, stored as [C] or as [C, 1, ..., 1].
  int64_t count = elementCount(trimmed);
  bool channelVector = !trimmed.empty() && trimmed[0] == count;
  if (channelVector && x.size() >= 2 && count == x[1]) {
    Shape perChannel(x.size() - 1, 1);
    perChannel[0] = x[1];
    return perChannel;
  }
  return std::nullopt;
}

DType inferRequant(InferContext& ctx, size_t mulInput, size_t addInput, const Shape& x) {
  RequantAttributes rq = readAttributes(ctx, [&] { return readRequantAttributes(ctx.attrs()); });
  for (auto [input, what] : {std::pair<size_t, const char*>{mulInput, "mul"}, {addInput, "add"}}) {
    for (int64_t v : requireIntegerConstant(ctx, input, what)) {
      ctx.require(v >= kInt32Min && v <= kInt32Max,
                  std::string(what) + " values must fit in int32, got " + std::to_string(v));
    }
    ctx.require(requantParameterShape(ctx.inputShape(input), x).has_value(),
                std::string(what) + " of shape " + shapeToString(ctx.inputShape(input)) +
                    " does not broadcast to the input shape " + shapeToString(x));
  }
  return rq.outputType();
}

TilingGeometry requantGeometry(const Graph& graph, const Node& node, size_t mulInput, size_t addInput) {
  TilingGeometry g = sameShapeGeometry(graph, node, {});
  const Shape& x = graph.tensor(node.inputs.at(0)).shape;
  const int64_t rank = static_cast<int64_t>(x.size());
  for (size_t input : {mulInput, addInput}) {
    const Shape& param = graph.tensor(node.inputs.at(input)).shape;
    const Shape trimmed = withoutLeadingOnes(param);
    if (!broadcastsInto(trimmed, x)) {
      g.splittable.at(1) = false;
      const int64_t numpyAxis = rank - static_cast<int64_t>(trimmed.size());
      if (numpyAxis >= 0) g.splittable[static_cast<size_t>(numpyAxis)] = false;
      continue;
    }
    const int64_t lead = rank - static_cast<int64_t>(param.size());
    for (size_t a = 0; a < param.size(); ++a) {
      // Only the trimmed axes can differ from 1, and those align with axes of x.
      if (param[a] != 1) g.inputs[input][a] = AxisMap::follow(static_cast<int>(lead + static_cast<int64_t>(a)));
    }
  }
  return g;
}

RequantReference::RequantReference(const Attributes& attrs, const TensorData& mul, const TensorData& add,
                                   const Shape& x)
    : attributes_(readRequantAttributes(attrs)), shape_(x), mul_(parameter(mul)), add_(parameter(add)) {}

RequantReference::Parameter RequantReference::parameter(const TensorData& values) const {
  if (values.size() == 1) return {&values, {}};
  std::optional<Shape> shape = requantParameterShape(values.shape(), shape_);
  if (!shape) throw Error("requantization parameter of shape " + shapeToString(values.shape()) + " does not broadcast");
  return {&values, broadcastStrides(*shape, shape_)};
}

int64_t RequantReference::valueAt(const Parameter& p, int64_t index) const {
  return p.strides.empty() ? p.values->getInt(0) : p.values->getInt(broadcastOffset(index, shape_, p.strides));
}

int64_t RequantReference::apply(int64_t value, int64_t index) const {
  return attributes_.apply(value, valueAt(mul_, index), valueAt(add_, index));
}

RequantKernelArgs requantKernelArgs(KernelEmitter& e, size_t mulInput, size_t addInput, const Shape& x,
                                    int64_t inputMagnitude) {
  RequantAttributes rq = readRequantAttributes(e.attrs());
  const TensorData& mul = *e.input(mulInput).constant;
  const TensorData& add = *e.input(addInput).constant;
  Shape mulShape = *requantParameterShape(mul.shape(), x), addShape = *requantParameterShape(add.shape(), x);

  auto [mulFirst, mulLast] = varyingAxes(mulShape, x);
  auto [addFirst, addLast] = varyingAxes(addShape, x);
  size_t first = std::min(mulFirst, addFirst);
  size_t last = std::max(mulFirst <= mulLast ? mulLast : 0, addFirst <= addLast ? addLast : 0);
  int64_t outer = 1, channels = 1, inner = elementCount(x);
  if (first < x.size()) {
    outer = product(x, 0, first);
    channels = product(x, first, last + 1);
    inner = product(x, last + 1, x.size());
  }

  // Channel c's parameters are those of the first element of channel c.
  auto mulStrides = broadcastStrides(mulShape, x), addStrides = broadcastStrides(addShape, x);
  std::vector<int64_t> channelMul(static_cast<size_t>(channels)), channelBias(static_cast<size_t>(channels));
  int64_t mulMagnitude = 0, biasMagnitude = 0;
  for (int64_t c = 0; c < channels; ++c) {
    int64_t m = mul.getInt(broadcastOffset(c * inner, x, mulStrides));
    int64_t b = add.getInt(broadcastOffset(c * inner, x, addStrides)) + rq.rounding();
    channelMul[static_cast<size_t>(c)] = m;
    channelBias[static_cast<size_t>(c)] = b;
    mulMagnitude = std::max(mulMagnitude, std::abs(m));
    biasMagnitude = std::max(biasMagnitude, std::abs(b));
  }

  bool wide = !productFitsInt32(inputMagnitude, mulMagnitude, biasMagnitude);
  RequantKernelArgs result{accumulator(wide), {}};
  DType biasType = wide ? DType::Int64 : DType::Int32;
  std::string biasArray = e.constant(TensorData::fromInts(biasType, {channels}, channelBias), "rq_bias");
  // The clamp bounds are compared in the accumulator type; a 32-bit one never exceeds its own range.
  int64_t lo = wide ? rq.lo : std::max(rq.lo, kInt32Min), hi = wide ? rq.hi : std::min(rq.hi, kInt32Max);
  result.args = {std::to_string(outer),
                 std::to_string(channels),
                 std::to_string(inner),
                 int32Array(e, channelMul, "rq_mul"),
                 biasArray,
                 std::to_string(rq.shift),
                 cInteger(lo),
                 cInteger(hi)};
  return result;
}

namespace {

void inferRequantShift(InferContext& ctx) {
  ctx.requireInputs(3, 3);
  requireIntegerInput(ctx, 0);
  const Shape& x = ctx.inputShape(0);
  ctx.setOutput(0, inferRequant(ctx, 1, 2, x), x);
}

void evaluateRequantShift(const EvalArgs& args) {
  const TensorData& x = args.in(0);
  TensorData& y = args.out(0);
  RequantReference rq(args.attrs(), args.in(1), args.in(2), x.shape());
  for (int64_t i = 0; i < y.size(); ++i) y.setInt(i, rq.apply(x.getInt(i), i));
}

}  // namespace

KernelCall requantShiftCall(KernelEmitter& e) {
  const Tensor &x = e.input(0), &y = e.output(0);
  RequantKernelArgs rq = requantKernelArgs(e, 1, 2, x.shape, valueMagnitude(e.graph(), e.node().inputs[0]));
  std::string name = "dp_requant_" + typeSuffix({x.dtype, y.dtype}) + "_" + rq.accumulator.suffix;
  e.include("kernels/requant.h");
  e.definition(name, "DP_DEFINE_REQUANT(" + name + ", " + std::string(cTypeName(x.dtype)) + ", " +
                         std::string(cTypeName(y.dtype)) + ", " + rq.accumulator.type + ", " + rq.accumulator.shift +
                         ")");
  std::vector<std::string> args = {e.inputPtr(0), e.outputPtr(0)};
  args.insert(args.end(), rq.args.begin(), rq.args.end());
  return {name, args};
}

namespace {

void emitRequantShift(KernelEmitter& e) {
  if (e.output(0).elementCount() > 0) e.statement(requantShiftCall(e).text());
}

TilingGeometry requantShiftGeometry(const Graph& graph, const Node& node) { return requantGeometry(graph, node, 1, 2); }

const OpRegistrar registrar{
    {"RequantShift", inferRequantShift, evaluateRequantShift, emitRequantShift, nullptr, false, requantShiftGeometry}};

}  // namespace

}  // namespace deeploy
