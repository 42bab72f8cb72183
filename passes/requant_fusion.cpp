#include "passes/requant_fusion.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

#include "ops/linalg.h"
#include "passes/sole_reader.h"

namespace deeploy {

namespace {

// A constant term, broadcast against the product's output, that joins the requantized value.
struct Term {
  TensorData value;
  int64_t scale = 1;
};

// The fused node and the nodes it replaces besides the RequantShift (the product, the bias Add).
struct Fusion {
  Node node;
  std::vector<int> absorbed;
};

bool fitsInt32(int64_t v) {
  return v >= std::numeric_limits<int32_t>::min() && v <= std::numeric_limits<int32_t>::max();
}

const TensorData* integralConstant(const Graph& graph, TensorId id) {
  if (id == kNoTensor) return nullptr;
  const Tensor& t = graph.tensor(id);
  return t.isConstant() && t.constant->allIntegral() ? &*t.constant : nullptr;
}

bool broadcastsInto(const Shape& shape, const Shape& out) {
  if (shape.size() > out.size()) return false;
  for (size_t d = 0; d < shape.size(); ++d) {
    int64_t target = out[out.size() - shape.size() + d];
    if (shape[d] != 1 && shape[d] != target) return false;
  }
  return true;
}

// The smallest shape (of out's rank) into which all shapes broadcast.
Shape jointShape(const std::vector<Shape>& shapes, const Shape& out) {
  Shape joint(out.size(), 1);
  for (const Shape& s : shapes) {
    for (size_t d = 0; d < s.size(); ++d) {
      size_t axis = out.size() - s.size() + d;
      joint[axis] = std::max(joint[axis], s[d]);
    }
  }
  return joint;
}

class FusionPlanner {
 public:
  FusionPlanner(Graph& graph, const std::vector<std::vector<int>>& consumers) : graph_(graph), consumers_(consumers) {}

  // The fusion ending in node `requantIndex` if it is a fusable RequantShift.
  std::optional<Fusion> plan(size_t requantIndex) {
    const Node& requant = graph_.nodes[requantIndex];
    if (requant.op != "RequantShift" || requant.inputs.size() != 3 || requant.outputs.size() != 1) return std::nullopt;
    const TensorData *mul = integralConstant(graph_, requant.inputs[1]), *add = integralConstant(graph_, requant.inputs[2]);
    if (!mul || !add || !supportedRequant(requant.attrs)) return std::nullopt;

    int producer = graph_.producerOf(requant.inputs[0]);
    int biasAdd = -1;
    std::vector<Term> terms;
    if (producer >= 0 && graph_.nodes[static_cast<size_t>(producer)].op == "Add") {
      biasAdd = producer;
      producer = absorbBiasAdd(graph_.nodes[static_cast<size_t>(biasAdd)], terms);
    }
    if (producer < 0) return std::nullopt;
    const Node& product = graph_.nodes[static_cast<size_t>(producer)];
    if (!isFusableProduct(product) || soleReader(graph_, consumers_, product.outputs[0]) != (biasAdd >= 0 ? biasAdd : static_cast<int>(requantIndex))) {
      return std::nullopt;
    }
    if (biasAdd >= 0 && soleReader(graph_, consumers_, graph_.nodes[static_cast<size_t>(biasAdd)].outputs[0]) != static_cast<int>(requantIndex)) {
      return std::nullopt;
    }
    const Shape out = graph_.tensor(product.outputs[0]).shape;
    int64_t alpha = 1;
    if (!addProductTerms(product, out, terms, alpha)) return std::nullopt;

    std::optional<Shape> mulShape = requantParameterShape(mul->shape(), out), addShape = requantParameterShape(add->shape(), out);
    if (!mulShape || !addShape) return std::nullopt;
    for (const Term& t : terms) {
      if (!broadcastsInto(t.value.shape(), out)) return std::nullopt;
    }
    auto folded = foldParameters(mul->reshaped(*mulShape), add->reshaped(*addShape), terms, alpha, out, requant.attrs);
    if (!folded) return std::nullopt;
    if (product.op == "Conv" && (!isPerChannel(folded->first.shape(), out) || !isPerChannel(folded->second.shape(), out))) {
      return std::nullopt;
    }
    Fusion fusion{fusedNode(product, requant, std::move(folded->first), std::move(folded->second)), {producer}};
    if (biasAdd >= 0) fusion.absorbed.push_back(biasAdd);
    return fusion;
  }

 private:
  static bool supportedRequant(const Attributes& attrs) {
    try {
      readKernelRequant(attrs, [](const std::string& message) { throw Error(message); });
      return true;
    } catch (const Error&) {
      return false;
    }
  }

  // For an Add of a constant integer bias and a computed tensor: records the bias and returns the
  // producer of the computed tensor (-1 if the Add is not such a bias Add).
  int absorbBiasAdd(const Node& add, std::vector<Term>& terms) const {
    if (add.inputs.size() != 2 || add.outputs.size() != 1) return -1;
    for (size_t side : {0, 1}) {
      const TensorData* bias = integralConstant(graph_, add.inputs[side]);
      TensorId computed = add.inputs[1 - side];
      if (!bias || graph_.tensor(computed).isConstant()) continue;
      const Tensor& sum = graph_.tensor(add.outputs[0]);
      if (sum.dtype != DType::Int32 || sum.shape != graph_.tensor(computed).shape) return -1;
      terms.push_back({*bias, 1});
      return graph_.producerOf(computed);
    }
    return -1;
  }

  bool isFusableProduct(const Node& product) const {
    if (product.op != "MatMul" && product.op != "Gemm" && product.op != "Conv") return false;
    if (product.inputs.size() < 2 || product.outputs.size() != 1 || graph_.tensor(product.outputs[0]).dtype != DType::Int32) return false;
    for (size_t i : {0, 1}) {
      DType t = graph_.tensor(product.inputs[i]).dtype;
      if (!isInteger(t) || t == DType::Bool) return false;
    }
    return true;
  }

  // Gemm's alpha, beta * C and Conv's bias; false when they cannot be folded (C or bias not constant).
  bool addProductTerms(const Node& product, const Shape& out, std::vector<Term>& terms, int64_t& alpha) const {
    bool hasBias = product.inputs.size() > 2 && product.inputs[2] != kNoTensor;
    const TensorData* bias = hasBias ? integralConstant(graph_, product.inputs[2]) : nullptr;
    if (hasBias && !bias) return false;
    if (product.op == "Gemm") {
      double a = product.attrs.getFloat("alpha", 1.0), b = product.attrs.getFloat("beta", 1.0);
      if (std::nearbyint(a) != a || std::nearbyint(b) != b || !fitsInt32(static_cast<int64_t>(a)) ||
          !fitsInt32(static_cast<int64_t>(b))) {
        return false;
      }
      alpha = static_cast<int64_t>(a);
      if (bias) terms.push_back({*bias, static_cast<int64_t>(b)});
    } else if (product.op == "Conv" && bias) {
      Shape perChannel(out.size() - 1, 1);
      perChannel[0] = bias->size();
      terms.push_back({bias->reshaped(perChannel), 1});
    }
    return true;
  }

  // mul' = alpha * mul and add' = add + mul * sum(scale * term), as int32 constants; nothing when a
  // value (add' with the rounding term included) leaves int32.
  static std::optional<std::pair<TensorData, TensorData>> foldParameters(const TensorData& mul, const TensorData& add,
                                                                        const std::vector<Term>& terms, int64_t alpha,
                                                                        const Shape& out, const Attributes& attrs) {
    TensorData newMul(DType::Int32, mul.shape());
    for (int64_t i = 0; i < mul.size(); ++i) {
      int64_t v = alpha * mul.getInt(i);
      if (!fitsInt32(v)) return std::nullopt;
      newMul.setInt(i, v);
    }
    std::vector<Shape> shapes = {add.shape()};
    if (!terms.empty()) shapes.push_back(mul.shape());
    for (const Term& t : terms) shapes.push_back(t.value.shape());
    Shape shape = terms.empty() ? add.shape() : jointShape(shapes, out);
    TensorData newAdd(DType::Int32, shape);
    auto at = [&](const TensorData& param, int64_t index) {
      return param.getInt(broadcastOffset(index, shape, broadcastStrides(param.shape(), shape)));
    };
    int64_t rounding = readRequantAttributes(attrs).rounding();
    for (int64_t i = 0; i < newAdd.size(); ++i) {
      int64_t extra = 0;
      for (const Term& t : terms) extra += t.scale * at(t.value, i);
      int64_t v = at(add, i) + (terms.empty() ? 0 : at(mul, i) * extra);
      if (!fitsInt32(v) || !fitsInt32(v + rounding)) return std::nullopt;
      newAdd.setInt(i, v);
    }
    return std::pair{std::move(newMul), std::move(newAdd)};
  }

  Node fusedNode(const Node& product, const Node& requant, TensorData mul, TensorData add) {
    Node fused;
    fused.name = product.name;
    fused.op = product.op == "MatMul" ? "RQMatMul" : product.op == "Gemm" ? "RQGemm" : "RQConv";
    fused.domain = product.domain;
    TensorId mulId = graph_.addConstant(requant.name + "_mul", std::move(mul));
    TensorId addId = graph_.addConstant(requant.name + "_add", std::move(add));
    fused.inputs = {product.inputs[0], product.inputs[1], mulId, addId};
    fused.outputs = requant.outputs;
    if (product.op == "Conv") fused.attrs = product.attrs;
    if (product.op == "Gemm") {
      fused.attrs.set("transA", product.attrs.getInt("transA", 0));
      fused.attrs.set("transB", product.attrs.getInt("transB", 0));
    }
    for (const auto& [name, value] : requant.attrs.all()) fused.attrs.set(name, value);
    return fused;
  }

  Graph& graph_;
  const std::vector<std::vector<int>>& consumers_;
};

}  // namespace

int fuseRequantization(Graph& graph) {
  auto consumers = graph.consumers();
  std::vector<bool> remove(graph.nodes.size(), false);
  FusionPlanner planner(graph, consumers);
  int fused = 0;
  for (size_t n = 0; n < graph.nodes.size(); ++n) {
    auto plan = planner.plan(n);
    if (!plan) continue;
    for (int absorbed : plan->absorbed) remove[static_cast<size_t>(absorbed)] = true;
    graph.nodes[n] = std::move(plan->node);
    const OpSchema& schema = OpRegistry::instance().get(graph.nodes[n]);
    InferContext ctx(graph, graph.nodes[n]);
    schema.infer(ctx);
    ++fused;
  }
  graph.removeNodes(remove);
  return fused;
}

}  // namespace deeploy
