// Element-wise nodes computed in place: the output takes the buffer of an input that dies at the node
// (memory/activation_memory), only when that is safe, and the generated C still computes the reference.
#include <gtest/gtest.h>

#include "memory/activation_memory.h"
#include "ops/interpreter.h"
#include "passes/type_inference.h"
#include "tests/support/single_node.h"
#include "tests/support/tensors.h"
#include "tests/support/graph_builder.h"
#include "tools/driver.h"

namespace deeploy {
namespace {

using namespace testing;

// Types the builder's graph and plans its arena.
ActivationMemory plan(GraphBuilder& b) {
  inferTypes(b.graph);
  return planActivationMemory(b.graph, *makeDefaultPlanner(), 8);
}

bool shareBuffer(const ActivationMemory& mem, TensorId a, TensorId b) {
  return mem.bufferOfTensor[static_cast<size_t>(a)] == mem.bufferOfTensor[static_cast<size_t>(b)];
}

// The generated C of the builder's graph computes what the reference interpreter does (floats within
// 1e-6: the reference computes in double).
void expectCMatchesReference(const GraphBuilder& b) {
  Graph reference = b.graph;
  runMidend(reference);
  const std::vector<TensorData> want = interpretGraph(reference, b.values);
  CompiledModel model;
  model.graph = b.graph;
  model.inputs = b.values;
  compileGraph(model, "in-place test");
  const std::vector<TensorData> got = runOnHost(model);
  ASSERT_EQ(got.size(), want.size());
  for (size_t o = 0; o < got.size(); ++o) expectNear(got[o], want[o], 1e-6);
}

// x -> Neg -> a -> op(a, ...) -> y: `a` dies at op unless the test reads it later.
TEST(InPlace, AUnaryChainRunsInOneBuffer) {
  GraphBuilder b;
  TensorId x = b.input("x", floatPattern({4, 5}));
  TensorId a = b.node("Neg", {x});
  TensorId r = b.node("Relu", {a});
  TensorId s = b.node("Sigmoid", {r});
  b.output(s);
  ActivationMemory mem = plan(b);
  EXPECT_FALSE(shareBuffer(mem, x, a));  // a graph input keeps its buffer
  EXPECT_TRUE(shareBuffer(mem, a, r));
  EXPECT_TRUE(shareBuffer(mem, r, s));
  EXPECT_EQ(mem.plan.arenaSize, 2u * 80);
  expectCMatchesReference(b);
}

TEST(InPlace, AnInputReadLaterKeepsItsBuffer) {
  GraphBuilder b;
  TensorId x = b.input("x", floatPattern({4, 5}));
  TensorId a = b.node("Neg", {x});
  TensorId r = b.node("Relu", {a});
  TensorId sum = b.node("Add", {r, a});  // a is still read here: Relu must not overwrite it
  b.output(sum);
  ActivationMemory mem = plan(b);
  EXPECT_FALSE(shareBuffer(mem, a, r));
  EXPECT_TRUE(shareBuffer(mem, r, sum) || shareBuffer(mem, a, sum));  // both die at the Add
  expectCMatchesReference(b);
}

TEST(InPlace, AViewOfALaterReadInputKeepsItsBuffer) {
  GraphBuilder b;
  TensorId x = b.input("x", floatPattern({4, 5}));
  TensorId a = b.node("Neg", {x});
  TensorId view = b.node("Reshape", {a, b.constant("shape", int64s({20}))});
  TensorId r = b.node("Relu", {view});
  b.output(r);
  b.output(b.node("Abs", {a}));  // reads the viewed buffer after the Relu
  ActivationMemory mem = plan(b);
  EXPECT_TRUE(shareBuffer(mem, a, view));
  EXPECT_FALSE(shareBuffer(mem, view, r));
  expectCMatchesReference(b);
}

TEST(InPlace, BroadcastingTakesOnlyAnOperandOfTheOutputsShape) {
  GraphBuilder b;
  TensorId x = b.input("x", floatPattern({3, 4}));
  TensorId row = b.node("Neg", {b.input("row", floatPattern({1, 4}, 2))});
  TensorId full = b.node("Abs", {x});
  TensorId sum = b.node("Mul", {row, full});  // row dies here but is broadcast: only full can be taken
  b.output(sum);
  ActivationMemory mem = plan(b);
  EXPECT_FALSE(shareBuffer(mem, row, sum));
  EXPECT_TRUE(shareBuffer(mem, full, sum));
  expectCMatchesReference(b);
}

TEST(InPlace, OtherTypesAndGraphInputsKeepTheirBuffers) {
  GraphBuilder b;
  TensorId x = b.input("x", pattern(DType::Int8, {2, 8}, -128, 127));
  TensorId y = b.input("y", pattern(DType::Int8, {2, 8}, -128, 127, 2));
  TensorId sum = b.node("Add", {x, y});  // int8 + int8 -> int32: another size
  TensorId r = b.node("Relu", {sum});
  b.output(r);
  ActivationMemory mem = plan(b);
  EXPECT_FALSE(shareBuffer(mem, x, sum));
  EXPECT_FALSE(shareBuffer(mem, y, sum));
  EXPECT_TRUE(shareBuffer(mem, sum, r));
  expectCMatchesReference(b);
}

TEST(InPlace, TiledElementWiseNodesComputeInPlace) {
  GraphBuilder b;
  TensorId x = b.input("x", floatPattern({8, 300}));
  TensorId a = b.node("Neg", {x});
  TensorId c = b.node("Clip", {a, b.constant("lo", floats({}, {-1.0})), b.constant("hi", floats({}, {2.0}))});
  TensorId sum = b.node("Add", {c, b.constant("bias", floatPattern({300}, 3))});
  b.output(sum);
  Graph reference = b.graph;
  runMidend(reference);
  const std::vector<TensorData> want = interpretGraph(reference, b.values);
  Platform siracusa = builtinPlatform("siracusa");
  overrideLevelSize(siracusa, "L1", 4000);
  CompiledModel model;
  model.platform = siracusa;
  model.graph = b.graph;
  model.inputs = b.values;
  compileGraph(model, "tiled in-place test");
  // The Clip runs in the Neg's tiles (a never reaches the arena), the Add on its own, in place.
  EXPECT_TRUE(shareBuffer(model.network.memory, c, sum));
  ASSERT_EQ(model.network.tiledNodes.size(), 2u);
  EXPECT_GT(model.network.tiledNodes[1].tiles, 1u);
  expectNear(runOnHost(model)[0], want[0], 1e-6);
}

// x -> Neg -> a -> depthwise Conv (3x3, pads 1, `stride`) -> y: whether y may start where a does.
struct DepthwiseCase {
  GraphBuilder b;
  TensorId a = kNoTensor, y = kNoTensor;
};

DepthwiseCase depthwiseAfterNeg(int64_t stride) {
  DepthwiseCase c;
  TensorId x = c.b.input("x", floatPattern({1, 3, 9, 8}));
  c.a = c.b.node("Neg", {x});
  Attributes attrs;
  attrs.set("group", int64_t{3});
  attrs.set("pads", std::vector<int64_t>{1, 1, 1, 1});
  attrs.set("strides", std::vector<int64_t>{stride, stride});
  c.y = c.b.node("Conv", {c.a, c.b.constant("w", floatPattern({3, 1, 3, 3}, 5))}, attrs);
  c.b.output(c.y);
  return c;
}

CompiledModel compiledOn(const GraphBuilder& b, int cores) {
  CompiledModel model;
  model.graph = b.graph;
  model.inputs = b.values;
  model.cores = cores;
  compileGraph(model, "overlap test");
  return model;
}

TEST(InPlace, AStridedDepthwiseConvStoresOverItsDyingInputOnOneCore) {
  DepthwiseCase strided = depthwiseAfterNeg(2);
  CompiledModel one = compiledOn(strided.b, 1);
  EXPECT_TRUE(shareBuffer(one.network.memory, strided.a, strided.y));
  expectCMatchesReference(strided.b);
  // Split among cores, a core would store over input rows another core still reads.
  CompiledModel two = compiledOn(strided.b, 2);
  EXPECT_FALSE(shareBuffer(two.network.memory, strided.a, strided.y));
}

TEST(InPlace, AnUnstridedDepthwiseConvKeepsItsOwnBuffer) {
  // Output (c, r, 0) would overwrite input (c, r, 0), which output (c, r + 1, 0) still reads.
  DepthwiseCase unstrided = depthwiseAfterNeg(1);
  CompiledModel one = compiledOn(unstrided.b, 1);
  EXPECT_FALSE(shareBuffer(one.network.memory, unstrided.a, unstrided.y));
  expectCMatchesReference(unstrided.b);
}

}  // namespace
}  // namespace deeploy
