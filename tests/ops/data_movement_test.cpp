#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "passes/pipeline.h"
#include "tests/support/single_node.h"
#include "tests/support/tensors.h"

namespace deeploy {
namespace {

using namespace testing;
using Ints = std::vector<int64_t>;

// 0, 1, 2, ... as `type`, wrapping into the type's range.
TensorData ramp(DType type, Shape shape) {
  TensorData t(type, std::move(shape));
  for (int64_t i = 0; i < t.size(); ++i) {
    if (isInteger(type)) {
      t.setInt(i, i * 37 % 251 - 100);
    } else {
      t.setDouble(i, static_cast<double>(i) * 0.25 - 3);
    }
  }
  return t;
}

// ---- Reshape family and Identity -------------------------------------------------------------------

TEST(Reshape, ZeroCopiesAndMinusOneInfers) {
  NodeCase c{"Reshape", {}, {{ramp(DType::Int8, {2, 3, 4})}, {int64s({0, -1, 2}), true}}};
  auto out = testing::runReference(c);
  EXPECT_EQ(out[0].shape(), (Shape{2, 6, 2}));
  EXPECT_EQ(out[0].toInts(), ramp(DType::Int8, {2, 3, 4}).toInts());
}

TEST(Reshape, AllowZeroMakesZeroADimension) {
  NodeCase c{"Reshape", attributes({{"allowzero", int64_t{1}}}), {{ramp(DType::Int8, {2, 0})}, {int64s({0, 5}), true}}};
  EXPECT_EQ(testing::runReference(c)[0].shape(), (Shape{0, 5}));
}

TEST(Reshape, OldOpsetShapeAttribute) {
  NodeCase c{"Reshape", attributes({{"shape", Ints{4, -1}}}), {{ramp(DType::Float32, {2, 2, 2})}}};
  EXPECT_EQ(testing::runReference(c)[0].shape(), (Shape{4, 2}));
}

TEST(Reshape, Errors) {
  expectErrorMentioning({"Reshape", {}, {{ramp(DType::Int8, {2, 3})}, {int64s({-1, -1}), true}}}, "more than one -1");
  expectErrorMentioning({"Reshape", {}, {{ramp(DType::Int8, {2, 3})}, {int64s({4, 2}), true}}}, "cannot reshape [2, 3]");
  expectErrorMentioning({"Reshape", {}, {{ramp(DType::Int8, {2, 3})}, {int64s({6})}}}, "must be a constant");
}

TEST(Flatten, AxisSplitsTheDimensions) {
  NodeCase c{"Flatten", attributes({{"axis", int64_t{-1}}}), {{ramp(DType::Int8, {2, 3, 4})}}};
  EXPECT_EQ(testing::runReference(c)[0].shape(), (Shape{6, 4}));
  NodeCase zero{"Flatten", attributes({{"axis", int64_t{0}}}), {{ramp(DType::Int8, {2, 3, 4})}}};
  EXPECT_EQ(testing::runReference(zero)[0].shape(), (Shape{1, 24}));
  expectErrorMentioning({"Flatten", attributes({{"axis", int64_t{4}}}), {{ramp(DType::Int8, {2, 3, 4})}}}, "out of range");
}

TEST(Squeeze, WithoutAxesDropsAllOnes) {
  NodeCase c{"Squeeze", {}, {{ramp(DType::Float32, {1, 3, 1, 2})}}};
  EXPECT_EQ(testing::runReference(c)[0].shape(), (Shape{3, 2}));
}

TEST(Squeeze, AxesAsAttributeOrInput) {
  NodeCase attr{"Squeeze", attributes({{"axes", Ints{-2}}}), {{ramp(DType::Float32, {1, 3, 1, 2})}}};
  EXPECT_EQ(testing::runReference(attr)[0].shape(), (Shape{1, 3, 2}));
  NodeCase input{"Squeeze", {}, {{ramp(DType::Float32, {1, 3, 1, 2})}, {int64s({0}), true}}};
  EXPECT_EQ(testing::runReference(input)[0].shape(), (Shape{3, 1, 2}));
  expectErrorMentioning({"Squeeze", attributes({{"axes", Ints{1}}}), {{ramp(DType::Float32, {1, 3})}}}, "size is not 1");
}

TEST(Unsqueeze, InsertsAxesOfTheOutputRank) {
  NodeCase attr{"Unsqueeze", attributes({{"axes", Ints{0, -1}}}), {{ramp(DType::Int16, {3, 2})}}};
  EXPECT_EQ(testing::runReference(attr)[0].shape(), (Shape{1, 3, 2, 1}));
  NodeCase input{"Unsqueeze", {}, {{ramp(DType::Int16, {3, 2})}, {int64s({1, 2}), true}}};
  EXPECT_EQ(testing::runReference(input)[0].shape(), (Shape{3, 1, 1, 2}));
  expectErrorMentioning({"Unsqueeze", attributes({{"axes", Ints{0, -4}}}), {{ramp(DType::Int16, {3, 2})}}}, "repeated");
}

TEST(Views, GeneratedCCopiesThroughTheSharedBuffer) {
  expectGeneratedCMatchesReference({"Identity", {}, {{ramp(DType::Int16, {3, 5})}}});
  expectGeneratedCMatchesReference({"Reshape", {}, {{ramp(DType::Float32, {3, 5})}, {int64s({5, 3}), true}}});
  // A Cast to the input's own type between a graph input and output stays as a view.
  expectGeneratedCMatchesReference({"Cast", attributes({{"to", int64_t{5}}}), {{ramp(DType::Int16, {4})}}});
}

// ---- Constant and Shape ----------------------------------------------------------------------------

TEST(Constant, AttributeForms) {
  auto ints64 = testing::runReference({"Constant", attributes({{"value_ints", Ints{4, -5, 6}}}), {}});
  EXPECT_EQ(ints64[0].dtype(), DType::Int64);
  EXPECT_EQ(ints64[0].toInts(), (Ints{4, -5, 6}));
  auto scalar = testing::runReference({"Constant", attributes({{"value_float", 2.5}}), {}});
  EXPECT_EQ(scalar[0].dtype(), DType::Float32);
  EXPECT_EQ(scalar[0].shape(), Shape{});
  EXPECT_EQ(scalar[0].toDoubles(), (std::vector<double>{2.5}));
  auto tensor = testing::runReference({"Constant", attributes({{"value", ints(DType::Int8, {2}, {7, -7})}}), {}});
  EXPECT_EQ(tensor[0], ints(DType::Int8, {2}, {7, -7}));
  expectErrorMentioning({"Constant", attributes({{"value_int", int64_t{1}}, {"value_float", 1.0}}), {}}, "exactly one");
}

TEST(Shape, StartAndEndSelectDimensionsAndFoldAway) {
  NodeCase c{"Shape", attributes({{"start", int64_t{1}}, {"end", int64_t{-1}}}), {{ramp(DType::Int8, {2, 3, 4, 5})}}};
  EXPECT_EQ(testing::runReference(c)[0], int64s({3, 4}));
  Graph g = testing::makeSingleNodeGraph({"Shape", {}, {{ramp(DType::Int8, {2, 3})}}});
  runMidend(g);
  EXPECT_TRUE(g.nodes.empty());
  ASSERT_TRUE(g.tensor(g.outputs[0]).isConstant());
  EXPECT_EQ(*g.tensor(g.outputs[0]).constant, int64s({2, 3}));
}

// ---- Cast ------------------------------------------------------------------------------------------

TensorData specialFloats() { return floats({8}, {-1.7, 1.7, 300.5, -300, std::nan(""), INFINITY, -INFINITY, 127.99}); }

TEST(Cast, FloatToIntegerTruncatesAndSaturates) {
  NodeCase s8{"Cast", attributes({{"to", int64_t{3}}}), {{specialFloats()}}};
  EXPECT_EQ(testing::runReference(s8)[0], ints(DType::Int8, {8}, {-1, 1, 127, -128, 0, 127, -128, 127}));
  NodeCase u8{"Cast", attributes({{"to", int64_t{2}}}), {{specialFloats()}}};
  EXPECT_EQ(testing::runReference(u8)[0], ints(DType::UInt8, {8}, {0, 1, 255, 0, 0, 255, 0, 127}));
}

TEST(Cast, IntegersWrapAndBoolTestsNonZero) {
  NodeCase u8{"Cast", attributes({{"to", int64_t{2}}}), {{ints(DType::Int16, {3}, {300, -1, 0})}}};
  EXPECT_EQ(testing::runReference(u8)[0], ints(DType::UInt8, {3}, {44, 255, 0}));
  NodeCase b{"Cast", attributes({{"to", int64_t{9}}}), {{floats({4}, {0.0, -0.0, 0.5, std::nan("")})}}};
  EXPECT_EQ(testing::runReference(b)[0], ints(DType::Bool, {4}, {0, 0, 1, 1}));
}

TEST(Cast, RoundsToNearestEvenAndConvertsInt64Directly) {
  NodeCase bf{"Cast", attributes({{"to", int64_t{16}}}), {{floats({2}, {1.00390625, 1.01171875})}}};
  EXPECT_EQ(testing::runReference(bf)[0].toDoubles(), (std::vector<double>{1.0, 1.015625}));
  // 2^53 + 1 rounds to 2^53 + 2 through double then float, to 2^53 directly.
  NodeCase f{"Cast", attributes({{"to", int64_t{1}}}), {{ints(DType::Int64, {1}, {(int64_t{1} << 53) + 1})}}};
  EXPECT_EQ(testing::runReference(f)[0].getDouble(0), 9007199254740992.0);
}

TEST(Cast, OpsetOneStringTargetAndUnsupportedTypes) {
  NodeCase c{"Cast", attributes({{"to", std::string("INT16")}}), {{floats({2}, {-2.5, 7.9})}}};
  EXPECT_EQ(testing::runReference(c)[0], ints(DType::Int16, {2}, {-2, 7}));
  expectErrorMentioning({"Cast", attributes({{"to", int64_t{10}}}), {{floats({1}, {1})}}}, "not float16");
}

TEST(Cast, GeneratedCMatchesReferenceForEveryKindOfPair) {
  TensorData wide = floats({9}, {-1.7, 1.7, 300.5, -70000, std::nan(""), INFINITY, 3e9, -0.5, 65535.5});
  for (int64_t to : {3, 12, 16}) expectGeneratedCMatchesReference({"Cast", attributes({{"to", to}}), {{wide}}});
  TensorData bf = wide.castTo(DType::BFloat16);
  expectGeneratedCMatchesReference({"Cast", attributes({{"to", int64_t{5}}}), {{bf}}});
  expectGeneratedCMatchesReference(
      {"Cast", attributes({{"to", int64_t{1}}}), {{ints(DType::Int64, {3}, {(int64_t{1} << 53) + 1, -5, 1 << 24})}}});
  expectGeneratedCMatchesReference({"Cast", attributes({{"to", int64_t{9}}}), {{ints(DType::Int32, {4}, {0, 1, -1, 256})}}});
  expectGeneratedCMatchesReference({"Cast", attributes({{"to", int64_t{2}}}), {{ints(DType::Int16, {3}, {300, -1, 0})}}});
}

// ---- Transpose -------------------------------------------------------------------------------------

TEST(Transpose, DefaultPermutationReverses) {
  NodeCase c{"Transpose", {}, {{ints(DType::Int8, {2, 3}, {0, 1, 2, 3, 4, 5})}}};
  auto out = testing::runReference(c);
  EXPECT_EQ(out[0].shape(), (Shape{3, 2}));
  EXPECT_EQ(out[0].toInts(), (Ints{0, 3, 1, 4, 2, 5}));
}

TEST(Transpose, ExplicitPermutation) {
  // x[a][b][c] = 100a + 10b + c over [2, 2, 3]; perm (2, 0, 1): y[c][a][b] = x[a][b][c].
  NodeCase c{"Transpose",
             attributes({{"perm", Ints{2, 0, 1}}}),
             {{ints(DType::Int16, {2, 2, 3}, {0, 1, 2, 10, 11, 12, 100, 101, 102, 110, 111, 112})}}};
  auto out = testing::runReference(c);
  EXPECT_EQ(out[0].shape(), (Shape{3, 2, 2}));
  EXPECT_EQ(out[0].toInts(), (Ints{0, 10, 100, 110, 1, 11, 101, 111, 2, 12, 102, 112}));
  expectErrorMentioning({"Transpose", attributes({{"perm", Ints{0, 0, 1}}}), {{ramp(DType::Int8, {2, 2, 3})}}},
                        "not a permutation");
}

TEST(Transpose, GeneratedCMatchesReference) {
  expectGeneratedCMatchesReference(
      {"Transpose", attributes({{"perm", Ints{0, 3, 1, 2}}}), {{ramp(DType::Int16, {2, 3, 4, 5})}}});
  expectGeneratedCMatchesReference(
      {"Transpose", attributes({{"perm", Ints{4, 2, 0, 3, 1}}}), {{ramp(DType::Float32, {3, 1, 5, 2, 2})}}});
  expectGeneratedCMatchesReference({"Transpose", attributes({{"perm", Ints{1, 0, 2}}}), {{ramp(DType::UInt8, {7, 9, 3})}}});
}

// ---- Pad -------------------------------------------------------------------------------------------

NodeCase pad1d(const std::string& mode, Ints pads) {
  return {"Pad", attributes({{"mode", mode}}), {{ints(DType::Int8, {4}, {1, 2, 3, 4})}, {int64s(pads), true}}};
}

TEST(Pad, ModesOnOneDimension) {
  EXPECT_EQ(testing::runReference(pad1d("reflect", {2, 2}))[0].toInts(), (Ints{3, 2, 1, 2, 3, 4, 3, 2}));
  EXPECT_EQ(testing::runReference(pad1d("edge", {2, 2}))[0].toInts(), (Ints{1, 1, 1, 2, 3, 4, 4, 4}));
  EXPECT_EQ(testing::runReference(pad1d("wrap", {2, 2}))[0].toInts(), (Ints{3, 4, 1, 2, 3, 4, 1, 2}));
  EXPECT_EQ(testing::runReference(pad1d("constant", {-1, 2}))[0].toInts(), (Ints{2, 3, 4, 0, 0}));
}

TEST(Pad, ReflectLongerThanTheDimensionRepeats) {
  NodeCase c{"Pad",
             attributes({{"mode", std::string("reflect")}}),
             {{ints(DType::Int8, {3}, {1, 2, 3})}, {int64s({4, 0}), true}}};
  EXPECT_EQ(testing::runReference(c)[0].toInts(), (Ints{1, 2, 3, 2, 1, 2, 3}));
}

TEST(Pad, ValueAttributeAndConstantValueInput) {
  NodeCase attr{
      "Pad", attributes({{"pads", Ints{1, 0, 0, 1}}, {"value", 9.0}}), {{ints(DType::Int8, {2, 2}, {1, 2, 3, 4})}}};
  EXPECT_EQ(testing::runReference(attr)[0].toInts(), (Ints{9, 9, 9, 1, 2, 9, 3, 4, 9}));
  NodeCase input{
      "Pad",
      {},
      {{ints(DType::Int8, {2, 2}, {1, 2, 3, 4})}, {int64s({0, 1, 0, 0}), true}, {ints(DType::Int8, {}, {-5})}}};
  EXPECT_EQ(testing::runReference(input)[0].toInts(), (Ints{-5, 1, 2, -5, 3, 4}));
}

TEST(Pad, AxesInputPadsOnlyThoseAxes) {
  NodeCase c{"Pad",
             attributes({{"mode", std::string("edge")}}),
             {{ints(DType::Int8, {2, 3}, {1, 2, 3, 4, 5, 6})}, {int64s({1, 0}), true}, {}, {int64s({0}), true}}};
  auto out = testing::runReference(c);
  EXPECT_EQ(out[0].shape(), (Shape{3, 3}));
  EXPECT_EQ(out[0].toInts(), (Ints{1, 2, 3, 1, 2, 3, 4, 5, 6}));
}

TEST(Pad, Errors) {
  expectErrorMentioning(pad1d("reflect", {1}), "expected 2 pads");
  expectErrorMentioning(pad1d("mirror", {1, 1}), "unknown mode");
  expectErrorMentioning(pad1d("constant", {-3, -2}), "crop more");
  expectErrorMentioning(
      {"Pad", attributes({{"mode", std::string("edge")}}), {{ramp(DType::Int8, {0, 2})}, {int64s({1, 0, 0, 0}), true}}},
      "empty axis");
}

TEST(Pad, GeneratedCMatchesReference) {
  expectGeneratedCMatchesReference({"Pad",
                                    attributes({{"mode", std::string("reflect")}}),
                                    {{ramp(DType::Int8, {2, 3, 4})}, {int64s({0, 1, 2, 1, 0, 3}), true}}});
  expectGeneratedCMatchesReference({"Pad",
                                    attributes({{"mode", std::string("edge")}}),
                                    {{ramp(DType::Float32, {3, 1, 2, 5})}, {int64s({1, 0, 2, 0, 0, 1, 0, 3}), true}}});
  expectGeneratedCMatchesReference({"Pad",
                                    attributes({{"mode", std::string("wrap")}}),
                                    {{ramp(DType::Int32, {3, 4})}, {int64s({5, -1, 0, 6}), true}}});
  expectGeneratedCMatchesReference({"Pad",
                                    attributes({{"pads", Ints{0, -1, 2, 1, 2, -2}}, {"value", -INFINITY}}),
                                    {{ramp(DType::Float32, {2, 3, 4})}}});
  expectGeneratedCMatchesReference(
      {"Pad",
       {},
       {{ramp(DType::Int16, {2, 0, 3})}, {int64s({0, 1, 0, 1, 1, 1}), true}, {ints(DType::Int16, {1}, {-7})}}});
}

// ---- Concat ----------------------------------------------------------------------------------------

TEST(Concat, MixedIntegerTypesPromoteAndEmptyInputsContributeNothing) {
  NodeCase c{"Concat",
             attributes({{"axis", int64_t{-1}}}),
             {{ints(DType::Int8, {2, 1}, {-128, 5})},
              {ints(DType::Int8, {2, 0}, {})},
              {ints(DType::UInt8, {2, 2}, {255, 0, 7, 200})}}};
  auto out = testing::runReference(c);
  EXPECT_EQ(out[0].dtype(), DType::Int16);
  EXPECT_EQ(out[0].shape(), (Shape{2, 3}));
  EXPECT_EQ(out[0].toInts(), (Ints{-128, 255, 0, 5, 7, 200}));
}

TEST(Concat, Errors) {
  expectErrorMentioning(
      {"Concat", attributes({{"axis", int64_t{0}}}), {{ramp(DType::Int8, {2, 1})}, {ramp(DType::Int8, {2, 2})}}},
      "incompatible");
  expectErrorMentioning({"Concat", attributes({{"axis", int64_t{2}}}), {{ramp(DType::Int8, {2, 1})}}}, "out of range");
}

TEST(Concat, GeneratedCMatchesReference) {
  expectGeneratedCMatchesReference({"Concat",
                                    attributes({{"axis", int64_t{1}}}),
                                    {{ramp(DType::Int8, {2, 3, 5})},
                                     {ramp(DType::Int8, {2, 0, 5})},
                                     {ramp(DType::UInt8, {2, 4, 5}), true},
                                     {ramp(DType::Int16, {2, 1, 5})}}});
  expectGeneratedCMatchesReference(
      {"Concat",
       attributes({{"axis", int64_t{0}}}),
       {{ramp(DType::Float32, {1, 7})}, {ramp(DType::Float32, {3, 7})}, {ramp(DType::Float32, {2, 7})}}});
}

// ---- Slice -----------------------------------------------------------------------------------------

NodeCase slice(TensorData x, Ints starts, Ints ends, Ints axes, Ints steps) {
  return {"Slice",
          {},
          {{std::move(x)}, {int64s(starts), true}, {int64s(ends), true}, {int64s(axes), true}, {int64s(steps), true}}};
}

TEST(Slice, NegativeStepsWalkBackwards) {
  TensorData x = ints(DType::Int8, {10}, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
  EXPECT_EQ(testing::runReference(slice(x, {-1}, {-11}, {0}, {-1}))[0].toInts(), (Ints{9, 8, 7, 6, 5, 4, 3, 2, 1, 0}));
  EXPECT_EQ(testing::runReference(slice(x, {8}, {0}, {0}, {-3}))[0].toInts(), (Ints{8, 5, 2}));
  Ints huge{std::numeric_limits<int64_t>::max()};
  EXPECT_EQ(testing::runReference(slice(x, {1}, huge, {0}, {2}))[0].toInts(), (Ints{1, 3, 5, 7, 9}));
  EXPECT_EQ(testing::runReference(slice(x, {5}, {2}, {0}, {1}))[0].shape(), (Shape{0}));
}

TEST(Slice, AxesInAnyOrderClampEnds) {
  TensorData x = ints(DType::Int8, {3, 4}, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11});
  auto out = testing::runReference(slice(x, {1, -2}, {100, 3}, {1, 0}, {1, 1}));
  EXPECT_EQ(out[0].shape(), (Shape{2, 3}));
  EXPECT_EQ(out[0].toInts(), (Ints{5, 6, 7, 9, 10, 11}));
}

TEST(Slice, OpsetOneAttributes) {
  NodeCase c{"Slice",
             attributes({{"starts", Ints{0}}, {"ends", Ints{2}}, {"axes", Ints{1}}}),
             {{ints(DType::Int8, {3, 4}, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11})}}};
  EXPECT_EQ(testing::runReference(c)[0].toInts(), (Ints{0, 1, 4, 5, 8, 9}));
}

TEST(Slice, Errors) {
  TensorData x = ramp(DType::Int8, {3, 4});
  expectErrorMentioning(slice(x, {0}, {2}, {0}, {0}), "step 0");
  expectErrorMentioning(slice(x, {0, 0}, {2, 2}, {1, -1}, {1, 1}), "repeated");
  expectErrorMentioning(slice(x, {0}, {2}, {2}, {1}), "out of range");
}

TEST(Slice, GeneratedCMatchesReference) {
  expectGeneratedCMatchesReference(slice(ramp(DType::Int8, {4, 5, 6}), {-1, 0, 1}, {-100, 4, -1}, {2, 0, 1}, {-2, 3, 1}));
  expectGeneratedCMatchesReference(slice(ramp(DType::Float32, {3, 8, 2}), {1, -1}, {3, -9}, {0, 1}, {1, -1}));
}

// ---- Gather and Expand -----------------------------------------------------------------------------

TEST(Gather, NegativeIndicesAndAxes) {
  TensorData x = ints(DType::Int16, {3, 2}, {1, 2, 3, 4, 5, 6});
  auto rows = testing::runReference({"Gather", {}, {{x}, {ints(DType::Int64, {2, 2}, {0, -1, 1, 0}), true}}});
  EXPECT_EQ(rows[0].shape(), (Shape{2, 2, 2}));
  EXPECT_EQ(rows[0].toInts(), (Ints{1, 2, 5, 6, 3, 4, 1, 2}));
  auto columns =
      testing::runReference({"Gather", attributes({{"axis", int64_t{1}}}), {{x}, {ints(DType::Int64, {1}, {-1})}}});
  EXPECT_EQ(columns[0].shape(), (Shape{3, 1}));
  EXPECT_EQ(columns[0].toInts(), (Ints{2, 4, 6}));
  auto scalar = testing::runReference({"Gather", {}, {{x}, {ints(DType::Int32, {}, {1}), true}}});
  EXPECT_EQ(scalar[0], ints(DType::Int16, {2}, {3, 4}));
}

TEST(Gather, Errors) {
  TensorData x = ramp(DType::Int16, {3, 2});
  expectErrorMentioning({"Gather", {}, {{x}, {ints(DType::Int64, {1}, {3}), true}}}, "out of range for axis 0");
  expectErrorMentioning({"Gather", {}, {{x}, {ints(DType::Int64, {1}, {-4})}}}, "out of range");
  expectErrorMentioning({"Gather", {}, {{x}, {floats({1}, {0.5})}}}, "must be integers");
}

TEST(Gather, GeneratedCMatchesReference) {
  expectGeneratedCMatchesReference({"Gather",
                                    attributes({{"axis", int64_t{1}}}),
                                    {{ramp(DType::Float32, {2, 5, 3})}, {ints(DType::Int64, {2, 2}, {4, -5, 0, -1})}}});
  expectGeneratedCMatchesReference({"Gather", {}, {{ramp(DType::Int8, {6, 4}), true}, {ints(DType::UInt8, {3}, {5, 0, 2})}}});
  expectGeneratedCMatchesReference({"Gather",
                                    attributes({{"axis", int64_t{-1}}}),
                                    {{ramp(DType::Int16, {3, 4})}, {ints(DType::Int64, {2}, {-1, 1}), true}}});
}

TEST(Expand, BroadcastsBothWays) {
  NodeCase c{"Expand", {}, {{ints(DType::Int8, {3, 1}, {1, 2, 3})}, {int64s({2, 1, 2}), true}}};
  auto out = testing::runReference(c);
  EXPECT_EQ(out[0].shape(), (Shape{2, 3, 2}));
  EXPECT_EQ(out[0].toInts(), (Ints{1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3}));
  expectErrorMentioning({"Expand", {}, {{ramp(DType::Int8, {3, 2})}, {int64s({4}), true}}}, "cannot broadcast");
  expectGeneratedCMatchesReference({"Expand", {}, {{ramp(DType::Int16, {3, 1, 4})}, {int64s({2, 1, 5, 1}), true}}});
}

}  // namespace
}  // namespace deeploy
