// Integer divisions of Deeploy's integer dialect (integer results, int32 unless the model declares
// another integer type; exact 64-bit arithmetic, results wrap to the output type):
//   TrueIntegerDiv(x; Delta, eps, eta, y): x * floor(Delta * eta / (y * eta + eps))  (ops/integer_div.h)
//   IntegerDiv(A, B; Delta, eps, eta), B broadcasting: with d = eta * B + eps and n = Delta * eta * A,
//     trunc((n + sign(n) * (d >> 1)) / d), sign(0) = +1 (halves round away from zero); 0 when d = 0.
//   RQIntegerDiv(A, B, mul, add, div; Delta, eps, eta, n_levels, signed): the RequantShift
//     (ops/requant_shift.h) of IntegerDiv's result with scalar mul and add, `div` a constant input;
//     n_levels defaults to 256 (int8 output).
#include "ops/integer_div.h"

#include <limits>
#include <optional>

#include "ops/op_helpers.h"
#include "ops/requant_shift.h"

namespace deeploy {

namespace {

constexpr int64_t kInt32Max = std::numeric_limits<int32_t>::max();
constexpr __int128 kExactLimit = static_cast<__int128>(1) << 62;

// ---- TrueIntegerDiv ----

void inferTrueIntegerDiv(InferContext& ctx) {
  ctx.requireInputs(1, 1);
  int64_t factor = readAttributes(ctx, [&] { return trueIntegerDivFactor(ctx.attrs()); });
  requireIntegerInput(ctx, 0);
  ctx.require(std::abs(factor) <= kInt32Max, "the factor " + std::to_string(factor) + " does not fit in int32");
  ctx.setOutput(0, integerResultType(ctx, 0), ctx.inputShape(0));
}

void evaluateTrueIntegerDiv(const EvalArgs& args) {
  int64_t factor = trueIntegerDivFactor(args.attrs());
  const TensorData& x = args.in(0);
  TensorData& y = args.out(0);
  for (int64_t i = 0; i < x.size(); ++i) y.setInt(i, x.getInt(i) * factor);
}

void emitTrueIntegerDiv(KernelEmitter& e) {
  const Tensor &x = e.input(0), &y = e.output(0);
  if (y.elementCount() == 0) return;
  int64_t factor = trueIntegerDivFactor(e.attrs());
  Accumulator acc = accumulator(!productFitsInt32(integerMagnitude(x.dtype), factor, 0));
  std::string name = "dp_scale_" + typeSuffix({x.dtype, y.dtype}) + "_" + acc.suffix;
  e.include("kernels/integer_div.h");
  e.definition(name, "DP_DEFINE_SCALE(" + name + ", " + std::string(cTypeName(x.dtype)) + ", " +
                         std::string(cTypeName(y.dtype)) + ", " + acc.type + ")");
  e.statement(cCall(name, {e.inputPtr(0), e.outputPtr(0), std::to_string(y.elementCount()), cInteger(factor)}));
}

// ---- IntegerDiv, RQIntegerDiv ----

struct DivAttributes {
  int64_t delta, eps, eta;
};

DivAttributes readDiv(const Attributes& attrs) {
  DivAttributes a{attrs.getInt("Delta"), attrs.getInt("eps"), attrs.getInt("eta")};
  for (int64_t v : {a.delta, a.eps, a.eta}) {
    if (std::abs(v) >= (int64_t{1} << 31)) throw Error("attributes Delta, eps and eta must be below 2^31 in magnitude");
  }
  return a;
}

int64_t integerDivide(const DivAttributes& a, int64_t numeratorValue, int64_t denominatorValue) {
  int64_t d = a.eta * denominatorValue + a.eps, n = a.delta * a.eta * numeratorValue;
  if (d == 0) return 0;
  return (n + (n >= 0 ? 1 : -1) * (d >> 1)) / d;  // C++20: >> is arithmetic
}

// The RequantShift attributes of RQIntegerDiv: its own, with div taken from input 4.
Attributes requantAttributesOf(const Attributes& attrs, const TensorData& div) {
  Attributes rq = attrs;
  rq.set("div", div.getInt(0));
  if (!rq.has("n_levels") && !rq.has("n_levels_out")) rq.set("n_levels", int64_t{256});
  return rq;
}

void inferIntegerDivision(InferContext& ctx, bool requantized) {
  ctx.requireInputs(requantized ? 5 : 2, requantized ? 5 : 2);
  DivAttributes a = readAttributes(ctx, [&] { return readDiv(ctx.attrs()); });
  requireIntegerInput(ctx, 0);
  requireIntegerInput(ctx, 1);
  __int128 numerator = static_cast<__int128>(std::abs(a.delta * a.eta)) * integerMagnitude(ctx.inputType(0));
  __int128 denominator = static_cast<__int128>(std::abs(a.eta)) * integerMagnitude(ctx.inputType(1)) + std::abs(a.eps);
  ctx.require(numerator < kExactLimit && denominator < kExactLimit,
              "Delta, eta and eps are too large for the input types");
  Shape shape = broadcastShapes(ctx, ctx.inputShape(0), ctx.inputShape(1));
  if (!requantized) {
    ctx.setOutput(0, integerResultType(ctx, 0), shape);
    return;
  }
  for (size_t i : {2, 3, 4}) {
    const TensorData* c = ctx.constantInput(i);
    ctx.require(c && c->size() == 1 && c->allIntegral(),
                "input " + std::to_string(i) + " (requantization mul, add, div) must be a scalar integer constant");
    ctx.require(std::abs(c->getInt(0)) <= kInt32Max, "input " + std::to_string(i) + " must fit in int32");
  }
  // |quotient| <= |numerator| since |denominator| >= 1 whenever it is not 0.
  ctx.require(numerator * std::abs(ctx.constantInput(2)->getInt(0)) < kExactLimit,
              "the requantization multiplier is too large for the division's range");
  RequantAttributes rq = readAttributes(
      ctx, [&] { return readRequantAttributes(requantAttributesOf(ctx.attrs(), *ctx.constantInput(4))); });
  ctx.setOutput(0, rq.outputType(), shape);
}

void evaluateIntegerDivision(const EvalArgs& args, bool requantized) {
  DivAttributes a = readDiv(args.attrs());
  const TensorData &n = args.in(0), &d = args.in(1);
  TensorData& y = args.out(0);
  auto ns = broadcastStrides(n.shape(), y.shape()), ds = broadcastStrides(d.shape(), y.shape());
  std::optional<RequantAttributes> rq;
  if (requantized) rq = readRequantAttributes(requantAttributesOf(args.attrs(), args.in(4)));
  for (int64_t i = 0; i < y.size(); ++i) {
    int64_t q =
        integerDivide(a, n.getInt(broadcastOffset(i, y.shape(), ns)), d.getInt(broadcastOffset(i, y.shape(), ds)));
    y.setInt(i, rq ? rq->apply(q, args.in(2).getInt(0), args.in(3).getInt(0)) : q);
  }
}

// A C identifier piece for an integer ("m5" for -5).
std::string identifierOf(int64_t v) { return v < 0 ? "m" + std::to_string(-v) : std::to_string(v); }

// The element operation handed to DP_DEFINE_BINARY: the division with the node's constants, requantized
// for RQIntegerDiv. Named after the constants, so nodes with equal constants share it.
struct DivisionOperation {
  std::string name, code;
};

DivisionOperation divisionOperation(KernelEmitter& e, bool requantized) {
  DivAttributes a = readDiv(e.attrs());
  std::vector<int64_t> constants = {a.delta * a.eta, a.eta, a.eps};
  std::string quotient =
      "dp_integer_div(a, b, " + cInteger(constants[0]) + ", " + cInteger(a.eta) + ", " + cInteger(a.eps) + ")";
  std::string body = "return " + quotient + ";";
  if (requantized) {
    RequantAttributes rq = readRequantAttributes(requantAttributesOf(e.attrs(), *e.input(4).constant));
    int64_t mul = e.input(2).constant->getInt(0), bias = e.input(3).constant->getInt(0) + rq.rounding();
    constants.insert(constants.end(), {mul, bias, rq.shift, rq.lo, rq.hi});
    body = "int64_t v = dp_asr64(" + quotient + " * " + cInteger(mul) + " + " + cInteger(bias) + ", " +
           std::to_string(rq.shift) + "); return DP_CLAMP(v, " + cInteger(rq.lo) + ", " + cInteger(rq.hi) + ");";
  }
  DivisionOperation op{requantized ? "dp_rqintdiv" : "dp_intdiv", ""};
  for (int64_t c : constants) op.name += "_" + identifierOf(c);
  op.code = "static inline int64_t " + op.name + "(int64_t a, int64_t b) { " + body + " }";
  return op;
}

void emitIntegerDivision(KernelEmitter& e, bool requantized) {
  const Tensor &n = e.input(0), &d = e.input(1), &y = e.output(0);
  if (y.elementCount() == 0) return;
  DivisionOperation op = divisionOperation(e, requantized);
  std::string name = op.name + "_" + typeSuffix({n.dtype, d.dtype, y.dtype});
  e.include("kernels/integer_div.h");
  e.include("kernels/elementwise.h");
  e.definition(op.name, op.code);
  e.definition(name, "DP_DEFINE_BINARY(" + name + ", " + std::string(cTypeName(n.dtype)) + ", " +
                         std::string(cTypeName(d.dtype)) + ", " + std::string(cTypeName(y.dtype)) + ", " + op.name +
                         ")");
  Shape shape = y.shape.empty() ? Shape{1} : y.shape;
  std::vector<int64_t> ns = broadcastStrides(n.shape, shape), ds = broadcastStrides(d.shape, shape);
  e.statement(
      cCall(name, {e.inputPtr(0), e.inputPtr(1), e.outputPtr(0), std::to_string(shape.size()),
                   int32Array(e, shape, "shape"), int32Array(e, ns, "a_strides"), int32Array(e, ds, "b_strides")}));
}

// ---- Tiling: all three are element-wise (with broadcasting); RQIntegerDiv's scalars are read whole ----

TilingGeometry divisionGeometry(const Graph& graph, const Node& node) {
  return elementwiseGeometryWithScalars(graph, node);
}

const OpRegistrar registrar{
    {"TrueIntegerDiv", inferTrueIntegerDiv, evaluateTrueIntegerDiv, emitTrueIntegerDiv, nullptr, false,
     divisionGeometry},
    {"IntegerDiv", [](InferContext& ctx) { inferIntegerDivision(ctx, false); },
     [](const EvalArgs& args) { evaluateIntegerDivision(args, false); },
     [](KernelEmitter& e) { emitIntegerDivision(e, false); }, nullptr, false, divisionGeometry},
    {"RQIntegerDiv", [](InferContext& ctx) { inferIntegerDivision(ctx, true); },
     [](const EvalArgs& args) { evaluateIntegerDivision(args, true); },
     [](KernelEmitter& e) { emitIntegerDivision(e, true); }, nullptr, false, divisionGeometry},
};

}  // namespace

}  // namespace deeploy
