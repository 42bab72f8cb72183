#include <gtest/gtest.h>

#include <cmath>

#include "tests/support/single_node.h"
#include "tests/support/tensors.h"

namespace deeploy {
namespace {

using namespace testing;

TEST(ReduceSum, Int8WidensToInt32AndDropsAxes) {
  NodeCase c{"ReduceSum", attributes({{"axes", std::vector<int64_t>{1}}, {"keepdims", int64_t{0}}}),
             {{ints(DType::Int8, {2, 3}, {127, 127, 127, -128, -128, 1})}}};
  auto out = testing::runReference(c);
  EXPECT_EQ(out[0].dtype(), DType::Int32);
  EXPECT_EQ(out[0].shape(), (Shape{2}));
  EXPECT_EQ(out[0].toInts(), (std::vector<int64_t>{381, -255}));
}

TEST(ReduceSum, AxesInputWithNegativeAxisKeepsDims) {
  NodeCase c{"ReduceSum", {}, {{floats({2, 2}, {1, 2, 3, 4})}, {int64s({-2}), true}}};
  auto out = testing::runReference(c);
  EXPECT_EQ(out[0].shape(), (Shape{1, 2}));
  EXPECT_EQ(out[0].toDoubles(), (std::vector<double>{4, 6}));
}

TEST(ReduceSum, EmptyAxesReduceEverythingOrNothing) {
  NodeCase all{"ReduceSum", {}, {{floats({2, 2}, {1, 2, 3, 4})}}};
  auto out = testing::runReference(all);
  EXPECT_EQ(out[0].shape(), (Shape{1, 1}));
  EXPECT_EQ(out[0].toDoubles(), (std::vector<double>{10}));

  NodeCase noop{"ReduceSum", attributes({{"noop_with_empty_axes", int64_t{1}}}),
                {{floats({2, 2}, {1, 2, 3, 4})}, {int64s({}), true}}};
  out = testing::runReference(noop);
  EXPECT_EQ(out[0].shape(), (Shape{2, 2}));
  EXPECT_EQ(out[0].toDoubles(), (std::vector<double>{1, 2, 3, 4}));
}

TEST(ReduceMean, IntegerMeanRoundsLikeDeeploy) {
  // Two values (a power of two): (sum + 1) >> 1, so -0.5 rounds up to 0 and -1.5 to -1.
  NodeCase pow2{"ReduceMean", attributes({{"axes", std::vector<int64_t>{1}}, {"keepdims", int64_t{0}}}),
                {{ints(DType::Int8, {4, 2}, {-1, 0, -1, -2, 1, 2, 127, 127})}}};
  auto out = testing::runReference(pow2);
  EXPECT_EQ(out[0].dtype(), DType::Int8);
  EXPECT_EQ(out[0].toInts(), (std::vector<int64_t>{0, -1, 2, 127}));
  // Three values: (sum + sign(sum) * 1) / 3 truncated, i.e. halves away from zero.
  NodeCase odd{"ReduceMean", attributes({{"axes", std::vector<int64_t>{1}}, {"keepdims", int64_t{0}}}),
               {{ints(DType::Int8, {4, 3}, {1, 1, 0, -1, -1, 0, 1, 0, 0, -1, 0, 0})}}};
  EXPECT_EQ(testing::runReference(odd)[0].toInts(), (std::vector<int64_t>{1, -1, 0, 0}));
}

TEST(IntegerMean, SameRuleAsIntegerReduceMean) {
  NodeCase c{"IntegerMean", attributes({{"axes", std::vector<int64_t>{0}}, {"keepdims", int64_t{0}}}),
             {{ints(DType::Int16, {5, 1}, {3, 3, 3, 3, 4})}}};
  EXPECT_EQ(testing::runReference(c)[0].toInts(), (std::vector<int64_t>{3}));  // (16 + 2) / 5
}

TEST(ReduceMean, FloatMeanOverTwoAxes) {
  NodeCase c{"ReduceMean", {}, {{floats({2, 2, 2}, {1, 2, 3, 4, 5, 6, 7, 9})}, {int64s({0, 2}), true}}};
  auto out = testing::runReference(c);
  EXPECT_EQ(out[0].shape(), (Shape{1, 2, 1}));
  EXPECT_EQ(out[0].toDoubles(), (std::vector<double>{3.5, 5.75}));
}

TEST(GlobalPools, AverageAndMaxOverSpatialAxes) {
  TensorData x = floats({1, 2, 2, 2}, {1, 2, 3, 4, -1, -5, -2, -3});
  auto avg = testing::runReference({"GlobalAveragePool", {}, {{x}}});
  EXPECT_EQ(avg[0].shape(), (Shape{1, 2, 1, 1}));
  EXPECT_EQ(avg[0].toDoubles(), (std::vector<double>{2.5, -2.75}));
  auto max = testing::runReference({"GlobalMaxPool", {}, {{x}}});
  EXPECT_EQ(max[0].toDoubles(), (std::vector<double>{4, -1}));
  auto maxInt = testing::runReference({"GlobalMaxPool", {}, {{ints(DType::Int8, {1, 1, 3}, {-128, -7, -100})}}});
  EXPECT_EQ(maxInt[0].dtype(), DType::Int8);
  EXPECT_EQ(maxInt[0].toInts(), (std::vector<int64_t>{-7}));
}

TEST(ReduceErrors, BadAxesNameTheNode) {
  expectErrorMentioning({"ReduceSum", attributes({{"axes", std::vector<int64_t>{2}}}), {{floats({2, 2}, {1, 2, 3, 4})}}},
                        "out of range");
  expectErrorMentioning({"ReduceMean", attributes({{"axes", std::vector<int64_t>{1, -1}}}), {{floats({2, 2}, {1, 2, 3, 4})}}},
                        "named twice");
  expectErrorMentioning({"ReduceMean", {}, {{floats({2, 2}, {1, 2, 3, 4})}, {int64s({0})}}}, "must be a constant");
  expectErrorMentioning({"GlobalAveragePool", {}, {{floats({4}, {1, 2, 3, 4})}}}, "rank >= 2");
}

TEST(ReduceKernels, GeneratedCMatchesReferenceOnAlternatingAxes) {
  // Axes 0 and 2 of three: kept and reduced dimensions alternate; int8 sums accumulate in int32.
  NodeCase sum{"ReduceSum", {}, {{ints(DType::Int8, {3, 4, 5}, patternValues(60, -128, 127))}, {int64s({0, 2}), true}}};
  EXPECT_EQ(testing::runGeneratedC(sum)[0], testing::runReference(sum)[0]);
  // 15 values per mean (not a power of two), int16 data, size-1 axis in between.
  NodeCase mean{"ReduceMean", attributes({{"axes", std::vector<int64_t>{1, 3}}, {"keepdims", int64_t{0}}}),
                {{ints(DType::Int16, {2, 3, 1, 5, 3}, patternValues(90, -32768, 32767))}}};
  EXPECT_EQ(testing::runGeneratedC(mean)[0], testing::runReference(mean)[0]);
  // 32-bit data accumulates in 64 bits; a power-of-two count.
  NodeCase wide{"ReduceMean", attributes({{"axes", std::vector<int64_t>{0}}}),
                {{ints(DType::Int32, {4, 3}, patternValues(12, -2000000000, 2000000000))}}};
  EXPECT_EQ(testing::runGeneratedC(wide)[0], testing::runReference(wide)[0]);
}

TEST(ReduceKernels, GeneratedCMatchesReferenceOnFloatsAndNarrowOutputs) {
  std::vector<double> values(2 * 3 * 7);
  for (size_t i = 0; i < values.size(); ++i) values[i] = std::sin(static_cast<double>(i)) * 10;
  NodeCase mean{"ReduceMean", attributes({{"axes", std::vector<int64_t>{-1}}, {"keepdims", int64_t{0}}}), {{floats({2, 3, 7}, values)}}};
  auto c = testing::runGeneratedC(mean)[0], ref = testing::runReference(mean)[0];
  ASSERT_EQ(c.shape(), ref.shape());
  for (int64_t i = 0; i < c.size(); ++i) EXPECT_NEAR(c.getDouble(i), ref.getDouble(i), 1e-5);
  // A declared int8 output of a sum wraps the int32 accumulator.
  NodeCase narrow{"ReduceSum", attributes({{"axes", std::vector<int64_t>{1}}}), {{ints(DType::UInt8, {3, 4}, patternValues(12, 0, 255))}}, 1, {DType::Int8}};
  auto out = testing::runGeneratedC(narrow)[0];
  EXPECT_EQ(out.dtype(), DType::Int8);
  EXPECT_EQ(out, testing::runReference(narrow)[0]);
  NodeCase max{"GlobalMaxPool", {}, {{ints(DType::UInt8, {2, 3, 5}, patternValues(30, 0, 255))}}};
  EXPECT_EQ(testing::runGeneratedC(max)[0], testing::runReference(max)[0]);
}

TEST(ReduceMaxMin, KeepTheTypeAndGiveTheExtremes) {
  TensorData x = ints(DType::Int8, {2, 3}, {-128, 5, 127, 0, -1, -7});
  NodeCase max{"ReduceMax", attributes({{"axes", std::vector<int64_t>{1}}, {"keepdims", int64_t{0}}}), {{x}}};
  NodeCase min{"ReduceMin", attributes({{"axes", std::vector<int64_t>{-1}}}), {{x}}};
  EXPECT_EQ(testing::runReference(max)[0], ints(DType::Int8, {2}, {127, 0}));
  EXPECT_EQ(testing::runReference(min)[0], ints(DType::Int8, {2, 1}, {-128, -7}));
  EXPECT_EQ(testing::runGeneratedC(max)[0], testing::runReference(max)[0]);
  EXPECT_EQ(testing::runGeneratedC(min)[0], testing::runReference(min)[0]);
  // Over an empty axis: the identities, the type's extremes.
  NodeCase empty{"ReduceMin", attributes({{"axes", std::vector<int64_t>{1}}}), {{ints(DType::UInt16, {2, 0}, {})}}};
  EXPECT_EQ(testing::runGeneratedC(empty)[0], ints(DType::UInt16, {2, 1}, {65535, 65535}));
  EXPECT_EQ(testing::runReference(empty)[0], ints(DType::UInt16, {2, 1}, {65535, 65535}));
}

TEST(ReduceKernels, ZeroSizeReducedAxisGivesTheEmptySum) {
  NodeCase c{"ReduceSum", attributes({{"axes", std::vector<int64_t>{1}}}), {{ints(DType::Int8, {2, 0, 3}, {})}}};
  auto out = testing::runGeneratedC(c)[0];
  EXPECT_EQ(out.shape(), (Shape{2, 1, 3}));
  EXPECT_EQ(out.toInts(), std::vector<int64_t>(6, 0));
  EXPECT_EQ(out, testing::runReference(c)[0]);
}

}  // namespace
}  // namespace deeploy
