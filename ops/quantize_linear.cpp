// QuantizeLinear, DequantizeLinear and DynamicQuantizeLinear (ONNX), in float32 as onnxruntime computes them:
//   QuantizeLinear    y = saturate(round_half_to_even(x / y_scale) + y_zero_point)
//   DequantizeLinear  y = (x - x_zero_point) * x_scale
//   DynamicQuantizeLinear: y_scale and y_zero_point from x's range widened to include 0, then QuantizeLinear.
// Scales and zero points are per tensor (one element) or per axis (1-D along `axis`), constant or computed at
// run time. The quantized types are int8 and uint8, and int16 and uint16 (opset 21). Blocked quantization
// (block_size), 4-bit and float8 types are rejected. Kernels: runtime/kernels/quantize_linear.h.
#include <algorithm>
#include <cmath>
#include <optional>

#include "ops/op_helpers.h"
#include "ops/quantization.h"

namespace deeploy {

namespace {

// ONNX TensorProto.DataType codes of QuantizeLinear's output_dtype attribute (opset 21).
std::optional<DType> outputDtypeAttribute(const InferContext& ctx) {
  const int64_t code = readAttributes(ctx, [&] { return ctx.attrs().getInt("output_dtype", 0); });
  switch (code) {
    case 0: return std::nullopt;
    case 2: return DType::UInt8;
    case 3: return DType::Int8;
    case 4: return DType::UInt16;
    case 5: return DType::Int16;
    case 17: case 18: case 19: case 20: ctx.fail("float8 quantization (output_dtype " + std::to_string(code) + ") is not supported");
    case 21: case 22: ctx.fail("4-bit quantization (output_dtype " + std::to_string(code) + ") is not supported");
    default: ctx.fail("output_dtype " + std::to_string(code) + " is not a quantized type (int8, uint8, int16, uint16)");
  }
}

int64_t axisAttribute(const Attributes& attrs) { return attrs.getInt("axis", 1); }

// Tensor x viewed as [outer][channels][inner], channels along the quantization axis (one channel per tensor).
struct ChannelView {
  int64_t outer = 1, channels = 1, inner = 1;
  int64_t channelOf(int64_t index) const { return index / inner % channels; }
};

// The view of x for parameters of `parameterCount` elements along `axis` (normalized or negative).
ChannelView channelView(const Shape& x, int64_t parameterCount, int64_t axis) {
  ChannelView v;
  v.inner = elementCount(x);
  if (parameterCount == 1) return v;
  const size_t at = static_cast<size_t>(axis < 0 ? axis + static_cast<int64_t>(x.size()) : axis);
  v.outer = elementCount(Shape(x.begin(), x.begin() + static_cast<std::ptrdiff_t>(at)));
  v.channels = x[at];
  v.inner = elementCount(Shape(x.begin() + static_cast<std::ptrdiff_t>(at) + 1, x.end()));
  return v;
}

ChannelView channelViewOf(const Shape& x, const Shape& scale, const Attributes& attrs) {
  return channelView(x, elementCount(scale), elementCount(scale) == 1 ? 0 : axisAttribute(attrs));
}

// The scale (input 1) and optional zero point (input 2) of QuantizeLinear and DequantizeLinear: a float32
// scale of one element, or 1-D with x.shape[axis] elements, and a zero point of as many elements.
void checkScaleAndZeroPoint(InferContext& ctx) {
  ctx.require(readAttributes(ctx, [&] { return ctx.attrs().getInt("block_size", 0); }) == 0,
              "blocked quantization (block_size) is not supported");
  requireFloatScale(ctx, 1, "the scale");
  const Shape &x = ctx.inputShape(0), &scale = ctx.inputShape(1);
  const int64_t count = elementCount(scale);
  if (count != 1) {
    ctx.require(scale.size() == 1, "the scale must be a scalar or 1-D (per axis), got shape " + shapeToString(scale));
    const int64_t rank = static_cast<int64_t>(x.size());
    const int64_t axis = normalizeAxis(ctx, readAttributes(ctx, [&] { return axisAttribute(ctx.attrs()); }), rank);
    ctx.require(x[static_cast<size_t>(axis)] == count, "the per-axis scale has " + std::to_string(count) +
                                                          " elements, the input " + shapeToString(x) + " has " +
                                                          std::to_string(x[static_cast<size_t>(axis)]) + " along axis " +
                                                          std::to_string(axis));
  }
  if (ctx.hasInput(2)) {
    const Shape& zero = ctx.inputShape(2);
    ctx.require(zero.size() <= 1 && elementCount(zero) == count,
                "the zero point's shape " + shapeToString(zero) + " must match the scale's " + shapeToString(scale));
  }
}

void requireQuantizedZeroPoint(const InferContext& ctx, DType t) {
  ctx.require(isQuantizedType(t, true), "the zero point must be int8, uint8, int16 or uint16, got " + std::string(dtypeName(t)));
}

// ---- QuantizeLinear ---------------------------------------------------------------------------------

DType quantizedType(const InferContext& ctx) {
  const std::optional<DType> requested = outputDtypeAttribute(ctx);
  if (!ctx.hasInput(2)) return requested.value_or(DType::UInt8);
  const DType zero = ctx.inputType(2);
  requireQuantizedZeroPoint(ctx, zero);
  ctx.require(!requested || *requested == zero, "output_dtype " + std::string(dtypeName(requested.value_or(zero))) +
                                                    " differs from the zero point's type " + std::string(dtypeName(zero)));
  return zero;
}

void inferQuantize(InferContext& ctx) {
  ctx.requireInputs(2, 3);
  const DType x = ctx.inputType(0);
  ctx.require(x == DType::Float32 || (isInteger(x) && x != DType::Bool && dtypeBits(x) <= 32),
              "x must be float32 or an integer type of at most 32 bits, got " + std::string(dtypeName(x)));
  checkScaleAndZeroPoint(ctx);
  ctx.setOutput(0, quantizedType(ctx), ctx.inputShape(0));
}

void evaluateQuantize(const EvalArgs& args) {
  const TensorData &x = args.in(0), &scale = args.in(1);
  TensorData& y = args.out(0);
  const ChannelView view = channelViewOf(x.shape(), scale.shape(), args.attrs());
  for (int64_t i = 0; i < x.size(); ++i) {
    const int64_t c = view.channelOf(i);
    const float zero = args.has(2) ? static_cast<float>(args.in(2).getInt(c)) : 0.0f;
    const float q = std::nearbyint(static_cast<float>(x.getDouble(i)) / scaleAt(scale, c)) + zero;
    y.setInt(i, saturateIntegral(q, y.dtype()));
  }
}

std::vector<std::string> channelArguments(const ChannelView& v) {
  return {std::to_string(v.outer), std::to_string(v.channels), std::to_string(v.inner)};
}

void emitQuantize(KernelEmitter& e) {
  const Tensor &x = e.input(0), &y = e.output(0);
  if (y.elementCount() == 0) return;
  const std::string name = "dp_quantize_linear_" + typeSuffix({x.dtype, y.dtype});
  e.include("kernels/quantize_linear.h");
  e.definition(name, "DP_DEFINE_QUANTIZE_LINEAR(" + name + ", " + std::string(cTypeName(x.dtype)) + ", " +
                         std::string(cTypeName(y.dtype)) + ", " + saturateFunction(y.dtype) + ")");
  std::vector<std::string> args = {e.inputPtr(0), e.inputPtr(1), optionalInputPtr(e, 2), e.outputPtr(0)};
  for (auto& extent : channelArguments(channelViewOf(x.shape, e.input(1).shape, e.attrs()))) args.push_back(extent);
  e.statement(cCall(name, args));
}

// ---- DequantizeLinear -------------------------------------------------------------------------------

void inferDequantize(InferContext& ctx) {
  ctx.requireInputs(2, 3);
  const DType x = ctx.inputType(0);
  ctx.require(isQuantizedType(x, true) || x == DType::Int32,
              "x must be int8, uint8, int16, uint16 or int32, got " + std::string(dtypeName(x)));
  checkScaleAndZeroPoint(ctx);
  if (ctx.hasInput(2)) {
    ctx.require(ctx.inputType(2) == x, "the zero point must have x's type " + std::string(dtypeName(x)) + ", got " +
                                           std::string(dtypeName(ctx.inputType(2))));
  }
  ctx.setOutput(0, DType::Float32, ctx.inputShape(0));
}

void evaluateDequantize(const EvalArgs& args) {
  const TensorData &x = args.in(0), &scale = args.in(1);
  TensorData& y = args.out(0);
  const ChannelView view = channelViewOf(x.shape(), scale.shape(), args.attrs());
  for (int64_t i = 0; i < x.size(); ++i) {
    const int64_t c = view.channelOf(i);
    const int64_t difference = x.getInt(i) - (args.has(2) ? args.in(2).getInt(c) : 0);
    y.setDouble(i, static_cast<float>(difference) * scaleAt(scale, c));
  }
}

void emitDequantize(KernelEmitter& e) {
  const Tensor &x = e.input(0), &y = e.output(0);
  if (y.elementCount() == 0) return;
  const std::string name = "dp_dequantize_linear_" + typeSuffix({x.dtype, y.dtype});
  // The exact difference x - zero point: int32 holds it for 8- and 16-bit types.
  const std::string difference = dtypeBits(x.dtype) < 32 ? "int32_t" : "int64_t";
  e.include("kernels/quantize_linear.h");
  e.definition(name, "DP_DEFINE_DEQUANTIZE_LINEAR(" + name + ", " + std::string(cTypeName(x.dtype)) + ", " + difference + ")");
  std::vector<std::string> args = {e.inputPtr(0), e.inputPtr(1), optionalInputPtr(e, 2), e.outputPtr(0)};
  for (auto& extent : channelArguments(channelViewOf(x.shape, e.input(1).shape, e.attrs()))) args.push_back(extent);
  e.statement(cCall(name, args));
}

// Q and DQ are element-wise: the output's axes split, x follows them and per-axis parameters follow `axis`.
TilingGeometry quantizationTiling(const Graph& graph, const Node& node) {
  TilingGeometry g = outputTiling(graph, node);
  for (size_t a = 0; a < g.iteration.size(); ++a) g.inputs[0][a] = AxisMap::follow(static_cast<int>(a));
  const Tensor& scale = graph.tensor(node.inputs[1]);
  if (scale.elementCount() == 1) return g;
  int64_t axis = axisAttribute(node.attrs);
  if (axis < 0) axis += static_cast<int64_t>(g.iteration.size());
  for (size_t i = 1; i < node.inputs.size(); ++i) {
    if (node.inputs[i] != kNoTensor) g.inputs[i] = {AxisMap::follow(static_cast<int>(axis))};
  }
  return g;
}

// ---- DynamicQuantizeLinear --------------------------------------------------------------------------

void inferDynamicQuantize(InferContext& ctx) {
  ctx.requireInputs(1, 1);
  ctx.require(ctx.inputType(0) == DType::Float32, "x must be float32, got " + std::string(dtypeName(ctx.inputType(0))));
  const auto& outputs = ctx.node().outputs;
  ctx.require(outputs.size() == 3 && std::find(outputs.begin(), outputs.end(), kNoTensor) == outputs.end(),
              "expects the outputs y, y_scale and y_zero_point");
  ctx.setOutput(0, DType::UInt8, ctx.inputShape(0));
  ctx.setOutput(1, DType::Float32, {});
  ctx.setOutput(2, DType::UInt8, {});
}

// The same float32 steps as dp_dynamic_quantize_linear_f32_u8.
void evaluateDynamicQuantize(const EvalArgs& args) {
  const TensorData& x = args.in(0);
  float lo = 0.0f, hi = 0.0f;
  for (int64_t i = 0; i < x.size(); ++i) {
    const float v = static_cast<float>(x.getDouble(i));
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const float scale = hi == lo ? 1.0f : (hi - lo) / 255.0f;
  float zero = 0.0f - lo / scale;
  zero = std::nearbyint(zero < 0.0f ? 0.0f : (zero > 255.0f ? 255.0f : zero));
  for (int64_t i = 0; i < x.size(); ++i) {
    args.out(0).setInt(i, saturateIntegral(std::nearbyint(static_cast<float>(x.getDouble(i)) / scale) + zero, DType::UInt8));
  }
  args.out(1).setDouble(0, scale);
  args.out(2).setInt(0, saturateIntegral(zero, DType::UInt8));
}

void emitDynamicQuantize(KernelEmitter& e) {
  const Tensor& x = e.input(0);
  e.include("kernels/quantize_linear.h");
  const bool empty = x.elementCount() == 0;
  e.statement(cCall("dp_dynamic_quantize_linear_f32_u8", {empty ? "NULL" : e.inputPtr(0), std::to_string(x.elementCount()),
                                                          empty ? "NULL" : e.outputPtr(0), e.outputPtr(1), e.outputPtr(2)}));
}

OpSchema quantizeSchema() {
  OpSchema s;
  s.name = "QuantizeLinear";
  s.infer = inferQuantize;
  s.evaluate = evaluateQuantize;
  s.emit = emitQuantize;
  s.tiling = quantizationTiling;
  return s;
}

OpSchema dequantizeSchema() {
  OpSchema s;
  s.name = "DequantizeLinear";
  s.infer = inferDequantize;
  s.evaluate = evaluateDequantize;
  s.emit = emitDequantize;
  s.tiling = quantizationTiling;
  return s;
}

OpSchema dynamicQuantizeSchema() {
  OpSchema s;
  s.name = "DynamicQuantizeLinear";
  s.infer = inferDynamicQuantize;
  s.evaluate = evaluateDynamicQuantize;
  s.emit = emitDynamicQuantize;
  return s;
}

const OpRegistrar registrar{quantizeSchema(), dequantizeSchema(), dynamicQuantizeSchema()};

}  // namespace

}  // namespace deeploy
