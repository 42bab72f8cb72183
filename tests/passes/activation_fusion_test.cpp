// Float activation fusion: which products and activations fuse, that the fused node computes what the
// unfused pair does (reference interpreter, generated C untiled and tiled), and what must stay apart.
#include <gtest/gtest.h>

#include <cmath>

#include "ops/fused_activation.h"
#include "ops/interpreter.h"
#include "passes/activation_fusion.h"
#include "passes/type_inference.h"
#include "tests/support/single_node.h"
#include "tests/support/tensors.h"
#include "tests/support/graph_builder.h"
#include "tools/driver.h"

namespace deeploy {
namespace {

using namespace testing;

std::vector<std::string> ops(const Graph& g) {
  std::vector<std::string> result;
  for (const Node& n : g.nodes) result.push_back(n.op);
  return result;
}

std::vector<TensorData> runC(const GraphBuilder& b, const Platform& platform = hostPlatform()) {
  CompiledModel model;
  model.platform = platform;
  model.graph = b.graph;
  model.inputs = b.values;
  compileGraph(model, "activation fusion test");
  return runOnHost(model);
}

// An activation applied to `x` (a float32 tensor of the builder).
struct Activation {
  std::string op;
  Attributes attrs;
  std::vector<double> clipBounds;  // Clip: constant min and max inputs (NAN: omitted)
};

TensorId applyActivation(GraphBuilder& b, TensorId x, const Activation& a) {
  std::vector<TensorId> inputs = {x};
  for (size_t i = 0; i < a.clipBounds.size(); ++i) {
    inputs.push_back(std::isnan(a.clipBounds[i]) ? kNoTensor
                                                  : b.constant(i == 0 ? "min" : "max", floats({}, {a.clipBounds[i]})));
  }
  return b.node(a.op, inputs, a.attrs);
}

std::vector<Activation> activations() {
  return {{"Relu", {}, {}},
          {"Clip", {}, {0.0, 6.0}},
          {"Clip", {}, {NAN, 1.5}},
          {"Clip", attributes({{"min", -0.5}}), {}},  // opset < 11: bounds as attributes
          {"LeakyRelu", attributes({{"alpha", 0.25}}), {}},
          {"HardSigmoid", attributes({{"alpha", 0.3}, {"beta", 0.4}}), {}},
          {"HardSwish", {}, {}},
          {"Sigmoid", {}, {}}};
}

// A float product reading the builder's first input.
using Product = TensorId (*)(GraphBuilder& b, TensorId x);

TensorId im2colConv(GraphBuilder& b, TensorId x) {
  return b.node("Conv", {x, b.constant("w", floatPattern({4, 3, 3, 3}, 2)), b.constant("bias", floatPattern({4}, 3))},
                attributes({{"pads", std::vector<int64_t>{1, 1, 1, 1}}}));
}
TensorId depthwiseConv(GraphBuilder& b, TensorId x) {
  return b.node("Conv", {x, b.constant("w", floatPattern({3, 1, 3, 3}, 2))},
                attributes({{"group", int64_t{3}}, {"strides", std::vector<int64_t>{2, 2}}}));
}
TensorId gemmWithC(GraphBuilder& b, TensorId x) {  // x [1, 3, 6, 6] seen as [18, 6]
  TensorId rows = b.node("Reshape", {x, b.constant("shape", int64s({18, 6}))});
  return b.node("Gemm", {rows, b.constant("w", floatPattern({5, 6}, 2)), b.constant("c", floatPattern({5}, 3))},
                attributes({{"transB", int64_t{1}}, {"alpha", 0.5}, {"beta", 2.0}}));
}
TensorId matMulOfRuntimeOperands(GraphBuilder& b, TensorId x) {  // x [1, 3, 6, 6] times itself: the NN kernel
  return b.node("MatMul", {x, x});
}

// Fuses the builder's graph (one fusion, leaving `remaining`), checks the reference of the fused graph
// against the unfused one, and the generated C of the fused graph against the unfused graph's C (the
// activation's input also made a graph output, which keeps the pair apart) and the reference.
void expectFusedEqualsUnfused(const GraphBuilder& b, const std::vector<std::string>& remaining, const std::string& what) {
  Graph unfused = b.graph;
  inferTypes(unfused);
  const std::vector<TensorData> want = interpretGraph(unfused, b.values);
  Graph fused = b.graph;
  inferTypes(fused);
  EXPECT_EQ(fuseFloatActivations(fused), 1) << what;
  EXPECT_EQ(ops(fused), remaining) << what;
  EXPECT_TRUE(hasFusedActivation(fused.nodes.back())) << what;
  EXPECT_TRUE(interpretGraph(fused, b.values) == want) << what;

  const std::vector<TensorData> got = runC(b);
  GraphBuilder apart = b;
  apart.output(apart.graph.nodes.back().inputs[0]);
  const std::vector<TensorData> unfusedC = runC(apart);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_TRUE(got[0] == unfusedC[0]) << what;
  expectNear(got[0], want[0], 1e-5);
}

TEST(ActivationFusion, EveryActivationFusesIntoEveryFloatProduct) {
  const std::vector<std::pair<Product, std::vector<std::string>>> products = {
      {im2colConv, {"Conv"}}, {depthwiseConv, {"Conv"}}, {gemmWithC, {"Reshape", "Gemm"}}, {matMulOfRuntimeOperands, {"MatMul"}}};
  for (const auto& [product, remaining] : products) {
    for (const Activation& a : activations()) {
      GraphBuilder b;
      TensorId x = b.input("x", floatPattern({1, 3, 6, 6}));
      b.output(applyActivation(b, product(b, x), a));
      expectFusedEqualsUnfused(b, remaining, remaining.back() + " + " + a.op);
    }
  }
}

TEST(ActivationFusion, ClipBoundsBecomeAttributes) {
  GraphBuilder b;
  TensorId x = b.input("x", floatPattern({1, 3, 6, 6}));
  b.output(applyActivation(b, im2colConv(b, x), {"Clip", {}, {NAN, 1.5}}));
  inferTypes(b.graph);
  ASSERT_EQ(fuseFloatActivations(b.graph), 1);
  const Attributes& attrs = b.graph.nodes[0].attrs;
  EXPECT_EQ(attrs.getString("activation", ""), "Clip");
  EXPECT_FALSE(attrs.has("activation_min"));
  EXPECT_EQ(attrs.getFloat("activation_max"), 1.5);
}

// A Conv whose output `y` the test reads further.
GraphBuilder convThenRelu(TensorId& y, TensorId& relu) {
  GraphBuilder b;
  TensorId x = b.input("x", floatPattern({1, 3, 6, 6}));
  y = im2colConv(b, x);
  relu = b.node("Relu", {y});
  return b;
}

TEST(ActivationFusion, AProductOutputReadElsewhereStays) {
  TensorId y = kNoTensor, relu = kNoTensor;
  GraphBuilder readTwice = convThenRelu(y, relu);
  readTwice.output(readTwice.node("Add", {relu, y}));
  inferTypes(readTwice.graph);
  EXPECT_EQ(fuseFloatActivations(readTwice.graph), 0);
  EXPECT_EQ(ops(readTwice.graph), (std::vector<std::string>{"Conv", "Relu", "Add"}));

  GraphBuilder visible = convThenRelu(y, relu);
  visible.output(relu);
  visible.output(y);
  inferTypes(visible.graph);
  EXPECT_EQ(fuseFloatActivations(visible.graph), 0);
}

TEST(ActivationFusion, IntegerProductsAndRunTimeClipBoundsStay) {
  GraphBuilder integer;
  TensorId x = integer.input("x", pattern(DType::Int8, {2, 4}, -128, 127));
  integer.output(integer.node("Relu", {integer.node("MatMul", {x, integer.constant("w", pattern(DType::Int8, {4, 3}, -128, 127))})}));
  inferTypes(integer.graph);
  EXPECT_EQ(fuseFloatActivations(integer.graph), 0);
  EXPECT_EQ(ops(integer.graph), (std::vector<std::string>{"MatMul", "Relu"}));

  GraphBuilder runtimeMin;
  x = runtimeMin.input("x", floatPattern({1, 3, 6, 6}));
  TensorId min = runtimeMin.input("min", floats({}, {0.25}));
  runtimeMin.output(runtimeMin.node("Clip", {im2colConv(runtimeMin, x), min}));
  inferTypes(runtimeMin.graph);
  EXPECT_EQ(fuseFloatActivations(runtimeMin.graph), 0);
  EXPECT_EQ(ops(runtimeMin.graph), (std::vector<std::string>{"Conv", "Clip"}));
}

TEST(ActivationFusion, OnlyProductKernelsTakeAnActivation) {
  GraphBuilder b;
  TensorId x = b.input("x", floatPattern({2, 3}));
  Attributes fused = attributes({{"activation", std::string("Relu")}});
  b.output(b.node("Add", {x, x}, fused));
  EXPECT_THROW(inferTypes(b.graph), Error);
}

TEST(ActivationFusion, TiledProductsApplyTheActivationInEveryTile) {
  GraphBuilder b;
  TensorId x = b.input("x", floatPattern({1, 3, 16, 16}));
  b.output(applyActivation(b, im2colConv(b, x), {"Clip", {}, {0.0, 1.0}}));
  Graph reference = b.graph;
  inferTypes(reference);
  const std::vector<TensorData> want = interpretGraph(reference, b.values);
  Platform siracusa = builtinPlatform("siracusa");
  overrideLevelSize(siracusa, "L1", 2000);
  CompiledModel model;
  model.platform = siracusa;
  model.graph = b.graph;
  model.inputs = b.values;
  compileGraph(model, "tiled activation fusion test");
  ASSERT_EQ(model.network.tiledNodes.size(), 1u);
  EXPECT_GT(model.network.tiledNodes[0].tiles, 1u);
  expectNear(runOnHost(model)[0], want[0], 1e-5);
}

}  // namespace
}  // namespace deeploy
