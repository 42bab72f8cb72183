#include "tools/compare.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "tests/support/tensors.h"

namespace deeploy {
namespace {

// A graph with one float32 output named "y" of `n` elements.
Graph oneOutput(int64_t n, DType type = DType::Float32) {
  Graph g;
  Tensor y;
  y.name = "y";
  y.dtype = type;
  y.shape = {n};
  g.outputs.push_back(g.addTensor(y));
  return g;
}

bool sameFloats(double got, double want, double relativeTolerance = 0) {
  Graph g = oneOutput(1);
  return compareOutputs(g, {testing::floats({1}, {got})}, {{"y", testing::floats({1}, {want})}}, {relativeTolerance, 0})
      .passed;
}

TEST(CompareOutputs, FloatsWithinAnAbsoluteTolerance) {
  EXPECT_TRUE(sameFloats(0.5, 0.50009));
  EXPECT_FALSE(sameFloats(0.5, 0.5002));
}

TEST(CompareOutputs, TheToleranceIsAbsoluteAlsoForLargeFloats) {
  // One unit in the last place at 11078.94 is about 0.001: more than 1e-4, so it fails.
  const float want = 11078.9404f;
  EXPECT_FALSE(sameFloats(std::nextafter(want, std::numeric_limits<float>::infinity()), want));
  EXPECT_TRUE(sameFloats(want, want));
}

TEST(CompareOutputs, ARelativeToleranceWidensTheAbsoluteOneForLargeValues) {
  // At 20, rtol 1e-4 allows 2e-3; below 1 the absolute 1e-4 still applies.
  EXPECT_FALSE(sameFloats(20.0015, 20.0));
  EXPECT_TRUE(sameFloats(20.0015, 20.0, 1e-4));
  EXPECT_FALSE(sameFloats(20.0025, 20.0, 1e-4));
  EXPECT_TRUE(sameFloats(-20.0015, -20.0, 1e-4));
  EXPECT_TRUE(sameFloats(0.50009, 0.5, 1e-4));
  EXPECT_FALSE(sameFloats(0.5002, 0.5, 1e-4));
  EXPECT_FALSE(sameFloats(std::nan(""), 20.0, 1e-4));
}

TEST(CompareOutputs, NanAndInfinityNeverMatchFiniteValues) {
  const double inf = std::numeric_limits<double>::infinity();
  EXPECT_FALSE(sameFloats(std::nan(""), std::nan("")));
  EXPECT_FALSE(sameFloats(1e30, inf));
  EXPECT_TRUE(sameFloats(inf, inf));
}

TEST(CompareOutputs, IntegersExactlyAndTheFailureNamesTheFirstDifference) {
  Graph g = oneOutput(3, DType::Int8);
  Comparison c = compareOutputs(g, {testing::ints(DType::Int8, {3}, {1, 2, 3})}, {{"y", testing::ints(DType::Int8, {3}, {1, 2, 4})}});
  EXPECT_FALSE(c.passed);
  EXPECT_NE(c.message.find("'y'"), std::string::npos) << c.message;
  EXPECT_NE(c.message.find("1 of 3"), std::string::npos) << c.message;
  EXPECT_NE(c.message.find("index 2"), std::string::npos) << c.message;
}

TEST(CompareOutputs, AnIntegerToleranceAcceptsThatManyStepsEitherWay) {
  Graph g = oneOutput(3, DType::UInt8);
  auto got = testing::ints(DType::UInt8, {3}, {0, 128, 255});
  auto compare = [&](std::vector<int64_t> want, int64_t steps) {
    return compareOutputs(g, {got}, {{"y", testing::ints(DType::UInt8, {3}, want)}}, {0, steps}).passed;
  };
  EXPECT_TRUE(compare({1, 127, 254}, 1));
  EXPECT_FALSE(compare({1, 127, 254}, 0));
  EXPECT_FALSE(compare({0, 130, 255}, 1));
  EXPECT_TRUE(compare({0, 130, 255}, 2));
}

}  // namespace
}  // namespace deeploy
