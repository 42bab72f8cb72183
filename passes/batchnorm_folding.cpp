#include "passes/batchnorm_folding.h"

#include <algorithm>
#include <cmath>
#include <optional>

#include "ops/op_helpers.h"
#include "passes/sole_reader.h"

namespace deeploy {

namespace {

// The per-channel affine map of an inference-mode BatchNormalization: y = x * scale + shift.
struct ChannelAffine {
  std::vector<double> scale, shift;
};

const TensorData* float32Constant(const Graph& graph, const Node& node, size_t input) {
  if (input >= node.inputs.size() || node.inputs[input] == kNoTensor) return nullptr;
  const Tensor& t = graph.tensor(node.inputs[input]);
  return t.isConstant() && t.dtype == DType::Float32 ? &*t.constant : nullptr;
}

bool hasInput(const Node& node, size_t input) { return input < node.inputs.size() && node.inputs[input] != kNoTensor; }

// The BatchNormalization's map when its parameters are float32 constants and it has no training outputs.
std::optional<ChannelAffine> channelAffine(const Graph& graph, const Node& bn) {
  if (bn.inputs.size() != 5 || bn.attrs.getInt("training_mode", 0) != 0) return std::nullopt;
  if (std::any_of(bn.outputs.begin() + 1, bn.outputs.end(), [](TensorId t) { return t != kNoTensor; })) return std::nullopt;
  const TensorData *scale = float32Constant(graph, bn, 1), *bias = float32Constant(graph, bn, 2),
                   *mean = float32Constant(graph, bn, 3), *var = float32Constant(graph, bn, 4);
  if (!scale || !bias || !mean || !var) return std::nullopt;
  const double eps = bn.attrs.getFloat("epsilon", 1e-5);
  ChannelAffine affine;
  for (int64_t c = 0; c < scale->size(); ++c) {
    const double s = scale->getDouble(c) / std::sqrt(var->getDouble(c) + eps);
    affine.scale.push_back(s);
    affine.shift.push_back(bias->getDouble(c) - mean->getDouble(c) * s);
  }
  return affine;
}

// Whether the product computes in float32 from a constant weight (input 1) and an absent or constant bias
// (input 2), with one output channel per BatchNormalization channel along axis 1.
bool isFoldableProduct(const Graph& graph, const Node& product, size_t channels) {
  if (product.op != "Conv" && product.op != "Gemm") return false;
  if (product.outputs.size() != 1 || product.inputs.size() < 2) return false;
  const Tensor& y = graph.tensor(product.outputs[0]);
  if (y.dtype != DType::Float32 || graph.tensor(product.inputs[0]).dtype != DType::Float32) return false;
  if (!float32Constant(graph, product, 1) || (hasInput(product, 2) && !float32Constant(graph, product, 2))) return false;
  if (product.op == "Gemm" && y.shape.size() != 2) return false;  // a batched Gemm's axis 1 is its rows
  return y.shape.size() >= 2 && static_cast<size_t>(y.shape[1]) == channels;
}

// Conv: W [M, C/group, kernel...] scaled per output channel m; bias' = bias * s + shift.
void foldIntoConv(Graph& graph, Node& conv, const ChannelAffine& affine) {
  const TensorData& w = *graph.tensor(conv.inputs[1]).constant;
  const int64_t channels = static_cast<int64_t>(affine.scale.size()), perChannel = w.size() / channels;
  TensorData scaled(DType::Float32, w.shape());
  for (int64_t i = 0; i < w.size(); ++i) scaled.setDouble(i, w.getDouble(i) * affine.scale[static_cast<size_t>(i / perChannel)]);
  TensorData bias(DType::Float32, {channels});
  const TensorData* old = hasInput(conv, 2) ? &*graph.tensor(conv.inputs[2]).constant : nullptr;
  for (int64_t c = 0; c < channels; ++c) {
    const size_t k = static_cast<size_t>(c);
    bias.setDouble(c, (old ? old->getDouble(c) : 0.0) * affine.scale[k] + affine.shift[k]);
  }
  conv.inputs[1] = graph.addConstant(graph.tensor(conv.inputs[1]).name + "_bn", std::move(scaled));
  conv.inputs.resize(3, kNoTensor);
  conv.inputs[2] = graph.addConstant(conv.name + "_bn_bias", std::move(bias));
}

// Gemm with output [M, N]: op(B)'s column n scaled by s[n]; C' = beta * C * s + shift over C's shape
// broadcast with [N], and beta = 1.
void foldIntoGemm(Graph& graph, Node& gemm, const ChannelAffine& affine) {
  const TensorData& b = *graph.tensor(gemm.inputs[1]).constant;
  const bool transB = gemm.attrs.getInt("transB", 0) != 0;
  const int64_t n = static_cast<int64_t>(affine.scale.size());
  TensorData scaled(DType::Float32, b.shape());
  for (int64_t i = 0; i < b.size(); ++i) {
    const int64_t column = transB ? i / b.shape()[1] : i % n;
    scaled.setDouble(i, b.getDouble(i) * affine.scale[static_cast<size_t>(column)]);
  }
  const double beta = gemm.attrs.getFloat("beta", 1.0);
  const TensorData* c = hasInput(gemm, 2) ? &*graph.tensor(gemm.inputs[2]).constant : nullptr;
  const Shape shape = c ? broadcastShapes(c->shape(), {n}, failWithError(gemm)) : Shape{n};
  const auto cStrides = c ? broadcastStrides(c->shape(), shape) : std::vector<int64_t>{};
  TensorData bias(DType::Float32, shape);
  for (int64_t i = 0; i < bias.size(); ++i) {
    const size_t column = static_cast<size_t>(i % n);
    const double old = c ? beta * c->getDouble(broadcastOffset(i, shape, cStrides)) : 0.0;
    bias.setDouble(i, old * affine.scale[column] + affine.shift[column]);
  }
  gemm.inputs[1] = graph.addConstant(graph.tensor(gemm.inputs[1]).name + "_bn", std::move(scaled));
  gemm.inputs.resize(3, kNoTensor);
  gemm.inputs[2] = graph.addConstant(gemm.name + "_bn_bias", std::move(bias));
  gemm.attrs.set("beta", 1.0);
}

}  // namespace

int foldBatchNormalization(Graph& graph) {
  auto consumers = graph.consumers();
  std::vector<bool> remove(graph.nodes.size(), false);
  int folded = 0;
  for (size_t n = 0; n < graph.nodes.size(); ++n) {
    const Node& bn = graph.nodes[n];
    if (bn.op != "BatchNormalization" || bn.inputs.empty()) continue;
    const int producer = graph.producerOf(bn.inputs[0]);
    if (producer < 0 || soleReader(graph, consumers, bn.inputs[0]) != static_cast<int>(n)) continue;
    auto affine = channelAffine(graph, bn);
    Node& product = graph.nodes[static_cast<size_t>(producer)];
    if (!affine || !isFoldableProduct(graph, product, affine->scale.size())) continue;
    if (product.op == "Conv") {
      foldIntoConv(graph, product, *affine);
    } else {
      foldIntoGemm(graph, product, *affine);
    }
    product.outputs[0] = bn.outputs[0];
    InferContext ctx(graph, product);
    OpRegistry::instance().get(product).infer(ctx);
    remove[n] = true;
    ++folded;
  }
  graph.removeNodes(remove);
  return folded;
}

}  // namespace deeploy
