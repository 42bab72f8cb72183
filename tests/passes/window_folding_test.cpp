// BatchNormalization folded into the Conv or Gemm before it, and a zero Pad folded into the Conv or
// AveragePool after it: the graph changes only where the fold is exact, and the compiled program
// computes what the unfolded graph's reference does.
#include <gtest/gtest.h>

#include <cmath>

#include "ops/interpreter.h"
#include "passes/batchnorm_folding.h"
#include "passes/pad_folding.h"
#include "passes/type_inference.h"
#include "tests/support/single_node.h"
#include "tests/support/tensors.h"

namespace deeploy {
namespace {

using namespace testing;

// Builds small float graphs node by node; every node has one output named after it.
class GraphBuilder {
 public:
  GraphBuilder() { graph_.opset = 13; }

  TensorId input(const TensorData& value) {
    Tensor t;
    t.name = "x" + std::to_string(graph_.inputs.size());
    t.dtype = t.declaredType = value.dtype();
    t.shape = value.shape();
    TensorId id = graph_.addTensor(t);
    graph_.inputs.push_back(id);
    inputs_.push_back(value);
    return id;
  }
  TensorId constant(const TensorData& value) { return graph_.addConstant("c", value); }
  TensorId node(const std::string& op, std::vector<TensorId> inputs, Attributes attrs = {}) {
    Tensor t;
    t.name = op + "_" + std::to_string(graph_.nodes.size());
    TensorId out = graph_.addTensor(t);
    graph_.nodes.push_back(Node{t.name, op, "", std::move(inputs), {out}, std::move(attrs)});
    return out;
  }
  void output(TensorId id) { graph_.outputs.push_back(id); }

  const Graph& graph() const { return graph_; }
  const std::vector<TensorData>& inputs() const { return inputs_; }

 private:
  Graph graph_;
  std::vector<TensorData> inputs_;
};

// The graph's outputs by the reference interpreter, without any folding.
std::vector<TensorData> unfoldedReference(const GraphBuilder& b) {
  Graph g = b.graph();
  inferTypes(g);
  return interpretGraph(g, b.inputs());
}

// The graph compiled (the midend folds) and run on the host; `compiled` receives the graph.
std::vector<TensorData> compiledOutputs(const GraphBuilder& b, Graph* compiled = nullptr) {
  CompiledModel model;
  model.graph = b.graph();
  model.inputs = b.inputs();
  compileGraph(model, "folding test");
  if (compiled) *compiled = model.graph;
  return runOnHost(model);
}

int countOps(const Graph& g, const std::string& op) {
  int n = 0;
  for (const Node& node : g.nodes) n += node.op == op;
  return n;
}

void expectRelativelyNear(const TensorData& got, const TensorData& want, double rtol) {
  ASSERT_EQ(got.shape(), want.shape());
  for (int64_t i = 0; i < got.size(); ++i) {
    EXPECT_NEAR(got.getDouble(i), want.getDouble(i), rtol * std::max(1.0, std::fabs(want.getDouble(i)))) << "element " << i;
  }
}

TensorData positiveFloats(Shape shape, int64_t seed) {
  TensorData t = floatPattern(std::move(shape), seed);
  for (int64_t i = 0; i < t.size(); ++i) t.setDouble(i, std::fabs(t.getDouble(i)) + 0.25);
  return t;
}

// BatchNormalization over `channels` channels after `product`, with non-trivial parameters.
TensorId batchNorm(GraphBuilder& b, TensorId product, int64_t channels) {
  return b.node("BatchNormalization",
                {product, b.constant(floatPattern({channels}, 11)), b.constant(floatPattern({channels}, 12)),
                 b.constant(floatPattern({channels}, 13)), b.constant(positiveFloats({channels}, 14))},
                attributes({{"epsilon", 1e-3}}));
}

TEST(BatchNormFolding, ConvWithBiasTakesScaledWeightsAndShiftedBias) {
  GraphBuilder b;
  TensorData w = floatPattern({3, 2, 3, 3}, 2);
  TensorId conv = b.node("Conv", {b.input(floatPattern({1, 2, 5, 5}, 1)), b.constant(w), b.constant(floatPattern({3}, 3))},
                         attributes({{"pads", std::vector<int64_t>{1, 1, 1, 1}}}));
  b.output(batchNorm(b, conv, 3));
  Graph folded;
  auto got = compiledOutputs(b, &folded);
  EXPECT_EQ(countOps(folded, "BatchNormalization"), 0);
  ASSERT_EQ(countOps(folded, "Conv"), 1);
  // Channel 1's weights are scaled by scale / sqrt(var + eps).
  const Graph& g = b.graph();
  const TensorData &scale = *g.tensor(g.nodes[1].inputs[1]).constant, &var = *g.tensor(g.nodes[1].inputs[4]).constant;
  const double s = scale.getDouble(1) / std::sqrt(var.getDouble(1) + 1e-3);
  const TensorData& scaled = *folded.tensor(folded.nodes[0].inputs[1]).constant;
  EXPECT_EQ(scaled.getDouble(18 + 4), static_cast<double>(static_cast<float>(w.getDouble(18 + 4) * s)));
  expectRelativelyNear(got[0], unfoldedReference(b)[0], 1e-5);
}

TEST(BatchNormFolding, DepthwiseConvWithoutBiasGetsOne) {
  GraphBuilder b;
  TensorId conv = b.node("Conv", {b.input(floatPattern({1, 4, 6, 6}, 1)), b.constant(floatPattern({4, 1, 3, 3}, 2))},
                         attributes({{"group", int64_t{4}}}));
  b.output(batchNorm(b, conv, 4));
  Graph folded;
  auto got = compiledOutputs(b, &folded);
  EXPECT_EQ(countOps(folded, "BatchNormalization"), 0);
  ASSERT_EQ(folded.nodes[0].inputs.size(), 3u);
  EXPECT_TRUE(folded.tensor(folded.nodes[0].inputs[2]).isConstant());
  expectRelativelyNear(got[0], unfoldedReference(b)[0], 1e-5);
}

TEST(BatchNormFolding, GemmWithAndWithoutTransposedB) {
  for (int64_t transB : {0, 1}) {
    GraphBuilder b;
    Shape weights = transB ? Shape{5, 4} : Shape{4, 5};
    std::vector<TensorId> operands = {b.input(floatPattern({3, 4}, 1)), b.constant(floatPattern(weights, 2))};
    if (transB) operands.push_back(b.constant(floatPattern({5}, 3)));
    TensorId gemm = b.node("Gemm", operands, attributes({{"transB", transB}, {"beta", 0.5}, {"alpha", 2.0}}));
    b.output(batchNorm(b, gemm, 5));
    Graph folded;
    auto got = compiledOutputs(b, &folded);
    EXPECT_EQ(countOps(folded, "BatchNormalization"), 0) << "transB " << transB;
    expectRelativelyNear(got[0], unfoldedReference(b)[0], 1e-5);
  }
}

TEST(BatchNormFolding, ProductReadElsewhereOrRuntimeWeightsKeepTheBatchNorm) {
  GraphBuilder shared;
  TensorId conv = shared.node("Conv", {shared.input(floatPattern({1, 2, 4, 4}, 1)), shared.constant(floatPattern({2, 2, 1, 1}, 2))});
  shared.output(batchNorm(shared, conv, 2));
  shared.output(conv);
  Graph g = shared.graph();
  inferTypes(g);
  EXPECT_EQ(foldBatchNormalization(g), 0);

  GraphBuilder runtime;
  TensorId gemm = runtime.node("Gemm", {runtime.input(floatPattern({2, 3}, 1)), runtime.input(floatPattern({3, 2}, 2))});
  runtime.output(batchNorm(runtime, gemm, 2));
  Graph h = runtime.graph();
  inferTypes(h);
  EXPECT_EQ(foldBatchNormalization(h), 0);
  EXPECT_EQ(countOps(h, "BatchNormalization"), 1);
}

// Pad(x, pads) with an optional fill value, then `op` reading it.
GraphBuilder padThen(const std::string& op, std::vector<int64_t> pads, Attributes attrs, double fill = 0) {
  GraphBuilder b;
  std::vector<TensorId> padInputs = {b.input(floatPattern({1, 2, 5, 5}, 1)), b.constant(int64s(pads))};
  if (fill != 0) padInputs.push_back(b.constant(floats({1}, {fill})));
  TensorId padded = b.node("Pad", padInputs);
  std::vector<TensorId> inputs = {padded};
  if (op == "Conv") inputs.push_back(b.constant(floatPattern({3, 2, 3, 3}, 2)));
  b.output(b.node(op, inputs, std::move(attrs)));
  return b;
}

int foldedPads(const GraphBuilder& b) {
  Graph g = b.graph();
  inferTypes(g);
  return foldPadIntoWindows(g);
}

TEST(PadFolding, ZeroPadJoinsConvAndCountingAveragePool) {
  const std::vector<int64_t> pads = {0, 0, 1, 2, 0, 0, 2, 0};
  GraphBuilder conv = padThen("Conv", pads, attributes({{"pads", std::vector<int64_t>{1, 0, 0, 1}}}));
  Graph folded;
  auto got = compiledOutputs(conv, &folded);
  EXPECT_EQ(countOps(folded, "Pad"), 0);
  EXPECT_EQ(folded.nodes.at(0).attrs.getInts("pads"), (std::vector<int64_t>{2, 2, 2, 1}));
  expectRelativelyNear(got[0], unfoldedReference(conv)[0], 1e-5);

  GraphBuilder pool = padThen("AveragePool", pads, attributes({{"kernel_shape", std::vector<int64_t>{3, 3}}, {"count_include_pad", int64_t{1}}}));
  auto pooled = compiledOutputs(pool, &folded);
  EXPECT_EQ(countOps(folded, "Pad"), 0);
  expectRelativelyNear(pooled[0], unfoldedReference(pool)[0], 1e-5);
}

TEST(PadFolding, UnsafeCasesKeepThePad) {
  const std::vector<int64_t> pads = {0, 0, 1, 1, 0, 0, 1, 1};
  const Attributes window = attributes({{"kernel_shape", std::vector<int64_t>{2, 2}}});
  // MaxPool pads with -inf: a zero from Pad can win the max of a negative window.
  GraphBuilder maxPool = padThen("MaxPool", pads, window);
  EXPECT_EQ(foldedPads(maxPool), 0);
  Graph kept;
  auto got = compiledOutputs(maxPool, &kept);
  EXPECT_EQ(countOps(kept, "Pad"), 1);
  EXPECT_EQ(got[0], unfoldedReference(maxPool)[0]);
  // A non-zero fill value, an average that does not count padding, pads on the channel axis, negative pads.
  const Attributes counting = attributes({{"kernel_shape", std::vector<int64_t>{2, 2}}, {"count_include_pad", int64_t{1}}});
  EXPECT_EQ(foldedPads(padThen("Conv", pads, {}, 1.0)), 0);
  EXPECT_EQ(foldedPads(padThen("AveragePool", pads, window)), 0);
  EXPECT_EQ(foldedPads(padThen("AveragePool", {0, 1, 0, 0, 0, 0, 0, 0}, counting)), 0);
  EXPECT_EQ(foldedPads(padThen("AveragePool", {0, 0, -1, 0, 0, 0, 1, 1}, counting)), 0);
  EXPECT_EQ(foldedPads(padThen("AveragePool", pads, counting)), 1);
}

}  // namespace
}  // namespace deeploy
