// QLinearMatMul, MatMulInteger, QLinearConv and ConvInteger (ONNX): products of int8/uint8 operands shifted
// by their zero points, accumulated exactly in int32 (wrapping past it). MatMulInteger and ConvInteger
// return the int32 sums; QLinearMatMul and QLinearConv requantize them as onnxruntime does, in float32:
//   y = saturate(round_half_to_even((float)acc * ((a_scale * b_scale) / y_scale)) + y_zero_point)
// (QLinearConv adds its int32 bias to acc first). Zero points and scales: A's (X's) and Y's per tensor,
// MatMulInteger's a_zero_point also per row of A; B's per tensor or per column, W's per tensor or per
// output channel. They may be computed at run time. The convolutions take Conv's attributes and shapes
// (1-D and 2-D). Kernels: runtime/kernels/quantized_products.h.
#include <cmath>

#include "ops/linalg.h"
#include "ops/quantization.h"

namespace deeploy {

namespace {

// Input slots of the operand pairs, and whether the operator requantizes (QLinear*: scales follow each
// operand, then y_scale and y_zero_point, and QLinearConv's bias).
struct ProductInputs {
  size_t a, aZero, b, bZero;
  bool requantized;
};
constexpr ProductInputs kIntegerInputs{0, 2, 1, 3, false};
constexpr ProductInputs kQLinearInputs{0, 2, 3, 5, true};
constexpr size_t kAScale = 1, kBScale = 4, kYScale = 6, kYZero = 7, kBias = 8;

// Where a scale or zero point may vary: nowhere, along A's rows, along B's columns, along W's output channels.
enum class Spread { Tensor, Rows, Columns, Channels };

void requireByteOperand(const InferContext& ctx, size_t i, const std::string& what) {
  ctx.require(isQuantizedType(ctx.inputType(i), false),
              what + " must be int8 or uint8, got " + std::string(dtypeName(ctx.inputType(i))));
}

// A scale or zero point: one element, or `length` elements laid out along the axis `spread` names
// (a vector, or a tensor whose other axes have size 1 with that axis last for columns, second to last
// for rows).
void checkParameter(const InferContext& ctx, size_t i, const std::string& what, Spread spread, int64_t length) {
  const Shape& shape = ctx.inputShape(i);
  if (elementCount(shape) == 1) return;
  const char* along[] = {"", "per row of A", "per column of B", "per output channel"};
  const std::string expected =
      what + " must hold one value (per tensor)" +
      (spread == Spread::Tensor ? std::string() : " or " + std::to_string(length) + " (" + along[static_cast<int>(spread)] + ")") +
      ", got shape " + shapeToString(shape);
  ctx.require(spread != Spread::Tensor && elementCount(shape) == length, expected);
  if (shape.size() == 1) return;
  ctx.require(spread != Spread::Channels, expected);
  const size_t axis = shape.size() - (spread == Spread::Columns ? 1 : 2);
  for (size_t d = 0; d < shape.size(); ++d) ctx.require(d == axis || shape[d] == 1, expected);
}

// The optional zero point (input i) of operand `of`: the operand's type, spread as `spread` allows.
void checkZeroPoint(const InferContext& ctx, size_t i, size_t of, const std::string& what, Spread spread, int64_t length) {
  if (!ctx.hasInput(i)) return;
  ctx.require(ctx.inputType(i) == ctx.inputType(of), what + " must have its operand's type " +
                                                         std::string(dtypeName(ctx.inputType(of))) + ", got " +
                                                         std::string(dtypeName(ctx.inputType(i))));
  checkParameter(ctx, i, what, spread, length);
}

void checkScale(InferContext& ctx, size_t i, const std::string& what, Spread spread, int64_t length) {
  requireFloatScale(ctx, i, what);
  checkParameter(ctx, i, what, spread, length);
}

// QLinear*'s output parameters; the output type is y_zero_point's.
DType checkOutputParameters(InferContext& ctx) {
  checkScale(ctx, kYScale, "y_scale", Spread::Tensor, 1);
  requireByteOperand(ctx, kYZero, "y_zero_point");
  requirePerTensor(ctx, kYZero, "y_zero_point");
  return ctx.inputType(kYZero);
}

// ---- Reference ----------------------------------------------------------------------------------------

// An operand minus its zero point, as int32: the zero point's element for operand element e is
// zeroIndex(e) unless the zero point is one value.
template <class ZeroIndex>
TensorData shiftedByZeroPoint(const TensorData& operand, const TensorData* zero, ZeroIndex zeroIndex) {
  TensorData out(DType::Int32, operand.shape());
  for (int64_t e = 0; e < operand.size(); ++e) {
    const int64_t z = !zero ? 0 : zero->getInt(zero->size() == 1 ? 0 : zeroIndex(e));
    out.setInt(e, operand.getInt(e) - z);
  }
  return out;
}

const TensorData* optionalInput(const EvalArgs& args, size_t i) { return args.has(i) ? &args.in(i) : nullptr; }

// y[i] = saturate(rescaled sums[i] + bias), channel(i) choosing W's (B's) scale and the bias.
template <class Channel>
void requantizeSums(const EvalArgs& args, const std::vector<int64_t>& sums, Channel channel) {
  const TensorData &aScale = args.in(kAScale), &bScale = args.in(kBScale);
  TensorData& y = args.out(0);
  const float yScale = scaleAt(args.in(kYScale), 0), yZero = static_cast<float>(args.in(kYZero).getInt(0));
  const bool hasBias = args.has(kBias);
  for (size_t i = 0; i < sums.size(); ++i) {
    const int64_t c = channel(static_cast<int64_t>(i));
    const int64_t acc = wrapToInt32(sums[i] + (hasBias ? args.in(kBias).getInt(c) : 0));
    const float multiplier = (scaleAt(aScale, 0) * scaleAt(bScale, bScale.size() == 1 ? 0 : c)) / yScale;
    const float rescaled = std::nearbyint(static_cast<float>(acc) * multiplier) + yZero;
    y.setInt(static_cast<int64_t>(i), saturateIntegral(rescaled, y.dtype()));
  }
}

// ---- Matrix products ------------------------------------------------------------------------------------

MatMulGeometry inferMatMulProduct(InferContext& ctx, ProductInputs in) {
  requireByteOperand(ctx, in.a, "A");
  requireByteOperand(ctx, in.b, "B");
  MatMulGeometry g = matmulGeometry(ctx.inputShape(in.a), ctx.inputShape(in.b), failThrough(ctx));
  checkZeroPoint(ctx, in.aZero, in.a, "a_zero_point", in.requantized ? Spread::Tensor : Spread::Rows, g.m);
  checkZeroPoint(ctx, in.bZero, in.b, "b_zero_point", Spread::Columns, g.n);
  return g;
}

void inferMatMulInteger(InferContext& ctx) {
  ctx.requireInputs(2, 4);
  ctx.setOutput(0, DType::Int32, inferMatMulProduct(ctx, kIntegerInputs).outShape);
}

void inferQLinearMatMul(InferContext& ctx) {
  ctx.requireInputs(8, 8);
  MatMulGeometry g = inferMatMulProduct(ctx, kQLinearInputs);
  checkScale(ctx, kAScale, "a_scale", Spread::Tensor, 1);
  checkScale(ctx, kBScale, "b_scale", Spread::Columns, g.n);
  ctx.setOutput(0, checkOutputParameters(ctx), g.outShape);
}

// The int32 sums of (a - a_zero)(b - b_zero), exact modulo 2^64.
std::vector<int64_t> shiftedProducts(const EvalArgs& args, ProductInputs in, const MatMulGeometry& g) {
  const TensorData &a = args.in(in.a), &b = args.in(in.b);
  const TensorData aShifted = shiftedByZeroPoint(a, optionalInput(args, in.aZero), [&](int64_t e) { return e / g.k % g.m; });
  const TensorData bShifted = shiftedByZeroPoint(b, optionalInput(args, in.bZero), [&](int64_t e) { return e % g.n; });
  return integerProducts(aShifted, bShifted, g);
}

void evaluateMatMulInteger(const EvalArgs& args) {
  const MatMulGeometry g = matmulGeometry(args.in(0).shape(), args.in(1).shape(), failWithError(args.node));
  const std::vector<int64_t> sums = shiftedProducts(args, kIntegerInputs, g);
  for (size_t i = 0; i < sums.size(); ++i) args.out(0).setInt(static_cast<int64_t>(i), wrapToInt32(sums[i]));
}

void evaluateQLinearMatMul(const EvalArgs& args) {
  const MatMulGeometry g = matmulGeometry(args.in(0).shape(), args.in(3).shape(), failWithError(args.node));
  requantizeSums(args, shiftedProducts(args, kQLinearInputs, g), [&](int64_t i) { return i % g.n; });
}

std::string strideOf(const KernelEmitter& e, size_t i) {
  return e.hasInput(i) ? std::to_string(parameterStride(e.input(i).shape)) : "0";
}

std::vector<std::string> matmulExtents(KernelEmitter& e, const MatMulGeometry& g) {
  return {std::to_string(g.batch), std::to_string(g.m), std::to_string(g.n), std::to_string(g.k),
          offsetArray(e, g.aOffsets, "a_offsets"), offsetArray(e, g.bOffsets, "b_offsets")};
}

void emitMatMulInteger(KernelEmitter& e) {
  const Tensor &a = e.input(0), &b = e.input(1);
  if (e.output(0).elementCount() == 0) return;
  const MatMulGeometry g = matmulGeometry(a.shape, b.shape, failWithError(e.node()));
  const std::string name = "dp_matmul_integer_" + typeSuffix({a.dtype, b.dtype});
  e.include("kernels/quantized_products.h");
  e.definition(name, "DP_DEFINE_MATMUL_INTEGER(" + name + ", " + std::string(cTypeName(a.dtype)) + ", " +
                         std::string(cTypeName(b.dtype)) + ")");
  std::vector<std::string> args = {e.inputPtr(0), optionalInputPtr(e, 2), strideOf(e, 2), e.inputPtr(1),
                                   optionalInputPtr(e, 3), strideOf(e, 3), e.outputPtr(0)};
  for (auto& extent : matmulExtents(e, g)) args.push_back(extent);
  e.statement(cCall(name, args));
}

void emitQLinearMatMul(KernelEmitter& e) {
  const Tensor &a = e.input(0), &b = e.input(3), &y = e.output(0);
  if (y.elementCount() == 0) return;
  const MatMulGeometry g = matmulGeometry(a.shape, b.shape, failWithError(e.node()));
  const std::string name = "dp_qlinear_matmul_" + typeSuffix({a.dtype, b.dtype, y.dtype});
  e.include("kernels/quantized_products.h");
  e.definition(name, "DP_DEFINE_QLINEAR_MATMUL(" + name + ", " + std::string(cTypeName(a.dtype)) + ", " +
                         std::string(cTypeName(b.dtype)) + ", " + std::string(cTypeName(y.dtype)) + ", " +
                         saturateFunction(y.dtype) + ")");
  std::vector<std::string> args = {e.inputPtr(0), e.inputPtr(1), e.inputPtr(2), e.inputPtr(3), e.inputPtr(4), strideOf(e, 4),
                                   e.inputPtr(5), strideOf(e, 5), e.inputPtr(6), e.inputPtr(7), e.outputPtr(0)};
  for (auto& extent : matmulExtents(e, g)) args.push_back(extent);
  e.statement(cCall(name, args));
}

// ---- Convolutions ---------------------------------------------------------------------------------------

ConvGeometry inferConvProduct(InferContext& ctx, ProductInputs in) {
  requireByteOperand(ctx, in.a, "x");
  requireByteOperand(ctx, in.b, "w");
  ctx.require(ctx.inputShape(in.a).size() >= 3, "x must be [N, C, spatial...], got " + shapeToString(ctx.inputShape(in.a)));
  ConvGeometry g = convGeometry(ctx.inputShape(in.a), ctx.inputShape(in.b), ctx.attrs(), failThrough(ctx));
  checkZeroPoint(ctx, in.aZero, in.a, "x_zero_point", Spread::Tensor, 1);
  checkZeroPoint(ctx, in.bZero, in.b, "w_zero_point", Spread::Channels, g.outChannels);
  return g;
}

void inferConvInteger(InferContext& ctx) {
  ctx.requireInputs(2, 4);
  ctx.setOutput(0, DType::Int32, inferConvProduct(ctx, kIntegerInputs).outputShape());
}

void inferQLinearConv(InferContext& ctx) {
  ctx.requireInputs(8, 9);
  ConvGeometry g = inferConvProduct(ctx, kQLinearInputs);
  checkScale(ctx, kAScale, "x_scale", Spread::Tensor, 1);
  checkScale(ctx, kBScale, "w_scale", Spread::Channels, g.outChannels);
  if (ctx.hasInput(kBias)) {
    ctx.require(ctx.inputType(kBias) == DType::Int32, "the bias must be int32, got " + std::string(dtypeName(ctx.inputType(kBias))));
    ctx.require(ctx.inputShape(kBias) == Shape{g.outChannels},
                "the bias must have shape [" + std::to_string(g.outChannels) + "], got " + shapeToString(ctx.inputShape(kBias)));
  }
  ctx.setOutput(0, checkOutputParameters(ctx), g.outputShape());
}

// The int32 sums of (x - x_zero)(w - w_zero) in NCHW order, exact modulo 2^64: padding holds x_zero, so
// the shifted input pads with 0 as integerConv does.
std::vector<int64_t> shiftedConv(const EvalArgs& args, ProductInputs in, const ConvGeometry& g) {
  const TensorData &x = args.in(in.a), &w = args.in(in.b);
  const int64_t perChannel = g.outChannels == 0 ? 1 : w.size() / g.outChannels;
  const TensorData xShifted = shiftedByZeroPoint(x, optionalInput(args, in.aZero), [](int64_t) { return 0; });
  const TensorData wShifted = shiftedByZeroPoint(w, optionalInput(args, in.bZero), [&](int64_t e) { return e / perChannel; });
  return integerConv(xShifted, wShifted, g);
}

void evaluateConvInteger(const EvalArgs& args) {
  const ConvGeometry g = convGeometry(args.in(0).shape(), args.in(1).shape(), args.attrs(), failWithError(args.node));
  const std::vector<int64_t> sums = shiftedConv(args, kIntegerInputs, g);
  for (size_t i = 0; i < sums.size(); ++i) args.out(0).setInt(static_cast<int64_t>(i), wrapToInt32(sums[i]));
}

void evaluateQLinearConv(const EvalArgs& args) {
  const ConvGeometry g = convGeometry(args.in(0).shape(), args.in(3).shape(), args.attrs(), failWithError(args.node));
  requantizeSums(args, shiftedConv(args, kQLinearInputs, g), [&](int64_t i) { return g.channelOf(i); });
}

std::string convGeometryArray(KernelEmitter& e, size_t x, size_t w) {
  return offsetArray(e, convGeometry(e.input(x).shape, e.input(w).shape, e.attrs(), failWithError(e.node())).kernelArray(),
                     "conv_geometry");
}

void emitConvInteger(KernelEmitter& e) {
  const Tensor &x = e.input(0), &w = e.input(1);
  if (e.output(0).elementCount() == 0) return;
  const std::string name = "dp_conv_integer_" + typeSuffix({x.dtype, w.dtype});
  e.include("kernels/quantized_products.h");
  e.definition(name, "DP_DEFINE_CONV_INTEGER(" + name + ", " + std::string(cTypeName(x.dtype)) + ", " +
                         std::string(cTypeName(w.dtype)) + ")");
  e.statement(cCall(name, {e.inputPtr(0), optionalInputPtr(e, 2), e.inputPtr(1), optionalInputPtr(e, 3), strideOf(e, 3),
                           e.outputPtr(0), convGeometryArray(e, 0, 1)}));
}

void emitQLinearConv(KernelEmitter& e) {
  const Tensor &x = e.input(0), &w = e.input(3), &y = e.output(0);
  if (y.elementCount() == 0) return;
  const std::string name = "dp_qlinear_conv_" + typeSuffix({x.dtype, w.dtype, y.dtype});
  e.include("kernels/quantized_products.h");
  e.definition(name, "DP_DEFINE_QLINEAR_CONV(" + name + ", " + std::string(cTypeName(x.dtype)) + ", " +
                         std::string(cTypeName(w.dtype)) + ", " + std::string(cTypeName(y.dtype)) + ", " +
                         saturateFunction(y.dtype) + ")");
  e.statement(cCall(name, {e.inputPtr(0), e.inputPtr(1), e.inputPtr(2), e.inputPtr(3), e.inputPtr(4), strideOf(e, 4),
                           e.inputPtr(5), strideOf(e, 5), e.inputPtr(6), e.inputPtr(7), optionalInputPtr(e, kBias),
                           e.outputPtr(0), convGeometryArray(e, 0, 3)}));
}

OpSchema schema(const std::string& name, void (*infer)(InferContext&), void (*evaluate)(const EvalArgs&),
                void (*emit)(KernelEmitter&)) {
  OpSchema s;
  s.name = name;
  s.infer = infer;
  s.evaluate = evaluate;
  s.emit = emit;
  return s;
}

const OpRegistrar registrar{schema("MatMulInteger", inferMatMulInteger, evaluateMatMulInteger, emitMatMulInteger),
                            schema("QLinearMatMul", inferQLinearMatMul, evaluateQLinearMatMul, emitQLinearMatMul),
                            schema("ConvInteger", inferConvInteger, evaluateConvInteger, emitConvInteger),
                            schema("QLinearConv", inferQLinearConv, evaluateQLinearConv, emitQLinearConv)};

}  // namespace

}  // namespace deeploy
