#include <gtest/gtest.h>

#include <cmath>

#include "ops/interpreter.h"
#include "passes/pipeline.h"
#include "tests/support/single_node.h"
#include "tests/support/tensors.h"

extern "C" {
#include "kernels/softmax.h"
}

namespace deeploy {
namespace {

using namespace testing;

std::vector<double> referenceValues(const NodeCase& c) { return testing::runReference(c).at(0).toDoubles(); }

void expectNear(const std::vector<double>& got, const std::vector<double>& want, double tolerance = 1e-6) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], tolerance) << "element " << i;
}

// Float kernels compute in float32, the reference in double rounded to float32: a few ulps apart.
void expectGeneratedCCloseToReference(const NodeCase& c) {
  TensorData want = testing::runReference(c).at(0), got = testing::runGeneratedC(c).at(0);
  ASSERT_EQ(got.dtype(), want.dtype());
  ASSERT_EQ(got.shape(), want.shape());
  for (int64_t i = 0; i < want.size(); ++i) {
    double w = want.getDouble(i);
    EXPECT_NEAR(got.getDouble(i), w, 1e-6 + 4e-7 * std::fabs(w)) << c.op << " element " << i;
  }
}

// Values spread over [-6, 6) with the special points 0 and +-0.5 steps included.
std::vector<double> spread(int count) {
  std::vector<double> v;
  for (int i = 0; i < count; ++i) v.push_back(-6.0 + 12.0 * i / count);
  return v;
}

TEST(Round, TiesGoToEven) {
  NodeCase c{"Round", {}, {{floats({8}, {-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 2.6, -2.4})}}};
  EXPECT_EQ(referenceValues(c), (std::vector<double>{-2, -2, 0, 0, 2, 2, 3, -2}));
}

TEST(CeilFloor, RoundTowardInfinities) {
  std::vector<double> x{-1.5, -1.0, 0.25, 2.0};
  EXPECT_EQ(referenceValues({"Ceil", {}, {{floats({4}, x)}}}), (std::vector<double>{-1, -1, 1, 2}));
  EXPECT_EQ(referenceValues({"Floor", {}, {{floats({4}, x)}}}), (std::vector<double>{-2, -1, 0, 2}));
}

TEST(Relu, Int8KeepsItsType) {
  NodeCase c{"Relu", {}, {{ints(DType::Int8, {5}, {-128, -1, 0, 5, 127})}}};
  auto out = testing::runReference(c);
  EXPECT_EQ(out[0].dtype(), DType::Int8);
  EXPECT_EQ(out[0].toInts(), (std::vector<int64_t>{0, 0, 0, 5, 127}));
}

TEST(NegAbs, MostNegativeValueWraps) {
  TensorData x = ints(DType::Int8, {4}, {-128, -5, 0, 127});
  EXPECT_EQ(testing::runReference({"Neg", {}, {{x}}})[0].toInts(), (std::vector<int64_t>{-128, 5, 0, -127}));
  EXPECT_EQ(testing::runReference({"Abs", {}, {{x}}})[0].toInts(), (std::vector<int64_t>{-128, 5, 0, 127}));
}

TEST(Relu, UnsignedInputIsRejected) {
  expectErrorMentioning({"Relu", {}, {{ints(DType::UInt8, {2}, {1, 2})}}}, "float32 or signed integer");
}

TEST(Sigmoid, FloatOnly) {
  expectErrorMentioning({"Sigmoid", {}, {{ints(DType::Int8, {2}, {1, 2})}}}, "takes float32 input, got int8");
}

TEST(Activations, HandComputedValues) {
  TensorData x = floats({4}, {-3, 0, 1, 3});
  expectNear(referenceValues({"Sigmoid", {}, {{x}}}), {0.0474258732, 0.5, 0.7310585786, 0.9525741268});
  expectNear(referenceValues({"HardSigmoid", {}, {{x}}}), {0, 0.5, 0.7, 1});
  Attributes steep;
  steep.set("alpha", 0.5);
  steep.set("beta", 0.25);
  expectNear(referenceValues({"HardSigmoid", steep, {{x}}}), {0, 0.25, 0.75, 1});
  expectNear(referenceValues({"HardSwish", {}, {{x}}}), {0, 0, 2.0 / 3.0, 3});
  expectNear(referenceValues({"LeakyRelu", {}, {{x}}}), {-0.03, 0, 1, 3});
  expectNear(referenceValues({"Swish", {}, {{x}}}), {-0.1422776195, 0, 0.7310585786, 2.8577223805});
  Attributes alpha2;
  alpha2.set("alpha", 2.0);
  expectNear(referenceValues({"Swish", alpha2, {{x}}}), {-0.0074178695, 0, 0.8807970780, 2.9925821305});
}

TEST(Gelu, ExactAndTanhForms) {
  TensorData x = floats({3}, {-1, 0, 1});
  expectNear(referenceValues({"Gelu", {}, {{x}}}), {-0.1586552539, 0, 0.8413447461});
  Attributes tanhForm;
  tanhForm.set("approximate", std::string("tanh"));
  expectNear(referenceValues({"Gelu", tanhForm, {{x}}}), {-0.1588080094, 0, 0.8411919906});
}

TEST(Gelu, UnknownApproximationIsRejected) {
  Attributes bad;
  bad.set("approximate", std::string("erf"));
  expectErrorMentioning({"Gelu", bad, {{floats({1}, {0})}}}, "approximate");
}

TEST(Clip, FloatBoundsFromInputs) {
  NodeCase c{"Clip", {}, {{floats({5}, {-3, -1, 0, 1, 3})}, {floats({}, {-1.5}), true}, {floats({}, {2}), true}}};
  EXPECT_EQ(referenceValues(c), (std::vector<double>{-1.5, -1, 0, 1, 2}));
}

TEST(Clip, AbsentMinOnlyClipsAbove) {
  NodeCase c{"Clip", {}, {{floats({3}, {-100, 0, 100})}, {TensorData()}, {floats({}, {1}), true}}};
  EXPECT_EQ(referenceValues(c), (std::vector<double>{-100, 0, 1}));
}

TEST(Clip, MinAboveMaxGivesMax) {
  NodeCase c{"Clip", {}, {{floats({3}, {-5, 0, 5})}, {floats({}, {2}), true}, {floats({}, {1}), true}}};
  EXPECT_EQ(referenceValues(c), (std::vector<double>{1, 1, 1}));
}

TEST(Clip, OldOpsetAttributes) {
  Attributes bounds;
  bounds.set("min", -0.5);
  bounds.set("max", 0.5);
  EXPECT_EQ(referenceValues({"Clip", bounds, {{floats({3}, {-5, 0.25, 5})}}}), (std::vector<double>{-0.5, 0.25, 0.5}));
}

TEST(Clip, IntegerBoundsBeyondTheTypeSaturate) {
  NodeCase c{"Clip", {}, {{ints(DType::UInt8, {3}, {0, 100, 255})}, {ints(DType::Int16, {}, {-300}), true},
                          {ints(DType::Int16, {}, {300}), true}}};
  auto out = testing::runReference(c);
  EXPECT_EQ(out[0].dtype(), DType::UInt8);
  EXPECT_EQ(out[0].toInts(), (std::vector<int64_t>{0, 100, 255}));
}

TEST(Clip, IntegerResultsOutsideTheTypeAreRejected) {
  NodeCase c{"Clip", {}, {{ints(DType::Int8, {2}, {1, 2})}, {ints(DType::Int16, {}, {200}), true}}};
  expectErrorMentioning(c, "outside the range");
}

TEST(Clip, NonScalarBoundIsRejected) {
  NodeCase c{"Clip", {}, {{floats({2}, {1, 2})}, {floats({2}, {0, 1}), true}}};
  expectErrorMentioning(c, "'min' must be a scalar");
}

TEST(FloatSoftmax, LastAxisByDefault) {
  NodeCase c{"Softmax", {}, {{floats({2, 3}, {1, 2, 3, 0, 0, 0})}}};
  expectNear(referenceValues(c), {0.0900305732, 0.2447284711, 0.6652409558, 1.0 / 3, 1.0 / 3, 1.0 / 3});
}

TEST(FloatSoftmax, FirstAxis) {
  Attributes axis0;
  axis0.set("axis", int64_t{0});
  NodeCase c{"Softmax", axis0, {{floats({2, 2}, {0, 5, std::log(3.0), 5})}}};
  expectNear(referenceValues(c), {0.25, 0.5, 0.75, 0.5});
}

TEST(FloatSoftmax, AxisOutOfRangeIsRejected) {
  Attributes axis2;
  axis2.set("axis", int64_t{2});
  expectErrorMentioning({"Softmax", axis2, {{floats({2, 2}, {0, 0, 0, 0})}}}, "out of range");
}

// Deeploy's networks declare old opsets but mean the last axis: the opset-13 definition applies to all.
TEST(FloatSoftmax, OldOpsetWithoutAxisNormalizesTheLastAxis) {
  TensorData x = floats({1, 2, 2}, {0, 0, 0, std::log(3.0)});
  Graph g = testing::makeSingleNodeGraph({"Softmax", {}, {{x}}});
  g.opset = 10;
  runMidend(g);
  expectNear(interpretGraph(g, {x})[0].toDoubles(), {0.5, 0.5, 0.25, 0.75});
}

TEST(UnaryKernels, GeneratedCMatchesReferenceForFloatOps) {
  TensorData x = floats({37}, spread(37));
  Attributes tanhForm, alpha, hardSigmoid;
  tanhForm.set("approximate", std::string("tanh"));
  alpha.set("alpha", 0.3);
  hardSigmoid.set("alpha", 0.3);
  hardSigmoid.set("beta", 0.4);
  for (const NodeCase& c : std::vector<NodeCase>{
           {"Exp", {}, {{x}}}, {"Tanh", {}, {{x}}}, {"Round", {}, {{x}}}, {"Reciprocal", {}, {{x}}},
           {"Sigmoid", {}, {{x}}}, {"HardSigmoid", hardSigmoid, {{x}}}, {"HardSwish", {}, {{x}}},
           {"Swish", alpha, {{x}}}, {"LeakyRelu", alpha, {{x}}}, {"Gelu", {}, {{x}}}, {"Gelu", tanhForm, {{x}}}}) {
    expectGeneratedCCloseToReference(c);
  }
  expectGeneratedCCloseToReference({"Sqrt", {}, {{floats({3, 1}, {0, 2, 1e6})}}});
  NodeCase ties{"Round", {}, {{floats({6}, {-2.5, -1.5, -0.5, 0.5, 1.5, 2.5})}}};
  EXPECT_EQ(testing::runGeneratedC(ties)[0].toDoubles(), (std::vector<double>{-2, -2, 0, 0, 2, 2}));
}

TEST(UnaryKernels, GeneratedCMatchesReferenceForIntegerOps) {
  for (const char* op : {"Relu", "Neg", "Abs"}) {
    NodeCase c{op, {}, {{ints(DType::Int16, {2, 3}, {-32768, -7, 0, 1, 300, 32767})}}};
    EXPECT_EQ(testing::runGeneratedC(c)[0], testing::runReference(c)[0]) << op;
  }
}

TEST(ClipKernel, GeneratedCMatchesReferenceWithRunTimeAndAbsentBounds) {
  NodeCase runtime{"Clip", {}, {{ints(DType::Int8, {7}, {-128, -50, -1, 0, 1, 50, 127})},
                                {ints(DType::Int8, {}, {-20})}, {ints(DType::Int8, {}, {60})}}};
  EXPECT_EQ(testing::runGeneratedC(runtime)[0].toInts(), (std::vector<int64_t>{-20, -20, -1, 0, 1, 50, 60}));
  NodeCase onlyMin{"Clip", {}, {{floats({5}, {-1e30, -1, 0, 1, 1e30})}, {floats({}, {-0.5}), true}}};
  EXPECT_EQ(testing::runGeneratedC(onlyMin)[0], testing::runReference(onlyMin)[0]);
}

TEST(FloatSoftmaxKernel, GeneratedCMatchesReferenceOnEveryAxis) {
  // 37 inner columns exercise the kernel's column blocks (32 wide) and their remainder.
  Shape shape{3, 5, 37};
  std::vector<double> x = spread(3 * 5 * 37);
  for (int64_t axis : {0, 1, 2}) {
    Attributes attrs;
    attrs.set("axis", axis);
    expectGeneratedCCloseToReference({"Softmax", attrs, {{floats(shape, x)}}});
  }
}

TEST(FloatSoftmaxKernel, ZeroSizeDimensionsWriteNothing) {
  EXPECT_EQ(testing::runReference({"Softmax", {}, {{floats({2, 0, 3}, {})}}})[0].shape(), (Shape{2, 0, 3}));
  const float x[4] = {1, 2, 3, 4};
  float y[4] = {-1, -1, -1, -1};
  dp_softmax_f32(x, y, 2, 0, 2);
  dp_softmax_f32(x, y, 0, 2, 2);
  dp_softmax_f32(x, y, 2, 2, 0);
  for (float v : y) EXPECT_EQ(v, -1.0f);
}

}  // namespace
}  // namespace deeploy
