// Tiling geometries of the products, convolutions, pools and data-movement operators: every cut of a node
// into tiles, each computed from its operand regions with its adjusted attributes, reassembles the
// whole node's output exactly; and the check catches a geometry that forgets the convolution halo.
#include <gtest/gtest.h>

#include "ops/interpreter.h"
#include "passes/pipeline.h"
#include "tests/support/tensors.h"
#include "tests/support/tiling_check.h"

namespace deeploy {
namespace {

using namespace testing;
using Ints = std::vector<int64_t>;

Attributes requant(int64_t div, int64_t isSigned, Attributes base = {}) {
  base.set("div", div);
  base.set("n_levels", int64_t{256});
  base.set("signed", isSigned);
  return base;
}

TilingGeometry geometryOfCase(const NodeCase& c) {
  Graph graph = makeSingleNodeGraph(c);
  runMidend(graph);
  return geometryOf(graph, graph.nodes.at(0));
}

// Every axis cut into tiles of one element at once: the most borders and halos.
void expectSingleElementTilesReassembleWhole(const NodeCase& c) {
  expectTilesReassembleWhole(c, Ints(geometryOfCase(c).iteration.size(), 1));
}

std::vector<bool> splittableAxes(const NodeCase& c) { return geometryOfCase(c).splittable; }

// ---- Products ----

TEST(LinalgTiling, MatMulWithBroadcastBatchesAndConstantWeights) {
  // A [2, 1, 3, 7] against constant B [3, 7, 5]: output [2, 3, 3, 5], A broadcast along axis 1.
  NodeCase c{"MatMul", {}, {{pattern(DType::Int8, {2, 1, 3, 7}, -128, 127)}, {pattern(DType::Int8, {3, 7, 5}, -128, 127, 2), true}}};
  expectEveryCutReassemblesWhole(c);
  expectSingleElementTilesReassembleWhole(c);
  EXPECT_EQ(splittableAxes(c), (std::vector<bool>{true, true, true, true}));
  // A matrix times a vector: the vector is read whole by every tile.
  expectEveryCutReassemblesWhole({"MatMul", {}, {{pattern(DType::Int16, {4, 9}, -3000, 3000)}, {pattern(DType::Int8, {9}, -128, 127, 3), true}}});
  NodeCase f{"MatMul", {}, {{floatPattern({3, 1, 4, 5})}, {floatPattern({2, 5, 3}, 2)}}};
  expectEveryCutReassemblesWhole(f);
}

TEST(LinalgTiling, GemmWithTransposesAndBias) {
  // Runtime A transposed, constant B transposed, per-row C.
  expectEveryCutReassemblesWhole(
      {"Gemm", attributes({{"alpha", 3.0}, {"beta", 2.0}, {"transA", int64_t{1}}, {"transB", int64_t{1}}}),
       {{pattern(DType::Int8, {7, 5}, -128, 127)}, {pattern(DType::Int8, {4, 7}, -128, 127, 2), true}, {pattern(DType::Int16, {5, 1}, -900, 900), true}}});
  // Runtime B, per-column C given as a vector, and a full runtime C of the output type.
  expectEveryCutReassemblesWhole({"Gemm", {}, {{pattern(DType::UInt8, {3, 6}, 0, 255)}, {pattern(DType::Int8, {6, 5}, -128, 127, 2)}, {pattern(DType::Int32, {5}, -99, 99), true}}});
  expectEveryCutReassemblesWhole({"Gemm", attributes({{"transB", int64_t{1}}}),
                                  {{pattern(DType::Int8, {4, 9}, -128, 127)}, {pattern(DType::Int8, {3, 9}, -128, 127, 4)}, {pattern(DType::Int32, {4, 3}, -99, 99)}}});
  NodeCase f{"Gemm", attributes({{"alpha", 0.25}, {"beta", 1.5}, {"transA", int64_t{1}}}),
             {{floatPattern({5, 3})}, {floatPattern({5, 4}, 2), true}, {floatPattern({4}, 3), true}}};
  expectEveryCutReassemblesWhole(f);
  expectSingleElementTilesReassembleWhole(f);
}

TEST(LinalgTiling, RequantizedProductsAsFusionLeavesThem) {
  // Per-column mul and per-batch add on broadcast batches (MatMul + bias Add + RequantShift).
  expectEveryCutReassemblesWhole(
      {"RQMatMul", requant(16384, 1),
       {{pattern(DType::Int8, {2, 1, 3, 6}, -128, 127)}, {pattern(DType::Int8, {3, 6, 5}, -128, 127, 2), true},
        {pattern(DType::Int32, {3, 1, 5}, -40, 40, 3), true}, {pattern(DType::Int32, {2, 1, 1, 1}, -3000, 3000, 4), true}}});
  // Gemm's C folded per row into add, alpha into a per-row mul.
  NodeCase gemm{"RQGemm", requant(8192, 0, attributes({{"transA", int64_t{1}}, {"transB", int64_t{1}}})),
                {{pattern(DType::Int8, {9, 4}, -128, 127)}, {pattern(DType::Int8, {3, 9}, -128, 127, 2), true},
                 {pattern(DType::Int32, {4, 1}, 1, 20, 3), true}, {pattern(DType::Int32, {4, 3}, -500, 500, 4), true}}};
  expectEveryCutReassemblesWhole(gemm);
  expectSingleElementTilesReassembleWhole(gemm);
}

// ---- Convolutions ----

TEST(LinalgTiling, Conv2DWithPadsStridesAndBias) {
  NodeCase c{"Conv", attributes({{"pads", Ints{1, 2, 1, 0}}, {"strides", Ints{2, 1}}}),
             {{pattern(DType::Int8, {2, 3, 7, 6}, -128, 127)}, {pattern(DType::Int8, {4, 3, 3, 3}, -128, 127, 2), true},
              {pattern(DType::Int32, {4}, -999, 999, 3), true}}};
  expectEveryCutReassemblesWhole(c);
  expectSingleElementTilesReassembleWhole(c);
  EXPECT_EQ(splittableAxes(c), (std::vector<bool>{true, true, true, true}));
}

TEST(LinalgTiling, ConvWithDilationAndSamePadding) {
  NodeCase dilated{"Conv", attributes({{"dilations", Ints{2, 2}}, {"pads", Ints{2, 1, 2, 3}}}),
                   {{floatPattern({1, 2, 8, 7})}, {floatPattern({3, 2, 3, 2}, 2), true}}};
  expectEveryCutReassemblesWhole(dilated);
  expectSingleElementTilesReassembleWhole(dilated);
  NodeCase same{"Conv", attributes({{"auto_pad", std::string("SAME_UPPER")}, {"strides", Ints{2, 2}}}),
                {{pattern(DType::UInt8, {1, 3, 7, 6}, 0, 255)}, {pattern(DType::Int8, {2, 3, 3, 2}, -128, 127, 2), true}}};
  expectEveryCutReassemblesWhole(same);
  expectSingleElementTilesReassembleWhole(same);
}

TEST(LinalgTiling, Conv1DStridedDilated) {
  NodeCase c{"Conv", attributes({{"pads", Ints{3, 1}}, {"strides", Ints{2}}, {"dilations", Ints{2}}}),
             {{pattern(DType::Int16, {2, 3, 17}, -2000, 2000)}, {pattern(DType::Int8, {5, 3, 3}, -128, 127, 2), true}}};
  expectEveryCutReassemblesWhole(c);
  expectSingleElementTilesReassembleWhole(c);
}

TEST(LinalgTiling, GroupedConvsSplitChannelsOnlyWithOneOutputChannelPerGroup) {
  NodeCase grouped{"Conv", attributes({{"group", int64_t{2}}, {"pads", Ints{1, 1, 1, 1}}}),
                   {{pattern(DType::Int8, {1, 4, 6, 5}, -128, 127)}, {pattern(DType::Int8, {6, 2, 3, 3}, -128, 127, 2), true},
                    {pattern(DType::Int32, {6}, -99, 99, 3), true}}};
  expectEveryCutReassemblesWhole(grouped);
  expectSingleElementTilesReassembleWhole(grouped);
  EXPECT_EQ(splittableAxes(grouped), (std::vector<bool>{true, false, true, true}));
  NodeCase depthwise{"Conv", attributes({{"group", int64_t{3}}, {"pads", Ints{1, 1, 1, 1}}, {"strides", Ints{2, 2}}}),
                     {{pattern(DType::Int8, {2, 3, 7, 7}, -128, 127)}, {pattern(DType::Int8, {3, 1, 3, 3}, -128, 127, 2), true}}};
  expectEveryCutReassemblesWhole(depthwise);
  expectSingleElementTilesReassembleWhole(depthwise);
  EXPECT_EQ(splittableAxes(depthwise), (std::vector<bool>{true, true, true, true}));
  // Three groups of two input channels each, one output channel per group.
  NodeCase wideGroups{"Conv", attributes({{"group", int64_t{3}}, {"pads", Ints{0, 1, 0, 1}}}),
                      {{pattern(DType::Int8, {1, 6, 4, 5}, -128, 127)}, {pattern(DType::Int8, {3, 2, 2, 3}, -128, 127, 2), true},
                       {pattern(DType::Int32, {3}, -99, 99, 3), true}}};
  expectEveryCutReassemblesWhole(wideGroups);
  EXPECT_EQ(splittableAxes(wideGroups)[1], true);
}

TEST(LinalgTiling, PaddingWiderThanTheWindowKeepsTheAxisWhole) {
  // Kernel 1 with pads 2: the first and last two outputs read only padding.
  NodeCase c{"Conv", attributes({{"pads", Ints{2, 2}}}),
             {{pattern(DType::Int8, {1, 2, 5}, -128, 127)}, {pattern(DType::Int8, {3, 2, 1}, -128, 127, 2), true},
              {pattern(DType::Int32, {3}, -99, 99, 3), true}}};
  EXPECT_EQ(splittableAxes(c), (std::vector<bool>{true, true, false}));
  expectEveryCutReassemblesWhole(c);
}

TEST(LinalgTiling, RequantizedConvAsFusionLeavesIt) {
  // Conv + per-channel RequantShift: mul and add [C, 1, 1]; a depthwise 1-D one with a per-tensor mul.
  NodeCase c{"RQConv", requant(16384, 0, attributes({{"pads", Ints{1, 1, 1, 1}}, {"strides", Ints{2, 1}}})),
             {{pattern(DType::UInt8, {1, 5, 6, 5}, 0, 255)}, {pattern(DType::Int8, {3, 5, 3, 3}, -128, 127, 2), true},
              {pattern(DType::Int32, {3, 1, 1}, 1, 30, 3), true}, {pattern(DType::Int32, {3, 1, 1}, -90000, 90000, 4), true}}};
  expectEveryCutReassemblesWhole(c);
  expectSingleElementTilesReassembleWhole(c);
  NodeCase dw{"RQConv", requant(1024, 1, attributes({{"group", int64_t{4}}, {"pads", Ints{2, 1}}, {"dilations", Ints{2}}})),
              {{pattern(DType::Int8, {2, 4, 11}, -128, 127)}, {pattern(DType::Int8, {4, 1, 3}, -128, 127, 2), true},
               {ints(DType::Int32, {}, {3}), true}, {pattern(DType::Int32, {4, 1}, -500, 500, 4), true}}};
  expectEveryCutReassemblesWhole(dw);
  expectSingleElementTilesReassembleWhole(dw);
}

TEST(LinalgTiling, ConvTransposeSplitsBatchesAndChannels) {
  NodeCase c{"ConvTranspose", attributes({{"strides", Ints{2, 3}}, {"pads", Ints{1, 2, 0, 1}}, {"output_padding", Ints{1, 0}}}),
             {{floatPattern({2, 4, 3, 4})}, {floatPattern({4, 3, 2, 3}, 2), true}, {floatPattern({3}, 3), true}}};
  expectEveryCutReassemblesWhole(c);
  EXPECT_EQ(splittableAxes(c), (std::vector<bool>{true, true, false, false}));
  NodeCase grouped{"ConvTranspose", attributes({{"group", int64_t{2}}, {"strides", Ints{2}}}),
                   {{pattern(DType::Int8, {2, 4, 5}, -128, 127)}, {pattern(DType::Int8, {4, 3, 4}, -128, 127, 2), true}}};
  expectEveryCutReassemblesWhole(grouped);
  EXPECT_EQ(splittableAxes(grouped), (std::vector<bool>{true, false, false}));
}

// ---- Pools ----

TEST(LinalgTiling, MaxPoolPadsWithTheLowestValue) {
  // Integer and float inputs, pads, strides, dilation and ceil_mode.
  NodeCase i{"MaxPool", attributes({{"kernel_shape", Ints{3, 2}}, {"pads", Ints{1, 1, 1, 0}}, {"strides", Ints{2, 1}}}),
             {{pattern(DType::Int8, {2, 3, 7, 6}, -128, 127)}}};
  expectEveryCutReassemblesWhole(i);
  expectSingleElementTilesReassembleWhole(i);
  NodeCase f{"MaxPool", attributes({{"kernel_shape", Ints{2, 2}}, {"strides", Ints{2, 2}}, {"dilations", Ints{2, 1}}, {"ceil_mode", int64_t{1}}}),
             {{floatPattern({1, 2, 8, 7})}}};
  expectEveryCutReassemblesWhole(f);
  expectSingleElementTilesReassembleWhole(f);
  NodeCase oneD{"MaxPool", attributes({{"kernel_shape", Ints{3}}, {"auto_pad", std::string("SAME_LOWER")}, {"strides", Ints{2}}}),
                {{pattern(DType::Int16, {1, 2, 9}, -3000, 3000)}}};
  expectEveryCutReassemblesWhole(oneD);
}

TEST(LinalgTiling, AveragePoolKeepsItsDivisors) {
  for (int64_t countPadding : {0, 1}) {
    NodeCase c{"AveragePool",
               attributes({{"kernel_shape", Ints{3, 3}}, {"pads", Ints{1, 1, 2, 1}}, {"strides", Ints{2, 2}}, {"count_include_pad", countPadding}}),
               {{floatPattern({1, 2, 7, 8})}}};
    expectEveryCutReassemblesWhole(c);
    expectSingleElementTilesReassembleWhole(c);
  }
  // ceil_mode lets the last window overhang the end padding; counting padding, that axis stays whole.
  NodeCase overhang{"AveragePool",
                    attributes({{"kernel_shape", Ints{3, 2}}, {"strides", Ints{2, 2}}, {"ceil_mode", int64_t{1}}, {"count_include_pad", int64_t{1}}}),
                    {{floatPattern({1, 2, 6, 6})}}};
  EXPECT_EQ(splittableAxes(overhang), (std::vector<bool>{true, true, false, true}));
  expectEveryCutReassemblesWhole(overhang);
}

// ---- Data movement ----

TEST(LinalgTiling, TransposeFollowsThePermutation) {
  expectEveryCutReassemblesWhole({"Transpose", attributes({{"perm", Ints{0, 2, 3, 1}}}), {{pattern(DType::Int8, {2, 3, 4, 5}, -128, 127)}}});
  NodeCase c{"Transpose", attributes({{"perm", Ints{3, 1, 0, 2}}}), {{pattern(DType::Int16, {2, 3, 4, 5}, -999, 999)}}};
  expectEveryCutReassemblesWhole(c);
  expectSingleElementTilesReassembleWhole(c);
}

TEST(LinalgTiling, ConcatAlongAMiddleAxis) {
  NodeCase c{"Concat", attributes({{"axis", int64_t{1}}}),
             {{pattern(DType::Int8, {2, 3, 4}, -128, 127)}, {pattern(DType::Int8, {2, 1, 4}, -128, 127, 2), true},
              {pattern(DType::Int8, {2, 2, 4}, -128, 127, 3)}}};
  expectEveryCutReassemblesWhole(c);
  EXPECT_EQ(splittableAxes(c), (std::vector<bool>{true, false, true}));
  // Mixed types convert to a common one; a negative axis.
  expectEveryCutReassemblesWhole({"Concat", attributes({{"axis", int64_t{-2}}}),
                                  {{pattern(DType::Int8, {3, 2, 5}, -128, 127)}, {pattern(DType::UInt8, {3, 4, 5}, 0, 255, 2)}}});
}

TEST(LinalgTiling, SliceSplitsTheAxesItTakesWhole) {
  // Axis 1 sliced with step 2, axis 2 listed but taken whole (end beyond the dimension).
  NodeCase c{"Slice", {},
             {{pattern(DType::Int8, {3, 7, 4}, -128, 127)}, {int64s({1, 0}), true}, {int64s({6, 100}), true},
              {int64s({1, 2}), true}, {int64s({2, 1}), true}}};
  EXPECT_EQ(splittableAxes(c), (std::vector<bool>{true, false, true}));
  expectEveryCutReassemblesWhole(c);
  NodeCase backwards{"Slice", {}, {{pattern(DType::Int16, {4, 6}, -999, 999)}, {int64s({-1}), true}, {int64s({-100}), true}, {int64s({0}), true}, {int64s({-1}), true}}};
  EXPECT_EQ(splittableAxes(backwards), (std::vector<bool>{false, true}));
  expectEveryCutReassemblesWhole(backwards);
}

TEST(LinalgTiling, GatherSplitsDataAndIndexAxes) {
  // Output [3, 2, 2, 4]: data axis 0, the index axes, data axis 2.
  NodeCase c{"Gather", attributes({{"axis", int64_t{1}}}),
             {{pattern(DType::Int8, {3, 5, 4}, -128, 127)}, {ints(DType::Int64, {2, 2}, {4, -1, 0, 2}), true}}};
  expectEveryCutReassemblesWhole(c);
  expectSingleElementTilesReassembleWhole(c);
  expectEveryCutReassemblesWhole({"Gather", attributes({{"axis", int64_t{-1}}}),
                                  {{floatPattern({2, 3, 6})}, {ints(DType::Int32, {3}, {5, 0, 2})}}});
}

TEST(LinalgTiling, PadSplitsUnpaddedAxes) {
  NodeCase c{"Pad", attributes({{"mode", std::string("reflect")}}),
             {{pattern(DType::Int8, {2, 3, 5}, -128, 127)}, {int64s({0, 0, 2, 0, 0, 1}), true}}};
  EXPECT_EQ(splittableAxes(c), (std::vector<bool>{true, true, false}));
  expectEveryCutReassemblesWhole(c);
  expectEveryCutReassemblesWhole({"Pad", attributes({{"pads", Ints{0, 1, 0, 0, 2, 0}}, {"value", 7.0}}), {{floatPattern({3, 2, 4})}}});
}

// ---- The check itself ----

// `node` computed tile by tile with `geometry` and stitched together.
TensorData stitch(const Graph& graph, const Node& node, const TilingGeometry& geometry, const Ints& tileSizes,
                  const TensorData& input) {
  const Tensor& out = graph.tensor(node.outputs[0]);
  TensorData stitched(out.dtype, out.shape);
  for (const Box& iter : cutIterationSpace(geometry, tileSizes)) {
    TileInstance tile = instantiateTile(graph, node, geometry, iter);
    Graph sub = tileGraph(graph, node, tile);
    insertRegion(stitched, tile.outputRegions[0], interpretGraph(sub, {sliceRegion(input, tile.inputRegions[0])})[0]);
  }
  return stitched;
}

TEST(LinalgTiling, AGeometryWithoutTheConvHaloComputesSomethingElse) {
  NodeCase c{"Conv", attributes({{"pads", Ints{1, 1, 1, 1}}}),
             {{pattern(DType::Int8, {1, 2, 6, 6}, -128, 127)}, {pattern(DType::Int8, {3, 2, 3, 3}, -128, 127, 2), true}}};
  Graph graph = makeSingleNodeGraph(c);
  runMidend(graph);
  const Node& node = graph.nodes.at(0);
  const TensorData input = runtimeInputs(c)[0];
  const TensorData whole = interpretGraph(graph, {input})[0];
  const Ints rows{0, 0, 2, 0};
  EXPECT_EQ(stitch(graph, node, geometryOf(graph, node), rows, input), whole);

  // Each tile reads only the input rows of its own outputs and pads the rest with zeros, as the whole
  // node does at the border: the shapes work out, the rows next to a tile border do not.
  TilingGeometry noHalo = geometryOf(graph, node);
  noHalo.inputs[0][2] = AxisMap::follow(2);
  noHalo.adjustAttributes = nullptr;
  EXPECT_NE(stitch(graph, node, noHalo, rows, input), whole);
}

}  // namespace
}  // namespace deeploy
