// Max, Min, Sum and Mean over one or more broadcast inputs: the reference against hand-computed values,
// NaN propagation, the type rules, and the generated C (the kernel folded over the inputs) against the
// reference, whole and in tiles.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "tests/support/single_node.h"
#include "tests/support/tensors.h"
#include "tests/support/tiling_check.h"

namespace deeploy {
namespace {

using namespace testing;

const double kNaN = std::numeric_limits<double>::quiet_NaN();

// Three float inputs of shapes [2, 3], [3] and [2, 1].
NodeCase threeInputs(const std::string& op) {
  return {op, {}, {{floats({2, 3}, {1, -2, 3, 4, -5, 6})}, {floats({3}, {0.5, 0.5, 5})}, {floats({2, 1}, {2, -1})}}};
}

TEST(Variadic, MaxMinSumMeanOfThreeBroadcastInputs) {
  EXPECT_EQ(runReference(threeInputs("Max"))[0].toDoubles(), (std::vector<double>{2, 2, 5, 4, 0.5, 6}));
  EXPECT_EQ(runReference(threeInputs("Min"))[0].toDoubles(), (std::vector<double>{0.5, -2, 2, -1, -5, -1}));
  EXPECT_EQ(runReference(threeInputs("Sum"))[0].toDoubles(), (std::vector<double>{3.5, 0.5, 10, 3.5, -5.5, 10}));
  auto mean = runReference(threeInputs("Mean"))[0];
  EXPECT_EQ(mean.shape(), (Shape{2, 3}));
  EXPECT_FLOAT_EQ(static_cast<float>(mean.getDouble(0)), 3.5f / 3);
  EXPECT_FLOAT_EQ(static_cast<float>(mean.getDouble(4)), -5.5f / 3);
}

TEST(Variadic, OneInputIsItsValue) {
  for (const char* op : {"Max", "Min", "Sum", "Mean"}) {
    NodeCase c{op, {}, {{floats({3}, {1, -2, 3})}}};
    EXPECT_EQ(runReference(c)[0].toDoubles(), (std::vector<double>{1, -2, 3})) << op;
    EXPECT_EQ(runGeneratedC(c)[0].toDoubles(), (std::vector<double>{1, -2, 3})) << op;
  }
}

TEST(Variadic, MaxAndMinPropagateNaNFromAnyInput) {
  for (const char* op : {"Max", "Min"}) {
    NodeCase c{op, {}, {{floats({3}, {kNaN, 1, 2})}, {floats({3}, {0, kNaN, 1})}, {floats({3}, {5, 5, 5})}}};
    for (const auto& out : {runReference(c)[0], runGeneratedC(c)[0]}) {
      EXPECT_TRUE(std::isnan(out.getDouble(0))) << op;
      EXPECT_TRUE(std::isnan(out.getDouble(1))) << op;
      EXPECT_EQ(out.getDouble(2), std::string(op) == "Max" ? 5 : 1) << op;
    }
  }
}

TEST(Variadic, IntegerMaxAndMinKeepTheType) {
  NodeCase c{"Max", {}, {{ints(DType::UInt8, {2, 2}, {0, 255, 7, 9})}, {ints(DType::UInt8, {2}, {200, 3})}}};
  auto out = runReference(c)[0];
  EXPECT_EQ(out.dtype(), DType::UInt8);
  EXPECT_EQ(out.toInts(), (std::vector<int64_t>{200, 255, 200, 9}));
  c.op = "Min";
  EXPECT_EQ(runReference(c)[0].toInts(), (std::vector<int64_t>{0, 3, 7, 3}));
}

TEST(Variadic, TypeRulesAreClearErrors) {
  expectErrorMentioning({"Mean", {}, {{ints(DType::Int32, {2}, {1, 2})}, {ints(DType::Int32, {2}, {3, 4})}}},
                        "Sum and Mean take float tensors only");
  expectErrorMentioning({"Sum", {}, {{ints(DType::Int8, {2}, {1, 2})}}}, "Sum and Mean take float tensors only");
  expectErrorMentioning({"Max", {}, {{ints(DType::Int8, {2}, {1, 2})}, {ints(DType::Int16, {2}, {1, 2})}}}, "one type");
  expectErrorMentioning({"Min", {}, {{floats({3}, {1, 2, 3})}, {floats({2}, {1, 2})}}}, "broadcast");
}

TEST(Variadic, GeneratedCMatchesReferenceOnBroadcastShapes) {
  for (const char* op : {"Max", "Min", "Sum", "Mean"}) {
    NodeCase c{op, {}, {{floatPattern({2, 1, 4}, 1)}, {floatPattern({3, 1}, 2)}, {floatPattern({4}, 3), true}, {floatPattern({2, 3, 4}, 4)}}};
    expectGeneratedCMatchesReference(c);
  }
  for (DType type : {DType::Int8, DType::UInt16, DType::Int32, DType::Int64}) {
    NodeCase c{"Max", {}, {{pattern(type, {3, 4}, 0, 100, 1)}, {pattern(type, {4}, 0, 100, 2)}}};
    expectGeneratedCMatchesReference(c);
    c.op = "Min";
    expectGeneratedCMatchesReference(c);
  }
}

TEST(Variadic, TilesReassembleTheWholeNode) {
  for (const char* op : {"Max", "Sum", "Mean"}) {
    expectEveryCutReassemblesWhole({op, {}, {{floatPattern({2, 3, 4}, 1)}, {floatPattern({3, 1}, 2)}, {floatPattern({4}, 3)}}});
  }
}

}  // namespace
}  // namespace deeploy
