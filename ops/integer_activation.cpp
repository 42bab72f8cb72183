// iHardswish and iGELU (int32 outputs; formulas in ops/integer_activation.h), and their fusions with a
// following RequantShift, RQiHardswish(x, mul, add) and RQiGELU(x, mul, add), which take the attributes of
// both and compute the RequantShift of ops/requant_shift.h on the exact activation.
#include "ops/integer_activation.h"

#include <limits>

#include "ops/op_helpers.h"
#include "ops/requant_shift.h"

namespace deeploy {

namespace {

constexpr int64_t kInt32Max = std::numeric_limits<int32_t>::max();

const char* activationOf(const std::string& op) {
  return op == "RQiHardswish" || op == "iHardswish" ? "iHardswish" : "iGELU";
}

ActivationParameters readParameters(const Node& node) { return readActivation(activationOf(node.op), node.attrs); }

bool activationFitsInt32(const Node& node, DType input) {
  return activationMagnitude(activationOf(node.op), readParameters(node), integerMagnitude(input)) <= kInt32Max;
}

// "dp_ihardswish32" or "dp_igelu64": the scalar activation of the matching width.
std::string activationFunction(const Node& node, DType input) {
  std::string base = std::string(activationOf(node.op)) == "iHardswish" ? "dp_ihardswish" : "dp_igelu";
  return base + (activationFitsInt32(node, input) ? "32" : "64");
}

std::vector<std::string> parameterArgs(const Node& node) {
  ActivationParameters p = readParameters(node);
  return {cInteger(p.k0), cInteger(p.k1), cInteger(p.k2)};
}

// Reads the attributes and checks that the activation stays exact in 64-bit arithmetic.
void inferActivationParameters(InferContext& ctx) {
  ActivationParameters p = readAttributes(ctx, [&] { return readParameters(ctx.node()); });
  requireIntegerInput(ctx, 0);
  __int128 magnitude = activationMagnitude(activationOf(ctx.node().op), p, integerMagnitude(ctx.inputType(0)));
  ctx.require(magnitude < (static_cast<__int128>(1) << 62),
              "the attributes are too large for a " + std::string(dtypeName(ctx.inputType(0))) + " input");
}

// ---- iHardswish, iGELU ----

void inferActivation(InferContext& ctx) {
  ctx.requireInputs(1, 1);
  inferActivationParameters(ctx);
  ctx.setOutput(0, integerResultType(ctx, 0), ctx.inputShape(0));
}

void evaluateActivation(const EvalArgs& args) {
  const char* op = activationOf(args.node.op);
  ActivationParameters p = readParameters(args.node);
  const TensorData& x = args.in(0);
  TensorData& y = args.out(0);
  for (int64_t i = 0; i < x.size(); ++i) y.setInt(i, applyActivation(op, p, x.getInt(i)));
}

void emitActivation(KernelEmitter& e) {
  const Tensor &x = e.input(0), &y = e.output(0);
  if (y.elementCount() == 0) return;
  std::string function = activationFunction(e.node(), x.dtype);
  std::string name = function + "_" + typeSuffix({x.dtype, y.dtype});
  e.include("kernels/integer_activation.h");
  e.definition(name, "DP_DEFINE_ACTIVATION(" + name + ", " + std::string(cTypeName(x.dtype)) + ", " +
                         std::string(cTypeName(y.dtype)) + ", " + function + ")");
  std::vector<std::string> args = {e.inputPtr(0), e.outputPtr(0), std::to_string(y.elementCount())};
  for (const auto& p : parameterArgs(e.node())) args.push_back(p);
  e.statement(cCall(name, args));
}

// ---- RQiHardswish, RQiGELU ----

void inferRequantizedActivation(InferContext& ctx) {
  ctx.requireInputs(3, 3);
  inferActivationParameters(ctx);
  const Shape& x = ctx.inputShape(0);
  ctx.setOutput(0, inferRequant(ctx, 1, 2, x), x);
}

void evaluateRequantizedActivation(const EvalArgs& args) {
  const char* op = activationOf(args.node.op);
  ActivationParameters p = readParameters(args.node);
  const TensorData& x = args.in(0);
  TensorData& y = args.out(0);
  RequantReference rq(args.attrs(), args.in(1), args.in(2), x.shape());
  for (int64_t i = 0; i < x.size(); ++i) y.setInt(i, rq.apply(applyActivation(op, p, x.getInt(i)), i));
}

void emitRequantizedActivation(KernelEmitter& e) {
  const Tensor &x = e.input(0), &y = e.output(0);
  if (y.elementCount() == 0) return;
  const char* op = activationOf(e.node().op);
  __int128 activation = activationMagnitude(op, readParameters(e.node()), integerMagnitude(x.dtype));
  int64_t magnitude = static_cast<int64_t>(std::min<__int128>(activation, std::numeric_limits<int64_t>::max()));
  RequantKernelArgs rq = requantKernelArgs(e, 1, 2, x.shape, magnitude);
  std::string function = activationFunction(e.node(), x.dtype);
  std::string name = "dp_rq_" + function.substr(3) + "_" + typeSuffix({x.dtype, y.dtype}) + "_" + rq.accumulator.suffix;
  e.include("kernels/integer_activation.h");
  e.definition(name, "DP_DEFINE_RQ_ACTIVATION(" + name + ", " + std::string(cTypeName(x.dtype)) + ", " +
                         std::string(cTypeName(y.dtype)) + ", " + function + ", " + rq.accumulator.type + ", " +
                         rq.accumulator.shift + ")");
  std::vector<std::string> args = {e.inputPtr(0), e.outputPtr(0)};
  for (const auto& p : parameterArgs(e.node())) args.push_back(p);
  args.insert(args.end(), rq.args.begin(), rq.args.end());
  e.statement(cCall(name, args));
}

// ---- Tiling: element-wise; the fusions read their requantization parameters as RequantShift does ----

TilingGeometry activationGeometry(const Graph& graph, const Node& node) { return elementwiseGeometry(graph, node); }

TilingGeometry requantizedActivationGeometry(const Graph& graph, const Node& node) {
  return requantGeometry(graph, node, 1, 2);
}

OpSchema activationSchema(const std::string& name) {
  return {name, inferActivation, evaluateActivation, emitActivation, nullptr, false, activationGeometry};
}

OpSchema requantizedActivationSchema(const std::string& name) {
  OpSchema s{name, inferRequantizedActivation, evaluateRequantizedActivation, emitRequantizedActivation, nullptr, false};
  s.tiling = requantizedActivationGeometry;
  return s;
}

const OpRegistrar registrar{activationSchema("iHardswish"), activationSchema("iGELU"),
                            requantizedActivationSchema("RQiHardswish"), requantizedActivationSchema("RQiGELU")};

}  // namespace

}  // namespace deeploy
