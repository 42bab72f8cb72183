// Clip(x, min?, max?): y = min(max(x, min), max), so every element becomes max when min > max (ONNX).
// The bounds are optional scalar inputs (opset >= 11) or the float attributes min/max (opset < 11); an
// absent bound does not clip. float32 and integer inputs (up to int64); the output keeps the input type.
// Integer bounds beyond the type's range are saturated to it, which changes no result the type can hold;
// bounds whose results it cannot hold are rejected.
#include <algorithm>
#include <cmath>
#include <optional>

#include "codegen/c_literals.h"
#include "ops/op_helpers.h"

namespace deeploy {

namespace {

constexpr size_t kMin = 1, kMax = 2;

const char* boundName(size_t input) { return input == kMin ? "min" : "max"; }

bool supportedType(DType t) { return t == DType::Float32 || (isInteger(t) && t != DType::Bool && t != DType::UInt64); }

// A bound as given, from the input's value (if known) or the attribute; nullopt when absent.
std::optional<int64_t> givenIntegerBound(const TensorData* input, const Attributes& attrs, size_t i) {
  if (input) return input->getInt(0);
  if (attrs.has(boundName(i))) return attrs.getInt(boundName(i));
  return std::nullopt;
}

int64_t integerBound(DType type, const TensorData* input, const Attributes& attrs, size_t i) {
  int64_t absent = i == kMin ? integerMin(type) : integerMax(type);
  return std::clamp(givenIntegerBound(input, attrs, i).value_or(absent), integerMin(type), integerMax(type));
}

float floatBound(const TensorData* input, const Attributes& attrs, size_t i) {
  double absent = i == kMin ? -INFINITY : INFINITY;
  return static_cast<float>(input ? input->getDouble(0) : attrs.getFloat(boundName(i), absent));
}

template <class T>
T clip(T x, T lo, T hi) {
  return x < lo ? (lo > hi ? hi : lo) : (x > hi ? hi : x);
}

void checkBoundInput(InferContext& ctx, size_t i, DType type) {
  const std::string name = boundName(i);
  const Tensor& bound = ctx.input(i);
  ctx.require(!ctx.attrs().has(name), "'" + name + "' is given both as an input and as an attribute");
  ctx.require(bound.elementCount() == 1, "'" + name + "' must be a scalar, got shape " + shapeToString(bound.shape));
  const TensorData* value = ctx.constantInput(i);
  if (!value) {
    ctx.require(bound.dtype == type, "a run-time '" + name + "' must have the input's type " +
                                         std::string(dtypeName(type)) + ", got " + std::string(dtypeName(bound.dtype)));
    return;
  }
  if (isInteger(type)) {
    ctx.require(value->allIntegral(), "'" + name + "' = " + std::to_string(value->getDouble(0)) +
                                          " is not an integer, as the " + std::string(dtypeName(type)) +
                                          " input requires");
  }
}

void checkBoundAttribute(InferContext& ctx, size_t i, DType type) {
  const std::string name = boundName(i);
  double value = readAttributes(ctx, [&] { return ctx.attrs().getFloat(name); });
  if (isInteger(type)) {
    ctx.require(std::nearbyint(value) == value, "attribute '" + name + "' = " + std::to_string(value) +
                                                    " is not an integer, as the " + std::string(dtypeName(type)) +
                                                    " input requires");
  }
}

// Every result equals max when max < min or max is below the type; every result equals min when min is
// above the type: such results must fit the type.
void checkIntegerResultsFit(InferContext& ctx, DType type) {
  std::optional<int64_t> lo = givenIntegerBound(ctx.constantInput(kMin), ctx.attrs(), kMin);
  std::optional<int64_t> hi = givenIntegerBound(ctx.constantInput(kMax), ctx.attrs(), kMax);
  bool maxTooLow = hi && *hi < integerMin(type);
  bool minTooHigh = lo && *lo > integerMax(type) && !(hi && *hi < *lo);
  if (maxTooLow || minTooHigh) {
    ctx.fail("bounds [" + (lo ? std::to_string(*lo) : "none") + ", " + (hi ? std::to_string(*hi) : "none") +
             "] give results outside the range of the " + std::string(dtypeName(type)) + " input");
  }
}

void inferClip(InferContext& ctx) {
  ctx.requireInputs(1, 3);
  DType type = ctx.inputType(0);
  ctx.require(supportedType(type), "takes float32 or integer (up to int64) input, got " + std::string(dtypeName(type)));
  for (size_t i : {kMin, kMax}) {
    if (ctx.hasInput(i)) {
      checkBoundInput(ctx, i, type);
    } else if (ctx.attrs().has(boundName(i))) {
      checkBoundAttribute(ctx, i, type);
    }
  }
  if (isInteger(type)) checkIntegerResultsFit(ctx, type);
  ctx.setOutput(0, type, ctx.inputShape(0));
}

void evaluateClip(const EvalArgs& args) {
  const TensorData& x = args.in(0);
  TensorData& y = args.out(0);
  auto bound = [&](size_t i) { return args.has(i) ? &args.in(i) : nullptr; };
  if (isInteger(y.dtype())) {
    int64_t lo = integerBound(y.dtype(), bound(kMin), args.attrs(), kMin);
    int64_t hi = integerBound(y.dtype(), bound(kMax), args.attrs(), kMax);
    for (int64_t i = 0; i < y.size(); ++i) y.setInt(i, clip(x.getInt(i), lo, hi));
    return;
  }
  float lo = floatBound(bound(kMin), args.attrs(), kMin), hi = floatBound(bound(kMax), args.attrs(), kMax);
  for (int64_t i = 0; i < y.size(); ++i) y.setDouble(i, clip(static_cast<float>(x.getDouble(i)), lo, hi));
}

// The C expression of a bound: the run-time scalar, or a literal of the input type.
std::string boundExpression(KernelEmitter& e, size_t i) {
  DType type = e.output(0).dtype;
  const TensorData* constant = nullptr;
  if (e.hasInput(i)) {
    const Tensor& t = e.input(i);
    if (!t.isConstant()) return "(" + e.inputPtr(i) + ")[0]";
    constant = &*t.constant;
  }
  if (isInteger(type)) {
    return cInitializerList(TensorData::scalarInt(type, integerBound(type, constant, e.attrs(), i)));
  }
  return cInitializerList(TensorData::fromDoubles(type, {}, std::vector<double>{floatBound(constant, e.attrs(), i)}));
}

void emitClip(KernelEmitter& e) {
  const Tensor& y = e.output(0);
  if (y.elementCount() == 0) return;
  std::string ctype(cTypeName(y.dtype));
  std::string name = "dp_clip_" + std::string(kernelSuffix(y.dtype));
  e.include("kernels/unary.h");
  e.definition(name, "DP_DEFINE_UNARY_2P(" + name + ", " + ctype + ", " + ctype + ", DP_CLIP)");
  e.statement(cCall(name, {e.inputPtr(0), e.outputPtr(0), std::to_string(y.elementCount()), boundExpression(e, kMin),
                           boundExpression(e, kMax)}));
}

// Element-wise; the scalar bounds are read whole by every tile.
TilingGeometry clipGeometry(const Graph& graph, const Node& node) { return elementwiseGeometryWithScalars(graph, node); }

OpSchema clipSchema() {
  OpSchema s{"Clip", inferClip, evaluateClip, emitClip, nullptr, false, clipGeometry};
  s.computesInPlace = true;  // y[i] = clip(x[i]), the bounds passed by value
  return s;
}

const OpRegistrar registrar{clipSchema()};

}  // namespace

}  // namespace deeploy
