// Tiling geometries of the element-wise, activation, normalization, softmax and reduction operators:
// every cut of a node's iteration space, computed tile by tile, reassembles the whole node's result
// bit for bit. Each family also shows that its geometry keeps whole what must stay whole: the axes a
// node reduces over are not splittable, and a geometry that split them (or read a parameter wrongly)
// would give a different result or no result at all.
#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "ops/interpreter.h"
#include "passes/pipeline.h"
#include "tests/support/tensors.h"
#include "tests/support/tiling_check.h"

namespace deeploy {
namespace {

using namespace testing;

// Float32 values of both signs, not integers, deterministic.
TensorData wave(Shape shape, double scale = 3, double phase = 0.4) {
  std::vector<double> v(static_cast<size_t>(elementCount(shape)));
  for (size_t i = 0; i < v.size(); ++i) v[i] = std::sin(static_cast<double>(i) * 2.3 + phase) * scale + 0.25;
  return floats(std::move(shape), v);
}

TensorData positive(Shape shape) {
  TensorData t = wave(shape);
  for (int64_t i = 0; i < t.size(); ++i) t.setDouble(i, std::fabs(t.getDouble(i)) + 0.5);
  return t;
}

Graph preparedGraph(const NodeCase& c) {
  Graph g = makeSingleNodeGraph(c);
  runMidend(g);
  return g;
}

TilingGeometry declaredGeometry(const NodeCase& c) {
  Graph g = preparedGraph(c);
  return geometryOf(g, g.nodes.at(0));
}

// Whether computing output 0 tile by tile under `geometry` (the declared one or a deliberately wrong
// one) reproduces it: false when a tile's values differ or when a tile cannot even be built.
bool reassembles(const NodeCase& c, const TilingGeometry& geometry, const std::vector<int64_t>& tileSizes) {
  Graph graph = preparedGraph(c);
  const Node& node = graph.nodes.at(0);
  const std::vector<TensorData> inputs = runtimeInputs(c);
  const TensorData whole = interpretGraph(graph, inputs).at(0);
  std::map<TensorId, const TensorData*> valueOf;
  for (size_t i = 0; i < graph.inputs.size(); ++i) valueOf[graph.inputs[i]] = &inputs[i];
  TensorData stitched(whole.dtype(), whole.shape());
  try {
    for (const Box& iter : cutIterationSpace(geometry, tileSizes)) {
      TileInstance tile = instantiateTile(graph, node, geometry, iter);
      Graph sub = tileGraph(graph, node, tile);
      std::vector<TensorData> tileInputs;
      for (size_t i = 0; i < node.inputs.size(); ++i) {
        if (valueOf.count(node.inputs[i])) tileInputs.push_back(sliceRegion(*valueOf[node.inputs[i]], tile.inputRegions[i]));
      }
      insertRegion(stitched, tile.outputRegions.at(0), interpretGraph(sub, tileInputs).at(0));
    }
  } catch (const Error&) {
    return false;
  }
  return stitched == whole;
}

// ---- Element-wise arithmetic, unary operators, Clip, Cast, Expand ----

TEST(ElementwiseTiling, BinaryOperatorsWithBroadcasting) {
  TensorData a8 = pattern(DType::Int8, {2, 3, 4}, -128, 127, 1), b8 = pattern(DType::Int8, {3, 1}, -128, 127, 2);
  for (const char* op : {"Add", "Sub", "Mul"}) expectEveryCutReassemblesWhole({op, {}, {{a8}, {b8}}});
  expectEveryCutReassemblesWhole({"Add", {}, {{wave({2, 3, 5})}, {wave({5}, 2, 1.1)}}});
  expectEveryCutReassemblesWhole({"Mul", {}, {{wave({1, 4, 5})}, {wave({2, 1, 5}, 2, 1.1)}}});
  expectEveryCutReassemblesWhole({"Div", {}, {{wave({3, 4})}, {positive({1})}}});
  expectEveryCutReassemblesWhole(
      {"Div", {}, {{pattern(DType::Int32, {4, 6}, -100000, 100000)}, {pattern(DType::Int32, {4, 1}, 1, 50), true}}});
  expectEveryCutReassemblesWhole({"Pow", {}, {{positive({2, 6})}, {wave({2, 1}, 1.5)}}});
  TensorData bf16 = TensorData::fromDoubles(DType::BFloat16, {3, 4}, wave({3, 4}).toDoubles());
  expectEveryCutReassemblesWhole({"Add", {}, {{bf16}, {TensorData::fromDoubles(DType::BFloat16, {4}, std::vector<double>{0.5, -1, 2, 3})}}});
}

TEST(ElementwiseTiling, BroadcastOperandIsReadWholeAlongItsSizeOneAxes) {
  NodeCase c{"Add", {}, {{pattern(DType::Int8, {4, 6}, -128, 127)}, {pattern(DType::Int8, {4, 1}, -128, 127, 2)}}};
  TilingGeometry g = declaredGeometry(c);
  EXPECT_EQ(g.inputs[1][0].iterAxis, 0);
  EXPECT_EQ(g.inputs[1][1].iterAxis, -1);
  EXPECT_TRUE(reassembles(c, g, {0, 2}));
  TilingGeometry wrong = g;
  wrong.inputs[1][1] = AxisMap::follow(1);  // would hand later tiles an empty slice of the [4, 1] operand
  EXPECT_FALSE(reassembles(c, wrong, {0, 2}));
}

TEST(ElementwiseTiling, UnaryOperators) {
  TensorData x = wave({2, 3, 5});
  for (const char* op : {"Exp", "Tanh", "Ceil", "Floor", "Round", "Neg", "Abs", "Relu", "Sigmoid", "HardSwish", "Gelu"}) {
    expectEveryCutReassemblesWhole({op, {}, {{x}}});
  }
  for (const char* op : {"Sqrt", "Reciprocal"}) expectEveryCutReassemblesWhole({op, {}, {{positive({2, 3, 5})}}});
  expectEveryCutReassemblesWhole({"LeakyRelu", attributes({{"alpha", 0.2}}), {{x}}});
  expectEveryCutReassemblesWhole({"HardSigmoid", attributes({{"alpha", 0.3}, {"beta", 0.4}}), {{x}}});
  expectEveryCutReassemblesWhole({"Swish", attributes({{"alpha", 1.5}}), {{x}}});
  expectEveryCutReassemblesWhole({"Gelu", attributes({{"approximate", std::string("tanh")}}), {{x}}});
  TensorData x8 = pattern(DType::Int8, {3, 7}, -128, 127);
  for (const char* op : {"Relu", "Neg", "Abs"}) expectEveryCutReassemblesWhole({op, {}, {{x8}}});
}

TEST(ElementwiseTiling, ClipWithBoundInputsAndAttributes) {
  TensorData x8 = pattern(DType::Int8, {3, 2, 5}, -128, 127);
  expectEveryCutReassemblesWhole(
      {"Clip", {}, {{x8}, {TensorData::scalarInt(DType::Int8, -20), true}, {TensorData::scalarInt(DType::Int8, 90), true}}});
  // Run-time bounds: every tile reads the same scalar.
  expectEveryCutReassemblesWhole(
      {"Clip", {}, {{x8}, {TensorData::scalarInt(DType::Int8, -50)}, {TensorData::scalarInt(DType::Int8, 30)}}});
  expectEveryCutReassemblesWhole({"Clip", attributes({{"min", -1.0}, {"max", 2.0}}), {{wave({4, 6})}}});
  expectEveryCutReassemblesWhole({"Clip", {}, {{wave({4, 6})}, {floats({1}, {-0.5}), true}}});
}

TEST(ElementwiseTiling, Cast) {
  expectEveryCutReassemblesWhole({"Cast", attributes({{"to", int64_t{1}}}), {{pattern(DType::Int8, {3, 4}, -128, 127)}}});
  expectEveryCutReassemblesWhole({"Cast", attributes({{"to", int64_t{5}}}), {{wave({2, 3, 4}, 40000)}}});
}

TEST(ElementwiseTiling, ExpandSplitsOnlyTheAxesItCopies) {
  // Output [2, 3, 2]: axis 1 comes from the input (shape entry 1); axes 0 and 2 are sized by `shape`.
  NodeCase c{"Expand", {}, {{pattern(DType::Int8, {3, 1}, -128, 127)}, {int64s({2, 1, 2}), true}}};
  TilingGeometry g = declaredGeometry(c);
  EXPECT_EQ(g.splittable, (std::vector<bool>{false, true, false}));
  expectEveryCutReassemblesWhole(c);
  expectEveryCutReassemblesWhole({"Expand", {}, {{wave({1, 4, 5})}, {int64s({3, 1, 1}), true}}});
  // Splitting an axis that `shape` sizes: the tile's Expand still produces the whole extent.
  TilingGeometry wrong = g;
  wrong.splittable[2] = true;
  EXPECT_FALSE(reassembles(c, wrong, {0, 0, 1}));
}

// ---- RequantShift and the requantized activations ----

Attributes requantAttributes(int64_t div, int64_t levels, int64_t isSigned) {
  return attributes({{"div", div}, {"n_levels", levels}, {"signed", isSigned}});
}

NodeCase requantCase(TensorData x, TensorData mul, TensorData add, Attributes attrs) {
  return {"RequantShift", std::move(attrs), {{std::move(x)}, {std::move(mul), true}, {std::move(add), true}}};
}

TEST(RequantTiling, BroadcastParametersFollowTheirAxes) {
  TensorData x = pattern(DType::Int32, {2, 3, 5, 7}, -2000000, 2000000);
  NodeCase perChannel = requantCase(x, ints(DType::Int32, {3, 1, 1}, {7, -300, 65535}),
                                    ints(DType::Int32, {3, 1, 1}, {-5000, 0, 123456}), requantAttributes(1 << 16, 256, 1));
  TilingGeometry g = declaredGeometry(perChannel);
  EXPECT_EQ(g.inputs[1][0].iterAxis, 1);
  EXPECT_EQ(g.splittable, (std::vector<bool>(4, true)));
  expectEveryCutReassemblesWhole(perChannel);
  expectEveryCutReassemblesWhole(requantCase(x, ints(DType::Int32, {1, 3, 1, 1}, {3, 5, -7}),
                                             TensorData::scalarInt(DType::Int32, 9), requantAttributes(1 << 12, 256, 1)));
  // Per last-axis parameters, int8 input, unsigned output.
  expectEveryCutReassemblesWhole(requantCase(pattern(DType::Int8, {3, 4, 7}, -128, 127), TensorData::scalarInt(DType::Int32, 3),
                                             pattern(DType::Int32, {7}, -9, 9), requantAttributes(8, 256, 0)));
}

TEST(RequantTiling, OneDimensionalPerChannelParametersKeepTheirAxesWhole) {
  // mul [4] on [2, 4, 3, 2] is per channel (it does not broadcast against the last axis). A tile of two
  // channels would hold mul [2], which does broadcast against the last axis of 2: so neither the channel
  // axis nor the last axis splits.
  NodeCase c = requantCase(pattern(DType::Int32, {2, 4, 3, 2}, -1000, 1000), ints(DType::Int32, {4}, {1, 3, 5, 7}),
                           ints(DType::Int32, {4}, {0, 10, 20, 30}), requantAttributes(4, 65536, 1));
  TilingGeometry g = declaredGeometry(c);
  EXPECT_EQ(g.splittable, (std::vector<bool>{true, false, true, false}));
  expectEveryCutReassemblesWhole(c);
  TilingGeometry wrong = g;
  wrong.splittable[1] = true;
  wrong.inputs[1][0] = wrong.inputs[2][0] = AxisMap::follow(1);
  EXPECT_FALSE(reassembles(c, wrong, {0, 2, 0, 0}));
  // [C] on rank 2 is NumPy's last axis, which is the channel axis: everything splits.
  NodeCase rows = requantCase(pattern(DType::Int32, {5, 4}, -1000, 1000), ints(DType::Int32, {4}, {1, 3, 5, 7}),
                              TensorData::scalarInt(DType::Int32, 0), requantAttributes(4, 256, 1));
  EXPECT_EQ(declaredGeometry(rows).splittable, (std::vector<bool>{true, true}));
  expectEveryCutReassemblesWhole(rows);
}

TEST(RequantTiling, IntegerActivationsAndTheirRequantizedFusions) {
  TensorData x = pattern(DType::Int8, {3, 4, 5}, -128, 127);
  Attributes hardswish = attributes({{"one_over_six", 42}, {"three", 122}, {"six", 245}});
  Attributes gelu = attributes({{"b", -40}, {"one", 1743}});
  expectEveryCutReassemblesWhole({"iHardswish", hardswish, {{x}}});
  expectEveryCutReassemblesWhole({"iGELU", gelu, {{x}}});
  auto withRequant = [](Attributes a, int64_t div) {
    a.set("div", div);
    a.set("n_levels", int64_t{256});
    a.set("signed", int64_t{1});
    return a;
  };
  TensorData mul = ints(DType::Int32, {4, 1}, {13, -7, 200000, 1}), add = ints(DType::Int32, {4, 1}, {0, 100, -5, 7});
  expectEveryCutReassemblesWhole({"RQiGELU", withRequant(gelu, 16384), {{x}, {mul, true}, {add, true}}});
  expectEveryCutReassemblesWhole({"RQiHardswish",
                                  withRequant(hardswish, 65536),
                                  {{x}, {TensorData::scalarInt(DType::Int32, 3), true}, {ints(DType::Int32, {5}, {1, 2, 3, 4, 5}), true}}});
  // A per-channel [C] vector on a rank-3 input: as for RequantShift, channels and last axis stay whole.
  NodeCase vector{"RQiHardswish", withRequant(hardswish, 65536), {{x}, {ints(DType::Int32, {4}, {1, 2, 3, 4}), true}, {add, true}}};
  EXPECT_EQ(declaredGeometry(vector).splittable, (std::vector<bool>{true, false, false}));
  expectEveryCutReassemblesWhole(vector);
}

// ---- Integer divisions ----

TEST(IntegerDivTiling, AllThreeAreElementWise) {
  Attributes div = attributes({{"Delta", 16384}, {"eps", 1}, {"eta", 200000}});
  Attributes trueDiv = div;
  trueDiv.set("y", int64_t{2});
  expectEveryCutReassemblesWhole({"TrueIntegerDiv", trueDiv, {{pattern(DType::Int16, {3, 5}, -32768, 32767)}}});
  TensorData numerator = pattern(DType::Int32, {2, 3, 4}, -100000, 100000);
  TensorData denominator = pattern(DType::Int32, {3, 1}, 1, 300000, 3);
  expectEveryCutReassemblesWhole({"IntegerDiv", attributes({{"Delta", 3}, {"eps", 1}, {"eta", 2}}), {{numerator}, {denominator}}});
  auto scalar = [](int64_t v) { return NodeInput{TensorData::scalarInt(DType::Int32, v), true}; };
  NodeCase requantized{"RQIntegerDiv",
                       attributes({{"Delta", 1}, {"eps", 0}, {"eta", 1}}),
                       {{pattern(DType::Int32, {2, 3, 4}, -1000, 1000)}, {denominator}, scalar(3), scalar(1), scalar(4)}};
  expectEveryCutReassemblesWhole(requantized);
}

// ---- Integer normalizations ----

TEST(IntegerNormTiling, RmsNormSplitsRowsAndColumnsButReadsWholeRows) {
  TensorData rows = pattern(DType::Int8, {3, 5, 9}, -128, 127);
  NodeCase rms{"iRMSNorm", attributes({{"D", 65536}, {"n_levels", 256}}),
               {{rows}, {pattern(DType::Int32, {9}, 2000000, 4000000), true}}};
  TilingGeometry g = declaredGeometry(rms);
  EXPECT_EQ(g.splittable, (std::vector<bool>{true, true, true}));
  expectEveryCutReassemblesWhole(rms);
  // A column tile that read only its own columns of x would get the wrong root mean square.
  TilingGeometry wrong = g;
  wrong.inputs[0][2] = AxisMap::follow(2);
  EXPECT_FALSE(reassembles(rms, wrong, {0, 0, 3}));
  // The columns a part produces must lie in the row.
  NodeCase outside = rms;
  outside.attrs.set("output_columns", std::vector<int64_t>{4, 10});
  EXPECT_THROW(testing::runReference(outside), Error);
}

TEST(IntegerNormTiling, LayerNormRowsSplitButNotTheNormalizedAxis) {

  expectEveryCutReassemblesWhole({"iLayerNorm",
                                  attributes({{"D", 16384}, {"n_levels", 256}}),
                                  {{pattern(DType::UInt8, {4, 9}, 0, 255)},
                                   {pattern(DType::Int32, {9}, 200000, 300000), true},
                                   {pattern(DType::Int32, {1, 9}, -30000, 30000), true}}});
  // iNoNorm is element-wise: weights per middle axis, biases per last axis.
  expectEveryCutReassemblesWhole({"iNoNorm",
                                  attributes({{"D", 256}, {"mul", 425}}),
                                  {{pattern(DType::Int8, {2, 5, 3}, -128, 127)},
                                   {pattern(DType::Int8, {5, 1}, -128, 127, 2), true},
                                   {pattern(DType::Int16, {3}, -5000, 5000, 3), true}}});
}

// ---- Integer softmax ----

TEST(IntegerSoftmaxTiling, RowsSplitButNotTheSoftmaxAxis) {
  TensorData rows = pattern(DType::Int8, {3, 5, 7}, -128, 127);
  expectEveryCutReassemblesWhole({"iSoftmax",
                                  attributes({{"coeffA", 1}, {"coeffB", 345}, {"coeffC", 62395}, {"log2", 255}, {"n_levels", 256}}),
                                  {{rows}}});
  NodeCase itaMax{"ITAMax", attributes({{"n_levels", 256}}), {{rows}}};
  EXPECT_EQ(declaredGeometry(itaMax).splittable, (std::vector<bool>{true, true, false}));
  expectEveryCutReassemblesWhole(itaMax);
  TilingGeometry wrong = declaredGeometry(itaMax);
  wrong.splittable[2] = true;
  EXPECT_FALSE(reassembles(itaMax, wrong, {0, 0, 3}));

  // ITAPartialMax carries its running maximum and sum along a row, but restarts with every row.
  NodeCase partial{"ITAPartialMax", attributes({{"group_width", 4}, {"n_levels", 256}}),
                   {{pattern(DType::UInt8, {2, 3, 12}, 0, 255)}}};
  expectEveryCutReassemblesWhole(partial);
  TilingGeometry byGroups = declaredGeometry(partial);
  ASSERT_FALSE(byGroups.splittable[2]);
  byGroups.splittable[2] = true;  // even whole groups cannot be computed apart
  EXPECT_FALSE(reassembles(partial, byGroups, {0, 0, 4}));
}

// ---- Softmax ----

TEST(SoftmaxTiling, EveryAxisButTheSoftmaxAxisSplits) {
  NodeCase last{"Softmax", {}, {{wave({2, 3, 5})}}};
  TilingGeometry g = declaredGeometry(last);
  EXPECT_EQ(g.splittable, (std::vector<bool>{true, true, false}));
  expectEveryCutReassemblesWhole(last);
  TilingGeometry wrong = g;
  wrong.splittable[2] = true;
  EXPECT_FALSE(reassembles(last, wrong, {0, 0, 2}));

  NodeCase middle{"Softmax", attributes({{"axis", int64_t{1}}}), {{wave({2, 4, 3})}}};
  EXPECT_EQ(declaredGeometry(middle).splittable, (std::vector<bool>{true, false, true}));
  expectEveryCutReassemblesWhole(middle);
  expectEveryCutReassemblesWhole({"Softmax", attributes({{"axis", int64_t{-2}}}), {{wave({2, 4, 3})}}});
}

// ---- Float normalizations ----

TEST(NormalizationTiling, LayerNormAndRMSNormKeepTheNormalizedAxesWhole) {
  expectEveryCutReassemblesWhole({"LayerNormalization",
                                  attributes({{"epsilon", 1e-5}}),
                                  {{wave({2, 3, 8})}, {wave({8}, 1, 0.9), true}, {wave({8}, 0.5, 1.7), true}}});
  // axis 1 with Mean and InvStdDev outputs: those follow the batch axis.
  NodeCase blocks{"LayerNormalization",
                  attributes({{"axis", int64_t{1}}}),
                  {{wave({4, 3, 4})}, {wave({3, 4}, 1, 0.9), true}},
                  3};
  TilingGeometry g = declaredGeometry(blocks);
  EXPECT_EQ(g.splittable, (std::vector<bool>{true, false, false}));
  EXPECT_EQ(g.outputs[1][0].iterAxis, 0);
  expectEveryCutReassemblesWhole(blocks);
  TilingGeometry wrong = g;
  wrong.splittable[2] = true;
  EXPECT_FALSE(reassembles(blocks, wrong, {0, 0, 2}));

  expectEveryCutReassemblesWhole({"RMSNorm", attributes({{"eps", 1e-6}}), {{wave({2, 3, 6})}, {wave({6}, 1, 0.3), true}}});
  expectEveryCutReassemblesWhole(
      {"RMSNorm", attributes({{"axis", int64_t{-2}}}), {{wave({3, 2, 5})}, {wave({1, 5}, 1, 0.3), true}}});
}

TEST(NormalizationTiling, GroupNormSplitsOnlyTheBatch) {
  TensorData x = wave({3, 4, 3, 3});
  NodeCase perChannel{"GroupNormalization", attributes({{"num_groups", int64_t{2}}}),
                      {{x}, {wave({4}, 1, 0.9), true}, {wave({4}, 1, 1.9), true}}};
  TilingGeometry g = declaredGeometry(perChannel);
  EXPECT_EQ(g.splittable, (std::vector<bool>{true, false, false, false}));
  expectEveryCutReassemblesWhole(perChannel);
  expectEveryCutReassemblesWhole({"GroupNormalization", attributes({{"num_groups", int64_t{2}}}),
                                  {{x}, {wave({2}, 1, 0.9), true}, {wave({2}, 1, 1.9), true}}});
  TilingGeometry wrong = g;
  wrong.splittable[2] = true;
  EXPECT_FALSE(reassembles(perChannel, wrong, {0, 0, 1, 0}));
}

TEST(NormalizationTiling, InstanceNormSplitsBatchAndChannels) {
  NodeCase c{"InstanceNormalization", attributes({{"epsilon", 1e-5}}),
             {{wave({2, 3, 2, 4})}, {wave({3}, 1, 0.9), true}, {wave({3}, 1, 1.9), true}}};
  TilingGeometry g = declaredGeometry(c);
  EXPECT_EQ(g.splittable, (std::vector<bool>{true, true, false, false}));
  EXPECT_EQ(g.inputs[1][0].iterAxis, 1);
  expectEveryCutReassemblesWhole(c);
  TilingGeometry wrong = g;
  wrong.splittable[3] = true;
  EXPECT_FALSE(reassembles(c, wrong, {0, 0, 0, 2}));
}

TEST(NormalizationTiling, BatchNormParametersFollowTheChannels) {
  auto params = [](int64_t channels, double phase) { return NodeInput{wave({channels}, 1, phase), true}; };
  NodeCase c{"BatchNormalization", attributes({{"epsilon", 1e-5}}),
             {{wave({2, 3, 4, 4})}, params(3, 0.1), params(3, 0.7), params(3, 1.3), {positive({3}), true}}};
  TilingGeometry g = declaredGeometry(c);
  EXPECT_EQ(g.splittable, (std::vector<bool>(4, true)));
  expectEveryCutReassemblesWhole(c);
  expectEveryCutReassemblesWhole({"BatchNormalization", {},
                                  {{wave({4, 3})}, params(3, 0.1), params(3, 0.7), params(3, 1.3), {positive({3}), true}}});
  TilingGeometry wrong = g;
  for (size_t i = 1; i < 5; ++i) wrong.inputs[i] = {AxisMap::whole()};  // every tile would get all channels' parameters
  EXPECT_FALSE(reassembles(c, wrong, {0, 1, 0, 0}));
}

// ---- Reductions ----

TEST(ReduceTiling, KeptAxesSplitAndReducedAxesAreReadWhole) {
  TensorData x8 = pattern(DType::Int8, {3, 4, 5}, -128, 127);
  NodeCase sum{"ReduceSum", {}, {{x8}, {int64s({0, 2}), true}}};  // keepdims 1: output [1, 4, 1]
  TilingGeometry g = declaredGeometry(sum);
  EXPECT_EQ(g.splittable, (std::vector<bool>{false, true, false}));
  EXPECT_EQ(g.inputs[0][0].iterAxis, -1);
  expectEveryCutReassemblesWhole(sum);
  TilingGeometry wrong = g;
  wrong.inputs[0][2] = AxisMap::follow(2);  // a tile would sum only the first element of the reduced axis
  EXPECT_FALSE(reassembles(sum, wrong, {0, 2, 0}));

  NodeCase mean{"ReduceMean", attributes({{"axes", std::vector<int64_t>{1, 3}}, {"keepdims", int64_t{0}}}),
                {{wave({2, 3, 4, 5})}}};
  EXPECT_EQ(declaredGeometry(mean).inputs[0][2].iterAxis, 1);
  expectEveryCutReassemblesWhole(mean);
  expectEveryCutReassemblesWhole({"ReduceMean", attributes({{"axes", std::vector<int64_t>{1, 3}}}), {{wave({2, 3, 4, 5})}}});
  expectEveryCutReassemblesWhole(
      {"IntegerMean", attributes({{"axes", std::vector<int64_t>{-1}}, {"keepdims", int64_t{0}}}), {{x8}}});
  expectEveryCutReassemblesWhole({"ReduceSum", attributes({{"keepdims", int64_t{0}}}), {{x8}}}, false);
  expectEveryCutReassemblesWhole({"GlobalAveragePool", {}, {{wave({2, 3, 4, 4})}}});
  expectEveryCutReassemblesWhole({"GlobalMaxPool", {}, {{pattern(DType::UInt8, {2, 3, 5}, 0, 255)}}});
}

}  // namespace
}  // namespace deeploy
