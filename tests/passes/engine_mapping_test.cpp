// Engine mapping: which products the NPU can run and how they are described to it, the NPU's timing model
// and weight layout, and the choice between the cores and the NPU under each --npu policy.
#include <gtest/gtest.h>

#include "ir/error.h"
#include "ops/npu_conv.h"
#include "passes/engine_mapping.h"
#include "passes/type_inference.h"
#include "tests/support/errors.h"
#include "tests/support/single_node_graph.h"
#include "tests/support/tensors.h"

namespace deeploy {
namespace {

using namespace testing;
using Ints = std::vector<int64_t>;

Attributes requant(int64_t div, int64_t levels, int64_t isSigned) {
  Attributes a;
  a.set("div", div);
  a.set("n_levels", levels);
  a.set("signed", isSigned);
  return a;
}

// RQMatMul of A [rows, k] by a constant B [k, n], requantized per column.
NodeCase product(int64_t rows, int64_t k, int64_t n, DType inputType = DType::Int8) {
  return {"RQMatMul", requant(256, 256, 1),
          {{pattern(inputType, {rows, k}, inputType == DType::Int8 ? -128 : 0, inputType == DType::Int8 ? 127 : 255, 1)},
           {pattern(DType::Int8, {k, n}, -100, 27, 2), true},
           {pattern(DType::Int32, {n}, 1, 300, 3), true},
           {pattern(DType::Int32, {n}, -5000, 5000, 4), true}}};
}

Graph typedGraph(const NodeCase& c) {
  Graph g = makeSingleNodeGraph(c);
  inferTypes(g);
  return g;
}

std::optional<NpuConv> asNpuConv(const NodeCase& c) {
  const Graph g = typedGraph(c);
  return productAsNpuConv(g, g.nodes[0]);
}

Platform untiledSiracusa(NpuPolicy policy) {
  Platform p = builtinPlatform("siracusa");
  for (ComputeEngine& engine : p.engines) engine.computesFrom = p.activationLevel;
  p.npuPolicy = policy;
  return p;
}

TEST(NpuConv, AProductWithAConstantBIsAPointwiseConvolutionOverItsRows) {
  const auto conv = asNpuConv(product(12, 40, 5));
  ASSERT_TRUE(conv);
  const NpuConvGeometry& g = conv->geometry;
  EXPECT_EQ(g.mode, NpuMode::Pointwise);
  // 12 rows as 2 x 6 pixels (the widest row of at most 6 that divides them), K in, N out.
  EXPECT_EQ(g.outHeight, 2);
  EXPECT_EQ(g.outWidth, 6);
  EXPECT_EQ(g.inChannels, 40);
  EXPECT_EQ(g.outChannels, 5);
  EXPECT_EQ(conv->inRowStride, 6 * 40);
  EXPECT_EQ(conv->outPixelStride, 5);
  // Weights -100..27 span 128 values: offset -100, 7 bits.
  EXPECT_EQ(g.weightBits, 7);
  ASSERT_EQ(conv->weights.size(), 200u);
  const TensorData b = product(12, 40, 5).inputs[1].value;
  EXPECT_EQ(conv->weights[1 * 40 + 3], b.getInt(3 * 5 + 1)) << "weights are [n][k]: output channel 1, input 3";
  EXPECT_EQ(conv->shift, 8);
  EXPECT_TRUE(conv->signedInput && conv->signedOutput);
  EXPECT_EQ(asNpuConv(product(7, 3, 2))->geometry.outWidth, 1) << "7 rows: one column of 7";
  EXPECT_FALSE(asNpuConv(product(7, 3, 2, DType::UInt8))->signedInput);
}

TEST(NpuConv, ProductsTheNpuCannotRunStayUndescribed) {
  NodeCase runtimeB = product(4, 8, 8);
  runtimeB.inputs[1].constant = false;
  EXPECT_FALSE(asNpuConv(runtimeB)) << "B computed at run time";
  NodeCase perRow = product(4, 8, 8);
  perRow.inputs[2] = {pattern(DType::Int32, {4, 1}, 1, 300, 3), true};
  EXPECT_FALSE(asNpuConv(perRow)) << "scales varying along the rows";
  NodeCase fourBits = product(4, 8, 8);
  fourBits.attrs = requant(256, 16, 1);
  EXPECT_FALSE(asNpuConv(fourBits)) << "a 4-bit output range";
  NodeCase wide = product(4, 8, 8);
  wide.inputs[1] = {pattern(DType::Int16, {8, 8}, -1000, 1000, 2), true};
  EXPECT_FALSE(asNpuConv(wide)) << "16-bit weights";
}

TEST(NpuConv, WeightRangesGiveTheOffsetAndTheBitsAboveIt) {
  EXPECT_EQ(npuWeightRange({-128, 127})->bits, 8);
  EXPECT_EQ(npuWeightRange({-128, 127})->offset, -128);
  EXPECT_EQ(npuWeightRange({5, 5})->bits, 1);
  EXPECT_EQ(npuWeightRange({3, 4})->bits, 1);
  EXPECT_EQ(npuWeightRange({3, 5})->bits, 2);
  EXPECT_FALSE(npuWeightRange({0, 256})) << "257 values";
}

TEST(NpuConv, PointwiseWeightsAreBitPlanesOf32InputChannels) {
  NpuConv conv;
  conv.geometry.inChannels = 33;
  conv.geometry.outChannels = 2;
  conv.weights.assign(66, 0);
  conv.weights[0 * 33 + 1] = 1;   // channel 0, input 1: bit 1 of plane 0 of block 0
  conv.weights[0 * 33 + 32] = 2;  // channel 0, input 32: bit 0 of plane 1 of block 1
  conv.weights[1 * 33 + 9] = 3;   // channel 1, input 9: bit 9 of planes 0 and 1 of block 0
  const std::vector<uint8_t> bytes = encodeNpuWeights(conv, {0, 2});
  ASSERT_EQ(bytes.size(), 2u * 2 * 2 * 4);  // Co x blocks x planes x 4 bytes
  std::vector<uint8_t> want(bytes.size(), 0);
  want[0] = 0x02;              // channel 0, block 0, plane 0, byte 0
  want[12] = 0x01;             // channel 0, block 1, plane 1
  want[16 + 1] = 0x02;         // channel 1, block 0, plane 0, byte 1 (bit 9)
  want[16 + 4 + 1] = 0x02;     // plane 1
  EXPECT_EQ(bytes, want);
  // Stored values are weight - offset.
  conv.weights.assign(66, -4);
  EXPECT_EQ(encodeNpuWeights(conv, {-4, 1}), std::vector<uint8_t>(16, 0));
}

TEST(NpuConv, ThreeByThreeWeightsAre256BitPlanesOf28Channels) {
  // Dense: weight [0][1][2][28] is tap s = 5 of input 28, i.e. bit 28 * 5 + 0 of block 1's plane.
  NpuConv dense;
  dense.geometry.mode = NpuMode::Dense3x3;
  dense.geometry.inChannels = 29;
  dense.weights.assign(9 * 29, 0);
  dense.weights[(1 * 3 + 2) * 29 + 28] = 1;
  std::vector<uint8_t> want(2 * 32, 0);  // two blocks of 28 channels, one bit plane each
  want[32 + 140 / 8] = 1u << (140 % 8);
  EXPECT_EQ(encodeNpuWeights(dense, {0, 1}), want);
  // Depthwise: weight [29][2][2] is tap 8 of channel 29, i.e. bit 28 * 8 + 1 of block 1's plane.
  NpuConv depthwise;
  depthwise.geometry.mode = NpuMode::Depthwise3x3;
  depthwise.geometry.inChannels = depthwise.geometry.outChannels = 30;
  depthwise.weights.assign(30 * 9, 0);
  depthwise.weights[29 * 9 + 8] = 1;
  want.assign(2 * 32, 0);
  want[32 + 225 / 8] = 1u << (225 % 8);
  EXPECT_EQ(encodeNpuWeights(depthwise, {0, 1}), want);
}

TEST(NpuModel, TaskCyclesFollowTheDocumentedModel) {
  const NpuModel model = *builtinPlatform("siracusa").npuEngine()->npu;
  NpuConvGeometry g;
  g.inChannels = g.outChannels = 64;  // one pixel, 64 -> 64, 8-bit weights
  // Compute 1 x 2 x 2 steps x 8 bits = 32; weights 4096 B and activations 128 B at 32 B/cycle: 128 + 4;
  // plus the set-up.
  EXPECT_EQ(npuTaskCycles(g, model, true), model.setupCycles + 132);
  NpuModel slowWeights = model;
  slowWeights.weightBytesPerCycle = 2;
  EXPECT_EQ(npuTaskCycles(g, slowWeights, false), model.setupCycles + 2048 + 4) << "weights from L1 at 2 B/cycle";
  EXPECT_EQ(npuTaskCycles(g, slowWeights, true), model.setupCycles + 132) << "weights from the weight memory";
  // 3x3 dense, 7 x 7 output of 8 -> 40 channels, stride 1: 4 subtiles x 2 x 1 steps x 8 bits = 64 compute;
  // weights 40 x 1 x 8 x 32 = 10240 B per subtile.
  NpuConvGeometry d;
  d.mode = NpuMode::Dense3x3;
  d.height = d.width = 7;
  d.outHeight = d.outWidth = 7;
  d.inChannels = 8;
  d.outChannels = 40;
  EXPECT_EQ(npuWeightBytes(d), 10240);
  // Subtiles 6x6, 6x1, 1x6, 1x1: inputs 8x8, 8x3, 3x8, 3x3 pixels x 8 channels; outputs 49 x 40.
  const uint64_t activations = (64 + 24 + 24 + 9) * 8 + 49 * 40;
  EXPECT_EQ(npuTaskCycles(d, model, true), model.setupCycles + (4 * 10240 + 31) / 32 + (activations + 31) / 32);
}

TEST(EngineMapping, EachPolicyPlacesTheNodesItShould) {
  Graph big = typedGraph(product(1, 64, 64));
  EXPECT_TRUE(mapEngines(big, untiledSiracusa(NpuPolicy::Off), 8).empty());
  EXPECT_EQ(big.nodes[0].engine, NodeEngine::Cores);
  const auto decisions = mapEngines(big, untiledSiracusa(NpuPolicy::Auto), 8);
  ASSERT_EQ(decisions.size(), 1u);
  EXPECT_EQ(big.nodes[0].engine, NodeEngine::Npu) << decisions[0].npuCycles << " NPU cycles against " << decisions[0].coreCycles;
  // 3600 pixels of two channels into one, 8-bit weights: the NPU walks 100 subtiles, 8 bit-serial steps
  // each, for 7200 MACs; 8 cores are cheaper.
  NodeCase thinCase = product(3600, 2, 1);
  thinCase.inputs[1] = {ints(DType::Int8, {2, 1}, {-128, 127}), true};
  Graph thin = typedGraph(thinCase);
  const auto thinDecisions = mapEngines(thin, untiledSiracusa(NpuPolicy::Auto), 8);
  ASSERT_EQ(thinDecisions.size(), 1u);
  EXPECT_GT(thinDecisions[0].npuCycles, thinDecisions[0].coreCycles);
  EXPECT_EQ(thin.nodes[0].engine, NodeEngine::Cores);
  mapEngines(thin, untiledSiracusa(NpuPolicy::All), 8);
  EXPECT_EQ(thin.nodes[0].engine, NodeEngine::Npu) << "all: whatever the model says";
}

TEST(EngineMapping, TheNpuNeedsAPlatformWithOne) {
  Graph g = typedGraph(product(1, 64, 64));
  Platform host = hostPlatform();
  host.npuPolicy = NpuPolicy::All;
  EXPECT_NE(errorOf([&] { mapEngines(g, host, 1); }).find("has no NPU"), std::string::npos);
  host.npuPolicy = NpuPolicy::Auto;
  EXPECT_TRUE(mapEngines(g, host, 1).empty());
  EXPECT_EQ(g.nodes[0].engine, NodeEngine::Cores);
  // Tiled programs use it too: its tiles are tasks on the L1 buffers.
  Platform tiled = builtinPlatform("siracusa");
  tiled.npuPolicy = NpuPolicy::All;
  EXPECT_EQ(mapEngines(g, tiled, 8).size(), 1u);
  EXPECT_EQ(g.nodes[0].engine, NodeEngine::Npu);
}

// --npu-node pins a node on the NPU whatever the policy, and names what it cannot pin.
TEST(EngineMapping, NamedNodesGoToTheNpuOrFailNamingThem) {
  Graph g = typedGraph(product(3600, 2, 1));  // the cores' node under auto (above)
  Platform siracusa = untiledSiracusa(NpuPolicy::Off);
  siracusa.npuNodes = {g.nodes[0].name};
  EXPECT_EQ(mapEngines(g, siracusa, 8).size(), 1u);
  EXPECT_EQ(g.nodes[0].engine, NodeEngine::Npu);
  siracusa.npuNodes = {"no_such_node"};
  EXPECT_NE(errorOf([&] { mapEngines(g, siracusa, 8); }).find("--npu-node 'no_such_node': the graph has no node of that name"),
            std::string::npos);
  NodeCase runtimeB = product(4, 8, 8);
  runtimeB.inputs[1].constant = false;
  Graph g2 = typedGraph(runtimeB);
  siracusa.npuNodes = {g2.nodes[0].name};
  const std::string message = errorOf([&] { mapEngines(g2, siracusa, 8); });
  EXPECT_NE(message.find(g2.nodes[0].describe() + ": --npu-node puts it on the NPU, which cannot run it"), std::string::npos)
      << message;
  Platform host = hostPlatform();
  host.npuNodes = {g.nodes[0].name};
  EXPECT_NE(errorOf([&] { mapEngines(g, host, 1); }).find("--npu-node: platform 'host' has no NPU"), std::string::npos);
}

// Three 64 x 256 projections against a weight memory that holds two of them (encoded weights, scales and
// biases): the third does not fit.
TEST(EngineMapping, WeightsBeyondTheWeightMemoryStayOnTheCoresOrStopAll) {
  const auto conv = asNpuConv(product(4, 64, 256));
  ASSERT_TRUE(conv);
  const int64_t each = npuWeightBytes(conv->geometry) + 8 * 256;
  Graph g = typedGraph(product(4, 64, 256));
  const Graph one = g;
  for (int copy = 1; copy < 3; ++copy) {
    const size_t base = g.tensors.size();
    for (const Tensor& t : one.tensors) g.addTensor(Tensor{t.name + "_" + std::to_string(copy), t.dtype, t.shape, t.constant});
    Node node = one.nodes[0];
    node.name += "_" + std::to_string(copy);
    for (TensorId& id : node.inputs) id = static_cast<TensorId>(base + static_cast<size_t>(id));
    for (TensorId& id : node.outputs) id = static_cast<TensorId>(base + static_cast<size_t>(id));
    g.nodes.push_back(node);
  }
  Platform small = untiledSiracusa(NpuPolicy::All);
  overrideLevelSize(small, "WMEM", 2 * each + each / 2);
  const std::string message = errorOf([&] { mapEngines(g, small, 8); });
  EXPECT_NE(message.find(g.nodes[2].name), std::string::npos) << message;
  EXPECT_NE(message.find("do not fit in the weight memory WMEM (" + std::to_string(2 * each + each / 2) + " B, " +
                         std::to_string(2 * each) + " B taken"),
            std::string::npos)
      << message;
  small.npuPolicy = NpuPolicy::Auto;
  mapEngines(g, small, 8);
  EXPECT_EQ(g.nodes[0].engine, NodeEngine::Npu);
  EXPECT_EQ(g.nodes[1].engine, NodeEngine::Npu);
  EXPECT_EQ(g.nodes[2].engine, NodeEngine::Cores) << "auto: the cores take what does not fit";
}

}  // namespace
}  // namespace deeploy
