// Element-wise unary operators: Sqrt, Exp, Tanh, Ceil, Floor, Round (ties to even), Neg, Abs,
// Reciprocal, and the activations Relu, LeakyRelu, Sigmoid, HardSigmoid, HardSwish, Swish and Gelu
// (com.microsoft's, and ONNX opset 20's with approximate = "none" | "tanh").
// Floats are float32: the reference computes in double and rounds to float32, the C kernels compute in
// float. Relu, Neg and Abs also take signed integers and keep the type (Neg and Abs wrap on the most
// negative value, as two's complement arithmetic does).
// Tiling: element-wise, every axis splittable.
#include <algorithm>
#include <cmath>

#include "codegen/c_literals.h"
#include "ops/op_helpers.h"

namespace deeploy {

namespace {

// A float attribute handed to the kernel, in declaration order.
struct FloatParam {
  const char* attribute;
  double fallback;
};

using Params = std::vector<double>;

struct UnaryDef {
  const char* name;  // the kernel name stem: dp_<name>_<type>
  std::vector<FloatParam> params;
  double (*reference)(double x, const Params& p);
  const char* floatElement;  // element function of kernels/unary.h
  // Signed integer support (null: float only).
  int64_t (*integerReference)(int64_t x) = nullptr;
  const char* integerElement = nullptr;
};

double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }
double hardSigmoid(double x, double alpha, double beta) { return std::clamp(alpha * x + beta, 0.0, 1.0); }
int64_t negate(int64_t x) { return static_cast<int64_t>(0u - static_cast<uint64_t>(x)); }

const UnaryDef kSqrt{"sqrt", {}, [](double x, const Params&) { return std::sqrt(x); }, "sqrtf"};
const UnaryDef kExp{"exp", {}, [](double x, const Params&) { return std::exp(x); }, "dp_exp_f"};
const UnaryDef kTanh{"tanh", {}, [](double x, const Params&) { return std::tanh(x); }, "tanhf"};
const UnaryDef kCeil{"ceil", {}, [](double x, const Params&) { return std::ceil(x); }, "ceilf"};
const UnaryDef kFloor{"floor", {}, [](double x, const Params&) { return std::floor(x); }, "floorf"};
const UnaryDef kRound{"round", {}, [](double x, const Params&) { return std::nearbyint(x); }, "dp_round_f"};
const UnaryDef kReciprocal{"reciprocal", {}, [](double x, const Params&) { return 1.0 / x; }, "dp_reciprocal_f"};
const UnaryDef kNeg{"neg", {}, [](double x, const Params&) { return -x; }, "dp_neg_f", negate, "DP_NEG_I"};
const UnaryDef kAbs{"abs", {}, [](double x, const Params&) { return std::fabs(x); }, "fabsf",
                    [](int64_t x) { return x < 0 ? negate(x) : x; }, "DP_ABS_I"};
const UnaryDef kRelu{"relu", {}, [](double x, const Params&) { return x < 0 ? 0.0 : x; }, "dp_relu_f",
                     [](int64_t x) { return x < 0 ? int64_t{0} : x; }, "DP_RELU_I"};
const UnaryDef kLeakyRelu{"leaky_relu", {{"alpha", 0.01}},
                          [](double x, const Params& p) { return x < 0 ? p[0] * x : x; }, "dp_leaky_relu_f"};
const UnaryDef kSigmoid{"sigmoid", {}, [](double x, const Params&) { return sigmoid(x); }, "dp_sigmoid_f"};
const UnaryDef kHardSigmoid{"hard_sigmoid", {{"alpha", 0.2}, {"beta", 0.5}},
                            [](double x, const Params& p) { return hardSigmoid(x, p[0], p[1]); }, "dp_hard_sigmoid_f"};
const UnaryDef kHardSwish{"hard_swish", {}, [](double x, const Params&) { return x * hardSigmoid(x, 1.0 / 6.0, 0.5); },
                          "dp_hard_swish_f"};
const UnaryDef kSwish{"swish", {{"alpha", 1.0}}, [](double x, const Params& p) { return x * sigmoid(p[0] * x); },
                      "dp_swish_f"};
const UnaryDef kGelu{"gelu", {}, [](double x, const Params&) { return 0.5 * x * (1.0 + std::erf(x / std::sqrt(2.0))); },
                     "dp_gelu_f"};
const UnaryDef kGeluTanh{"gelu_tanh", {},
                         [](double x, const Params&) {
                           constexpr double kScale = 0.79788456080286535588;  // sqrt(2 / pi)
                           return 0.5 * x * (1.0 + std::tanh(kScale * (x + 0.044715 * x * x * x)));
                         },
                         "dp_gelu_tanh_f"};

Params paramValues(const UnaryDef& def, const Attributes& attrs) {
  Params values;
  for (const FloatParam& p : def.params) values.push_back(attrs.getFloat(p.attribute, p.fallback));
  return values;
}

void inferUnary(const UnaryDef& def, InferContext& ctx) {
  ctx.requireInputs(1, 1);
  DType type = ctx.inputType(0);
  bool supported = type == DType::Float32 || (def.integerElement && isSignedInteger(type));
  if (!supported) {
    ctx.fail("takes " + std::string(def.integerElement ? "float32 or signed integer" : "float32") + " input, got " +
             std::string(dtypeName(type)));
  }
  readAttributes(ctx, [&] { return paramValues(def, ctx.attrs()); });
  ctx.setOutput(0, type, ctx.inputShape(0));
}

void evaluateUnary(const UnaryDef& def, const EvalArgs& args) {
  const TensorData& x = args.in(0);
  TensorData& y = args.out(0);
  if (isInteger(y.dtype())) {
    for (int64_t i = 0; i < y.size(); ++i) y.setInt(i, def.integerReference(x.getInt(i)));
    return;
  }
  Params p = paramValues(def, args.attrs());
  for (int64_t i = 0; i < y.size(); ++i) y.setDouble(i, def.reference(x.getDouble(i), p));
}

std::string floatLiteral(double v) { return cInitializerList(TensorData::fromDoubles(DType::Float32, {}, Params{v})); }

void emitUnary(const UnaryDef& def, KernelEmitter& e) {
  const Tensor& y = e.output(0);
  if (y.elementCount() == 0) return;
  bool integer = isInteger(y.dtype);
  std::string ctype(cTypeName(y.dtype));
  std::string name = "dp_" + std::string(def.name) + "_" + std::string(kernelSuffix(y.dtype));
  std::string element = integer ? def.integerElement : def.floatElement;
  Params params = integer ? Params{} : paramValues(def, e.attrs());
  static const char* macrosByParamCount[] = {"DP_DEFINE_UNARY(", "DP_DEFINE_UNARY_1P(", "DP_DEFINE_UNARY_2P("};
  std::string types = params.empty() ? ctype + ", " + ctype : ctype + ", float";
  e.include("kernels/unary.h");
  e.definition(name, macrosByParamCount[params.size()] + name + ", " + types + ", " + element + ")");
  std::vector<std::string> args = {e.inputPtr(0), e.outputPtr(0), std::to_string(y.elementCount())};
  for (double p : params) args.push_back(floatLiteral(p));
  e.statement(cCall(name, args));
}

TilingGeometry unaryGeometry(const Graph& graph, const Node& node) { return elementwiseGeometry(graph, node); }

OpSchema unarySchema(const std::string& op, const UnaryDef& def) {
  OpSchema s;
  s.name = op;
  s.infer = [&def](InferContext& ctx) { inferUnary(def, ctx); };
  s.evaluate = [&def](const EvalArgs& args) { evaluateUnary(def, args); };
  s.emit = [&def](KernelEmitter& e) { emitUnary(def, e); };
  s.tiling = unaryGeometry;
  s.computesInPlace = true;  // y[i] = f(x[i])
  return s;
}

// Gelu's `approximate` attribute (opset 20) picks the exact (erf) or the tanh form.
const UnaryDef& geluVariant(const Attributes& attrs) {
  std::string approximate = attrs.getString("approximate", "none");
  if (approximate == "none") return kGelu;
  if (approximate == "tanh") return kGeluTanh;
  throw Error("attribute 'approximate' must be \"none\" or \"tanh\", got \"" + approximate + "\"");
}

OpSchema geluSchema() {
  OpSchema s;
  s.name = "Gelu";
  s.infer = [](InferContext& ctx) {
    inferUnary(readAttributes(ctx, [&]() -> const UnaryDef& { return geluVariant(ctx.attrs()); }), ctx);
  };
  s.evaluate = [](const EvalArgs& args) { evaluateUnary(geluVariant(args.attrs()), args); };
  s.emit = [](KernelEmitter& e) { emitUnary(geluVariant(e.attrs()), e); };
  s.tiling = unaryGeometry;
  s.computesInPlace = true;
  return s;
}

const OpRegistrar registrar{
    unarySchema("Sqrt", kSqrt),
    unarySchema("Exp", kExp),
    unarySchema("Tanh", kTanh),
    unarySchema("Ceil", kCeil),
    unarySchema("Floor", kFloor),
    unarySchema("Round", kRound),
    unarySchema("Reciprocal", kReciprocal),
    unarySchema("Neg", kNeg),
    unarySchema("Abs", kAbs),
    unarySchema("Relu", kRelu),
    unarySchema("LeakyRelu", kLeakyRelu),
    unarySchema("Sigmoid", kSigmoid),
    unarySchema("HardSigmoid", kHardSigmoid),
    unarySchema("HardSwish", kHardSwish),
    unarySchema("Swish", kSwish),
    geluSchema(),
};

}  // namespace

}  // namespace deeploy
