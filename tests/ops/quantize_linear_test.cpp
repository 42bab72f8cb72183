// The ONNX quantization operators: QuantizeLinear, DequantizeLinear, DynamicQuantizeLinear (ops/quantize_linear.cpp)
// and QLinearMatMul, MatMulInteger, QLinearConv, ConvInteger (ops/quantized_products.cpp).
#include <gtest/gtest.h>

#include <random>

#include "tests/support/single_node.h"
#include "tests/support/tensors.h"
#include "tests/support/tiling_check.h"

namespace deeploy {
namespace {

using namespace testing;

const TensorData kAbsent;

std::vector<int64_t> referenceInts(const NodeCase& c) { return runReference(c).at(0).toInts(); }

// The reference and the generated C agree with `want`.
void expectBothGive(const NodeCase& c, const std::vector<int64_t>& want) {
  EXPECT_EQ(referenceInts(c), want) << "reference";
  EXPECT_EQ(runGeneratedC(c).at(0).toInts(), want) << "generated C";
}

TensorData scalarFloat(double v) { return floats({}, {v}); }

// Uniform floats in [lo, hi] (their low bits arbitrary, so divisions round).
TensorData randomFloats(Shape shape, double lo, double hi, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(static_cast<float>(lo), static_cast<float>(hi));
  std::vector<double> v(static_cast<size_t>(elementCount(shape)));
  for (double& x : v) x = dist(rng);
  return floats(std::move(shape), v);
}

// Uniform integers over the whole range of `type`.
TensorData randomInts(DType type, Shape shape, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int64_t> dist(integerMin(type), integerMax(type));
  std::vector<int64_t> v(static_cast<size_t>(elementCount(shape)));
  for (int64_t& x : v) x = dist(rng);
  return ints(type, std::move(shape), v);
}

// ---- QuantizeLinear ----------------------------------------------------------------------------------

TEST(QuantizeLinear, TiesRoundToEven) {
  NodeCase c{"QuantizeLinear", {}, {{floats({8}, {2.5, -2.5, 0.5, -0.5, 1.5, -1.5, 3.5, 2.4999})}, {scalarFloat(1), true},
                                    {ints(DType::Int8, {}, {0}), true}}};
  expectBothGive(c, {2, -2, 0, 0, 2, -2, 4, 2});
  // x / scale = 2.5 exactly, then the zero point.
  expectBothGive({"QuantizeLinear", {}, {{floats({2}, {5, -5})}, {scalarFloat(2), true}, {ints(DType::UInt8, {}, {10}), true}}},
                 {12, 8});
}

TEST(QuantizeLinear, SaturatesAtBothEndsOfInt8AndUInt8) {
  const TensorData x = floats({6}, {1000, -1000, 117.4, -138.6, 118, -139});
  expectBothGive({"QuantizeLinear", {}, {{x}, {scalarFloat(1), true}, {ints(DType::Int8, {}, {10}), true}}},
                 {127, -128, 127, -128, 127, -128});
  expectBothGive({"QuantizeLinear", {}, {{x}, {scalarFloat(1), true}, {ints(DType::UInt8, {}, {128}), true}}},
                 {255, 0, 245, 0, 246, 0});
}

TEST(QuantizeLinear, WithoutZeroPointGivesUInt8) {
  NodeCase c{"QuantizeLinear", {}, {{floats({5}, {-1, 0.4, 0.6, 254.5, 300})}, {scalarFloat(1), true}}};
  auto out = runReference(c);
  EXPECT_EQ(out.at(0).dtype(), DType::UInt8);
  expectBothGive(c, {0, 0, 1, 254, 255});
}

// x [2, 3, 4] with scales 1, 2, 4 and zero points -1, 0, 1 along axis 1: y = x / scale + zero point.
NodeCase middleAxisCase(int64_t axis) {
  std::vector<double> x;
  for (int i = 0; i < 24; ++i) x.push_back(i * 4.0 - 40);
  return {"QuantizeLinear", attributes({{"axis", axis}}),
          {{floats({2, 3, 4}, x)}, {floats({3}, {1, 2, 4}), true}, {ints(DType::Int8, {3}, {-1, 0, 1}), true}}};
}

std::vector<int64_t> middleAxisExpected() {
  std::vector<int64_t> want;
  const double scales[] = {1, 2, 4};
  const int64_t zeros[] = {-1, 0, 1};
  for (int i = 0; i < 24; ++i) want.push_back(static_cast<int64_t>((i * 4.0 - 40) / scales[i / 4 % 3]) + zeros[i / 4 % 3]);
  return want;
}

TEST(QuantizeLinear, PerAxisOnAMiddleAxis) { expectBothGive(middleAxisCase(1), middleAxisExpected()); }

TEST(QuantizeLinear, NegativeAxisCountsFromTheBack) { expectBothGive(middleAxisCase(-2), middleAxisExpected()); }

TEST(QuantizeLinear, Int32InputConvertsToFloat) {
  expectBothGive({"QuantizeLinear", {}, {{ints(DType::Int32, {3}, {7, -7, 1000})}, {scalarFloat(2), true},
                                         {ints(DType::Int8, {}, {0}), true}}},
                 {4, -4, 127});
}

TEST(QuantizeLinear, ZeroSizedInput) {
  NodeCase c{"QuantizeLinear", {}, {{floats({0, 3}, {})}, {scalarFloat(1), true}, {ints(DType::Int8, {}, {0}), true}}};
  EXPECT_EQ(runReference(c).at(0).shape(), (Shape{0, 3}));
  EXPECT_EQ(runGeneratedC(c).at(0).shape(), (Shape{0, 3}));
}

TEST(QuantizeLinear, RejectsFloat8And4BitAndBlockedQuantization) {
  const TensorData x = floats({4}, {1, 2, 3, 4});
  for (int64_t code : {17, 19}) {
    expectErrorMentioning({"QuantizeLinear", attributes({{"output_dtype", code}}), {{x}, {scalarFloat(1), true}}}, "float8");
  }
  for (int64_t code : {21, 22}) {
    expectErrorMentioning({"QuantizeLinear", attributes({{"output_dtype", code}}), {{x}, {scalarFloat(1), true}}}, "4-bit");
  }
  expectErrorMentioning({"QuantizeLinear", attributes({{"block_size", int64_t{2}}}),
                         {{x}, {floats({2}, {1, 2}), true}, {ints(DType::Int8, {2}, {0, 0}), true}}},
                        "block_size");
  expectErrorMentioning({"DequantizeLinear", attributes({{"block_size", int64_t{2}}}),
                         {{ints(DType::Int8, {4}, {1, 2, 3, 4})}, {floats({2}, {1, 2}), true}}},
                        "block_size");
}

TEST(QuantizeLinear, RejectsBadScalesAndZeroPoints) {
  const TensorData x = floats({2, 3}, {1, 2, 3, 4, 5, 6});
  expectErrorMentioning({"QuantizeLinear", {}, {{x}, {TensorData::fromDoubles(DType::Float64, {}, std::vector<double>{1}), true}}},
                        "the scale must be float32");
  expectErrorMentioning({"QuantizeLinear", {}, {{x}, {floats({2}, {1, 2}), true}}}, "has 2 elements");
  expectErrorMentioning({"QuantizeLinear", {}, {{x}, {scalarFloat(1), true}, {ints(DType::Int32, {}, {0}), true}}},
                        "zero point must be int8, uint8");
  expectErrorMentioning({"QuantizeLinear", attributes({{"output_dtype", int64_t{3}}}),
                         {{x}, {scalarFloat(1), true}, {ints(DType::UInt8, {}, {0}), true}}},
                        "differs from the zero point's type");
}

TEST(QuantizeLinear, GeneratedCMatchesReferenceOnRandomData) {
  const TensorData x = randomFloats({3, 5, 7}, -40, 40, 1);
  expectGeneratedCMatchesReference({"QuantizeLinear", {}, {{x}, {scalarFloat(0.173), true}, {ints(DType::UInt8, {}, {131}), true}}});
  expectGeneratedCMatchesReference({"QuantizeLinear", attributes({{"axis", int64_t{2}}}),
                                    {{x}, {randomFloats({7}, 0.05, 0.5, 2), true}, {randomInts(DType::Int8, {7}, 3), true}}});
  expectGeneratedCMatchesReference({"QuantizeLinear", attributes({{"axis", int64_t{0}}}),
                                    {{x}, {randomFloats({3}, 0.001, 0.01, 4)}, {randomInts(DType::Int16, {3}, 5)}}});
  expectGeneratedCMatchesReference({"QuantizeLinear", {}, {{x}, {scalarFloat(0.4)}, {ints(DType::UInt16, {}, {30000})}}});
}

TEST(QuantizeLinear, PerAxisTilesReassembleWhole) {
  expectEveryCutReassemblesWhole({"QuantizeLinear", attributes({{"axis", int64_t{-2}}}),
                                  {{randomFloats({2, 4, 3}, -5, 5, 6)}, {randomFloats({4}, 0.01, 0.1, 7), true},
                                   {randomInts(DType::Int8, {4}, 8), true}}});
}

// ---- DequantizeLinear --------------------------------------------------------------------------------

TEST(DequantizeLinear, SubtractsZeroPointThenScales) {
  NodeCase c{"DequantizeLinear", {}, {{ints(DType::UInt8, {4}, {0, 3, 128, 255})}, {scalarFloat(2), true},
                                      {ints(DType::UInt8, {}, {128}), true}}};
  const std::vector<double> want = {-256, -250, 0, 254};
  EXPECT_EQ(runReference(c).at(0).toDoubles(), want);
  EXPECT_EQ(runGeneratedC(c).at(0).toDoubles(), want);
}

TEST(DequantizeLinear, ZeroPointAbsentAndInt32Input) {
  NodeCase c{"DequantizeLinear", {}, {{ints(DType::Int32, {3}, {-2147483647 - 1, 5, 2147483647})}, {scalarFloat(0.5), true}}};
  const std::vector<double> want = {-1073741824.0, 2.5, 1073741824.0};
  EXPECT_EQ(runReference(c).at(0).toDoubles(), want);
  EXPECT_EQ(runGeneratedC(c).at(0).toDoubles(), want);
}

TEST(DequantizeLinear, PerAxisWithNegativeAxis) {
  NodeCase c{"DequantizeLinear", attributes({{"axis", int64_t{-1}}}),
             {{ints(DType::Int8, {2, 2}, {10, 10, -10, -10})}, {floats({2}, {0.5, 4}), true}, {ints(DType::Int8, {2}, {0, 2}), true}}};
  const std::vector<double> want = {5, 32, -5, -48};
  EXPECT_EQ(runReference(c).at(0).toDoubles(), want);
  EXPECT_EQ(runGeneratedC(c).at(0).toDoubles(), want);
}

TEST(DequantizeLinear, GeneratedCMatchesReferenceOnRandomData) {
  expectGeneratedCMatchesReference({"DequantizeLinear", attributes({{"axis", int64_t{1}}}),
                                    {{randomInts(DType::UInt8, {2, 6, 5}, 1)}, {randomFloats({6}, 0.001, 0.3, 2), true},
                                     {randomInts(DType::UInt8, {6}, 3), true}}});
  expectGeneratedCMatchesReference({"DequantizeLinear", {},
                                    {{randomInts(DType::Int32, {40}, 4)}, {randomFloats({}, 0.001, 0.3, 5)}}});
  expectGeneratedCMatchesReference({"DequantizeLinear", {},
                                    {{randomInts(DType::Int16, {4, 4}, 6)}, {scalarFloat(0.0173), true}, {ints(DType::Int16, {}, {-300})}}});
}

// ---- DynamicQuantizeLinear -----------------------------------------------------------------------------

TEST(DynamicQuantizeLinear, OnnxExample) {
  NodeCase c{"DynamicQuantizeLinear", {}, {{floats({6}, {0, 2, -3, -2.5, 1.34, 0.5})}}, 3};
  for (const auto& out : {runReference(c), runGeneratedC(c)}) {
    EXPECT_EQ(out.at(0).toInts(), (std::vector<int64_t>{153, 255, 0, 26, 221, 179}));
    EXPECT_EQ(out.at(1).getDouble(0), static_cast<double>(5.0f / 255.0f));
    EXPECT_EQ(out.at(2).getInt(0), 153);
  }
}

TEST(DynamicQuantizeLinear, AllZeroAndEmptyInputsUseScaleOne) {
  for (const TensorData& x : {floats({3}, {0, 0, 0}), floats({0}, {})}) {
    NodeCase c{"DynamicQuantizeLinear", {}, {{x}}, 3};
    for (const auto& out : {runReference(c), runGeneratedC(c)}) {
      EXPECT_EQ(out.at(0).toInts(), std::vector<int64_t>(static_cast<size_t>(x.size()), 0));
      EXPECT_EQ(out.at(1).getDouble(0), 1.0);
      EXPECT_EQ(out.at(2).getInt(0), 0);
    }
  }
}

TEST(DynamicQuantizeLinear, GeneratedCMatchesReferenceOnRandomData) {
  expectGeneratedCMatchesReference({"DynamicQuantizeLinear", {}, {{randomFloats({4, 33}, -7, 3, 1)}}, 3});
  expectGeneratedCMatchesReference({"DynamicQuantizeLinear", {}, {{randomFloats({50}, 0.5, 9, 2)}}, 3});
}

// ---- MatMulInteger and QLinearMatMul -------------------------------------------------------------------

TEST(MatMulInteger, PerRowAndPerColumnZeroPoints) {
  // A [2, 2] - rows' zero points {1, 2}; B [2, 2] - columns' zero points {0, 3}.
  NodeCase c{"MatMulInteger", {}, {{ints(DType::UInt8, {2, 2}, {1, 3, 4, 6})}, {ints(DType::Int8, {2, 2}, {1, 5, 2, 7})},
                                   {ints(DType::UInt8, {2}, {1, 2}), true}, {ints(DType::Int8, {1, 2}, {0, 3}), true}}};
  // (A - za) = [[0, 2], [2, 4]], (B - zb) = [[1, 2], [2, 4]].
  expectBothGive(c, {4, 8, 10, 20});
}

TEST(MatMulInteger, GeneratedCMatchesReferenceOnRandomData) {
  expectGeneratedCMatchesReference({"MatMulInteger", {},
                                    {{randomInts(DType::UInt8, {2, 1, 5, 9}, 1)}, {randomInts(DType::Int8, {3, 9, 4}, 2)},
                                     {randomInts(DType::UInt8, {5, 1}, 3), true}, {randomInts(DType::Int8, {4}, 4)}}});
  expectGeneratedCMatchesReference({"MatMulInteger", {}, {{randomInts(DType::Int8, {7}, 5)}, {randomInts(DType::Int8, {7, 3}, 6), true}}});
}

NodeCase qlinearMatMul(TensorData a, TensorData aZero, TensorData b, TensorData bScale, TensorData bZero, TensorData yZero,
                       double aScale = 0.02, double yScale = 0.1) {
  return {"QLinearMatMul", {}, {{std::move(a)}, {scalarFloat(aScale), true}, {std::move(aZero), true}, {std::move(b), true},
                                {std::move(bScale), true}, {std::move(bZero), true}, {scalarFloat(yScale), true}, {std::move(yZero), true}}};
}

TEST(QLinearMatMul, RequantizedTiesRoundToEven) {
  // Sums 5 and 7 at multiplier 1 * 1 / 2: 2.5 -> 2 and 3.5 -> 4, plus the zero point 10.
  NodeCase c = qlinearMatMul(ints(DType::Int8, {2, 2}, {1, 2, 1, 3}), ints(DType::Int8, {}, {0}), ints(DType::Int8, {2, 1}, {1, 2}),
                             scalarFloat(1), ints(DType::Int8, {}, {0}), ints(DType::Int8, {}, {10}), 1, 2);
  expectBothGive(c, {12, 14});
}

TEST(QLinearMatMul, GeneratedCMatchesReferenceOnRandomData) {
  for (DType a : {DType::UInt8, DType::Int8}) {
    for (DType y : {DType::UInt8, DType::Int8}) {
      expectGeneratedCMatchesReference(qlinearMatMul(randomInts(a, {3, 6, 17}, 1), randomInts(a, {}, 2), randomInts(DType::Int8, {17, 5}, 3),
                                                     randomFloats({1, 5}, 0.001, 0.02, 4), randomInts(DType::Int8, {1, 5}, 5),
                                                     randomInts(y, {}, 6)));
    }
  }
  expectGeneratedCMatchesReference(qlinearMatMul(randomInts(DType::UInt8, {4, 9}, 7), randomInts(DType::UInt8, {1}, 8),
                                                 randomInts(DType::UInt8, {2, 9, 3}, 9), randomFloats({1}, 0.001, 0.02, 10),
                                                 randomInts(DType::UInt8, {1}, 11), randomInts(DType::UInt8, {}, 12)));
}

TEST(QLinearMatMul, RejectsSixteenBitOperandsAndPerRowScales) {
  expectErrorMentioning(qlinearMatMul(ints(DType::Int16, {1, 2}, {1, 2}), ints(DType::Int16, {}, {0}), ints(DType::Int8, {2, 1}, {1, 2}),
                                      scalarFloat(1), ints(DType::Int8, {}, {0}), ints(DType::Int8, {}, {0})),
                        "A must be int8 or uint8, got int16");
  NodeCase perRow = qlinearMatMul(ints(DType::Int8, {2, 2}, {1, 2, 3, 4}), ints(DType::Int8, {}, {0}), ints(DType::Int8, {2, 1}, {1, 2}),
                                  scalarFloat(1), ints(DType::Int8, {}, {0}), ints(DType::Int8, {}, {0}));
  perRow.inputs[1] = {floats({2}, {1, 2}), true};
  expectErrorMentioning(perRow, "a_scale must hold one value (per tensor)");
}

// ---- ConvInteger and QLinearConv -----------------------------------------------------------------------

TEST(ConvInteger, PaddingStandsForTheZeroPoint) {
  // 1x1x2x2 input of 5s with zero point 5 and pads 1: every window sums zeros; weight zero point 1.
  NodeCase c{"ConvInteger", attributes({{"pads", std::vector<int64_t>{1, 1, 1, 1}}}),
             {{ints(DType::UInt8, {1, 1, 2, 2}, {5, 5, 5, 7})}, {ints(DType::UInt8, {1, 1, 2, 2}, {2, 2, 2, 2}), true},
              {ints(DType::UInt8, {}, {5}), true}, {ints(DType::UInt8, {1}, {1}), true}}};
  // Only the windows covering the 7 (input (1, 1)) see a nonzero (7 - 5) * (2 - 1).
  expectBothGive(c, {0, 0, 0, 0, 2, 2, 0, 2, 2});
}

NodeCase qlinearConv(const Attributes& attrs, TensorData x, TensorData w, TensorData wScale, TensorData wZero, TensorData bias,
                     DType y) {
  const DType xType = x.dtype();
  return {"QLinearConv", attrs, {{std::move(x)}, {scalarFloat(0.03), true}, {ints(xType, {}, {7}), true}, {std::move(w), true},
                                 {std::move(wScale), true}, {std::move(wZero), true}, {scalarFloat(0.25), true},
                                 {ints(y, {}, {-3 + (y == DType::UInt8 ? 100 : 0)}), true}, {std::move(bias), true}}};
}

TEST(QLinearConv, GeneratedCMatchesReferenceOnRandomData) {
  const Attributes grouped = attributes({{"group", int64_t{2}}, {"strides", std::vector<int64_t>{2, 1}},
                                         {"pads", std::vector<int64_t>{1, 0, 2, 1}}, {"dilations", std::vector<int64_t>{1, 2}}});
  for (DType x : {DType::UInt8, DType::Int8}) {
    for (DType w : {DType::UInt8, DType::Int8}) {
      expectGeneratedCMatchesReference(qlinearConv(grouped, randomInts(x, {2, 4, 7, 6}, 1), randomInts(w, {6, 2, 3, 2}, 2),
                                                   randomFloats({6}, 0.001, 0.02, 3), randomInts(w, {6}, 4),
                                                   randomInts(DType::Int32, {6}, 5), x));
    }
  }
  // 1-D, depthwise, per-tensor weight parameters, no bias, SAME_UPPER.
  expectGeneratedCMatchesReference(qlinearConv(attributes({{"group", int64_t{3}}, {"auto_pad", std::string("SAME_UPPER")}}),
                                               randomInts(DType::Int8, {1, 3, 11}, 6), randomInts(DType::Int8, {3, 1, 4}, 7),
                                               scalarFloat(0.01), ints(DType::Int8, {}, {0}), kAbsent, DType::UInt8));
}

TEST(ConvInteger, GeneratedCMatchesReferenceOnRandomData) {
  expectGeneratedCMatchesReference({"ConvInteger", attributes({{"pads", std::vector<int64_t>{0, 2, 1, 1}}, {"strides", std::vector<int64_t>{1, 3}}}),
                                    {{randomInts(DType::UInt8, {2, 3, 5, 8}, 1)}, {randomInts(DType::Int8, {4, 3, 2, 3}, 2), true},
                                     {randomInts(DType::UInt8, {}, 3)}, {randomInts(DType::Int8, {4}, 4), true}}});
  expectGeneratedCMatchesReference({"ConvInteger", {},
                                    {{randomInts(DType::Int8, {1, 2, 4, 4}, 5)}, {randomInts(DType::Int8, {2, 2, 3, 3}, 6), true}}});
}

TEST(QLinearConv, RejectsBiasOfTheWrongTypeAndBatchedWeightScales) {
  const TensorData x = randomInts(DType::UInt8, {1, 2, 3, 3}, 1), w = randomInts(DType::Int8, {2, 2, 1, 1}, 2);
  expectErrorMentioning(qlinearConv({}, x, w, scalarFloat(0.1), ints(DType::Int8, {}, {0}), floats({2}, {1, 2}), DType::UInt8),
                        "bias must be int32");
  expectErrorMentioning(qlinearConv({}, x, w, floats({1, 2}, {0.1, 0.2}), ints(DType::Int8, {}, {0}), kAbsent, DType::UInt8),
                        "w_scale must hold one value (per tensor) or 2 (per output channel)");
}

}  // namespace
}  // namespace deeploy
