#include "ops/fused_activation.h"

#include <cmath>

#include "codegen/c_literals.h"
#include "ops/op_helpers.h"

namespace deeploy {

namespace {

constexpr const char* kActivation = "activation";
constexpr const char* kPrefix = "activation_";

// A float attribute of the activation, passed to the kernel's element function in declaration order.
struct ActivationParam {
  const char* attribute;
  double fallback;  // the operator's default
};

struct FusableActivation {
  const char* op;
  const char* stem;  // of the element function dp_act_<stem> and of the activated kernel's name
  std::vector<ActivationParam> params;
};

const std::vector<FusableActivation>& fusableActivations() {
  static const std::vector<FusableActivation> activations = {
      {"Relu", "relu", {}},
      {"Clip", "clip", {{"min", -INFINITY}, {"max", INFINITY}}},
      {"LeakyRelu", "leaky_relu", {{"alpha", 0.01}}},
      {"HardSigmoid", "hard_sigmoid", {{"alpha", 0.2}, {"beta", 0.5}}},
      {"HardSwish", "hard_swish", {}},
      {"Sigmoid", "sigmoid", {}},
  };
  return activations;
}

const FusableActivation* findActivation(const std::string& op) {
  for (const FusableActivation& a : fusableActivations()) {
    if (op == a.op) return &a;
  }
  return nullptr;
}

const FusableActivation& activationOf(const Node& node) {
  const std::string op = node.attrs.getString(kActivation, "");
  const FusableActivation* activation = findActivation(op);
  if (!activation) throw Error(node.describe() + ": unknown fused activation '" + op + "'");
  return *activation;
}

// The activation as a node of its own, reading the product's output, for its operator's reference.
Node activationNode(const Node& product) {
  Node activation;
  activation.name = product.name + "_activation";
  activation.op = activationOf(product).op;
  const std::string prefix = kPrefix;
  for (const auto& [name, value] : product.attrs.all()) {
    if (name.rfind(prefix, 0) == 0) activation.attrs.set(name.substr(prefix.size()), value);
  }
  return activation;
}

// The value of a Clip bound: absent, a constant input or the attribute (opset < 11); nullopt at run time.
std::optional<std::optional<double>> constantClipBound(const Graph& graph, const Node& clip, size_t input,
                                                       const std::string& attribute) {
  if (input < clip.inputs.size() && clip.inputs[input] != kNoTensor) {
    const Tensor& bound = graph.tensor(clip.inputs[input]);
    if (!bound.isConstant()) return std::nullopt;
    return std::optional<double>(bound.constant->getDouble(0));
  }
  if (clip.attrs.has(attribute)) return std::optional<double>(clip.attrs.getFloat(attribute));
  return std::optional<double>();
}

std::string floatLiteral(double v) {
  return cInitializerList(TensorData::fromDoubles(DType::Float32, {}, std::vector<double>{v}));
}

}  // namespace

std::optional<Attributes> fusedActivationAttributes(const Graph& graph, const Node& activation) {
  const FusableActivation* kind = findActivation(activation.op);
  if (!kind || activation.inputs.empty() || activation.outputs.size() != 1) return std::nullopt;
  if (graph.tensor(activation.inputs[0]).dtype != DType::Float32 ||
      graph.tensor(activation.outputs[0]).dtype != DType::Float32) {
    return std::nullopt;
  }
  Attributes attrs;
  attrs.set(kActivation, std::string(kind->op));
  for (size_t p = 0; p < kind->params.size(); ++p) {
    const std::string name = kind->params[p].attribute;
    std::optional<double> value;
    if (activation.op == "Clip") {
      auto bound = constantClipBound(graph, activation, p + 1, name);
      if (!bound) return std::nullopt;
      value = *bound;
    } else if (activation.attrs.has(name)) {
      value = activation.attrs.getFloat(name);
    }
    if (value) attrs.set(kPrefix + name, *value);
  }
  return attrs;
}

bool hasFusedActivation(const Node& node) { return node.attrs.has(kActivation); }

void checkFusedActivation(const InferContext& ctx, const OpSchema& schema) {
  ctx.require(schema.fusesActivation, "its kernel cannot apply a fused activation");
  ctx.require(ctx.graph().tensor(ctx.node().outputs.at(0)).dtype == DType::Float32,
              "a fused activation needs a float32 output");
  const FusableActivation& activation = readAttributes(ctx, [&]() -> const FusableActivation& {
    return activationOf(ctx.node());
  });
  readAttributes(ctx, [&] {
    for (const ActivationParam& p : activation.params) ctx.attrs().getFloat(kPrefix + std::string(p.attribute), p.fallback);
    return 0;
  });
}

void applyFusedActivation(const Node& node, TensorData& y) {
  const Node activation = activationNode(node);
  TensorData out(y.dtype(), y.shape());
  OpRegistry::instance().get(activation).evaluate(EvalArgs{activation, {&y}, {&out}});
  y = std::move(out);
}

std::vector<std::string> addActivationEpilogue(const KernelEmitter& e, ProductKernel& kernel) {
  if (!hasFusedActivation(e.node())) return {};
  const FusableActivation& activation = activationOf(e.node());
  if (e.output(0).dtype != DType::Float32) throw Error(e.node().describe() + ": a fused activation needs a float32 output");
  kernel.header = "kernels/activation_epilogue.h";
  kernel.macro += "_ACT";
  kernel.name += std::string("_") + activation.stem;
  kernel.macroArgs.push_back(std::string("dp_act_") + activation.stem);
  std::vector<std::string> params;
  for (const ActivationParam& p : activation.params) {
    params.push_back(floatLiteral(e.attrs().getFloat(kPrefix + std::string(p.attribute), p.fallback)));
  }
  params.resize(2, floatLiteral(0));
  return params;
}

}  // namespace deeploy
