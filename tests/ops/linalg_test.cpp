// MatMul, Gemm, Conv, ConvTranspose and the requantized RQMatMul, RQGemm, RQConv: hand-checked reference
// values, error paths, and generated C against the reference on shapes the conformance tests lack.
#include <gtest/gtest.h>

#include "tests/support/single_node.h"
#include "tests/support/tensors.h"

namespace deeploy {
namespace {

using namespace testing;
using Ints = std::vector<int64_t>;

Attributes requant(int64_t div, int64_t levels, int64_t isSigned, Attributes base = {}) {
  base.set("div", div);
  base.set("n_levels", levels);
  base.set("signed", isSigned);
  return base;
}

// A requantized result that exercises the arithmetic, not only the clamp: most values lie inside the range.
void expectMostlyInRange(const TensorData& y) {
  int64_t inside = 0;
  for (int64_t v : y.toInts()) inside += v > integerMin(y.dtype()) && v < integerMax(y.dtype()) ? 1 : 0;
  EXPECT_GT(inside * 2, y.size()) << "too many values clamped";
}

// Generated C equals the reference on a requantized case whose values mostly avoid the clamp.
void expectRequantizedCMatches(const NodeCase& c) {
  TensorData reference = runReference(c)[0];
  expectMostlyInRange(reference);
  EXPECT_EQ(runGeneratedC(c)[0], reference);
}

// ---- MatMul ----

TEST(MatMul, Int8ProductAccumulatesInInt32) {
  NodeCase c{"MatMul", {}, {{ints(DType::Int8, {2, 3}, {1, 2, 3, -4, 5, -6})}, {ints(DType::Int8, {3, 2}, {127, 1, -128, 2, 100, 3})}}};
  auto out = runReference(c);
  EXPECT_EQ(out[0].dtype(), DType::Int32);
  EXPECT_EQ(out[0].shape(), (Shape{2, 2}));
  // Row 0: 127 - 256 + 300, 1 + 4 + 9; row 1: -508 - 640 - 600, -4 + 10 - 18.
  EXPECT_EQ(out[0].toInts(), (Ints{171, 14, -1748, -12}));
}

TEST(MatMul, OneDimensionalOperandsDropTheirPromotedAxis) {
  TensorData v = ints(DType::Int8, {3}, {1, 2, 3});
  TensorData m = ints(DType::Int8, {3, 2}, {1, 4, 2, 5, 3, 6});
  auto dot = runReference({"MatMul", {}, {{v}, {v}}})[0];
  EXPECT_EQ(dot.shape(), Shape{});
  EXPECT_EQ(dot.toInts(), Ints{14});
  auto row = runReference({"MatMul", {}, {{v}, {m}}})[0];
  EXPECT_EQ(row.shape(), Shape{2});
  EXPECT_EQ(row.toInts(), (Ints{14, 32}));
  auto column = runReference({"MatMul", {}, {{ints(DType::Int8, {2, 3}, {1, 2, 3, 4, 5, 6})}, {v}}})[0];
  EXPECT_EQ(column.shape(), Shape{2});
  EXPECT_EQ(column.toInts(), (Ints{14, 32}));
}

TEST(MatMul, BatchDimensionsBroadcast) {
  // A: two 1x2 matrices; B: one 2x1 matrix shared by both batches of a [2, 1] batch shape.
  NodeCase c{"MatMul", {}, {{ints(DType::Int8, {2, 1, 1, 2}, {1, 2, 3, 4})}, {ints(DType::Int8, {1, 2, 1}, {10, 100})}}};
  auto out = runReference(c)[0];
  EXPECT_EQ(out.shape(), (Shape{2, 1, 1, 1}));
  EXPECT_EQ(out.toInts(), (Ints{210, 430}));
}

TEST(MatMul, MismatchedInnerDimensionsFail) {
  expectErrorMentioning({"MatMul", {}, {{ints(DType::Int8, {2, 3}, Ints(6))}, {ints(DType::Int8, {4, 2}, Ints(8))}}}, "inner dimensions");
  expectErrorMentioning({"MatMul", {}, {{ints(DType::Int8, {2, 2, 3}, Ints(12))}, {ints(DType::Int8, {3, 3, 2}, Ints(18))}}}, "broadcast");
}

TEST(MatMul, GeneratedCMatchesReference) {
  // Odd sizes (a column tail, K not a multiple of 4), broadcast batches, constant (transposed at compile
  // time) and runtime B, unsigned and 16-bit operands, wrapping int32 accumulation.
  std::vector<NodeCase> cases = {
      {"MatMul", {}, {{pattern(DType::Int8, {2, 1, 3, 7}, -128, 127)}, {pattern(DType::Int8, {3, 7, 5}, -128, 127, 2)}}},
      {"MatMul", {}, {{pattern(DType::UInt8, {2, 1, 3, 7}, 0, 255)}, {pattern(DType::Int8, {3, 7, 5}, -128, 127, 2), true}}},
      {"MatMul", {}, {{pattern(DType::Int16, {5, 9}, -3000, 3000)}, {pattern(DType::Int8, {9}, -128, 127, 3)}}},
      {"MatMul", {}, {{ints(DType::Int32, {1, 2}, {1 << 30, 1 << 30})}, {ints(DType::Int32, {2, 3}, {4, 1, 2, 4, 1, -2})}}},
      {"MatMul", {}, {{pattern(DType::Int8, {0, 4}, -9, 9)}, {pattern(DType::Int8, {4, 3}, -9, 9)}}},
      {"MatMul", {}, {{pattern(DType::Int8, {2, 0}, -9, 9)}, {pattern(DType::Int8, {0, 3}, -9, 9)}}},
  };
  for (const auto& c : cases) EXPECT_EQ(runGeneratedC(c)[0], runReference(c)[0]);
  EXPECT_EQ(runReference(cases[3])[0].toInts(), (Ints{0, -2147483648LL, 0}));  // 2^32 and 2^31 wrap in int32
  NodeCase f{"MatMul", {}, {{floatPattern({3, 1, 4, 5})}, {floatPattern({2, 5, 3}, 2), true}}};
  expectNear(runGeneratedC(f)[0], runReference(f)[0], 1e-4);
}

// ---- Gemm ----

TEST(Gemm, AlphaBetaTransposesAndBroadcastC) {
  // op(A) = A^T = [[1, 3], [2, 4]], op(B) = B^T = [[1, 0], [1, 1]]; product [[4, 3], [6, 4]].
  NodeCase c{"Gemm",
             attributes({{"alpha", 2.0}, {"beta", -1.0}, {"transA", int64_t{1}}, {"transB", int64_t{1}}}),
             {{ints(DType::Int8, {2, 2}, {1, 2, 3, 4})}, {ints(DType::Int8, {2, 2}, {1, 1, 0, 1})}, {ints(DType::Int8, {2, 1}, {10, 20}), true}}};
  auto out = runReference(c)[0];
  EXPECT_EQ(out.dtype(), DType::Int32);
  EXPECT_EQ(out.toInts(), (Ints{8 - 10, 6 - 10, 12 - 20, 8 - 20}));
}

TEST(Gemm, FloatWithoutC) {
  NodeCase c{"Gemm", attributes({{"alpha", 0.5}}), {{floats({1, 2}, {1, 2})}, {floats({2, 2}, {1, 2, 3, 4})}}};
  EXPECT_EQ(runReference(c)[0].toDoubles(), (std::vector<double>{3.5, 5}));
}

TEST(Gemm, InvalidOperandsFail) {
  TensorData a = ints(DType::Int8, {2, 2}, Ints(4));
  expectErrorMentioning({"Gemm", attributes({{"alpha", 0.5}}), {{a}, {a}}}, "alpha and beta must be integers");
  expectErrorMentioning({"Gemm", {}, {{a}, {a}, {ints(DType::Int8, {3}, Ints(3)), true}}}, "does not broadcast");
  expectErrorMentioning({"Gemm", {}, {{ints(DType::Int8, {2, 2, 2, 2}, Ints(16))}, {a}}}, "must be matrices");
}

TEST(Gemm, GeneratedCMatchesReference) {
  std::vector<NodeCase> cases = {
      // Runtime A transposed through scratch memory, constant B transposed at compile time, per-row C.
      {"Gemm", attributes({{"alpha", 3.0}, {"beta", 2.0}, {"transA", int64_t{1}}}),
       {{pattern(DType::Int8, {7, 5}, -128, 127)}, {pattern(DType::Int8, {7, 3}, -128, 127, 2), true}, {pattern(DType::Int16, {5, 1}, -900, 900), true}}},
      // Runtime B read in place ("nn"), unsigned A, scalar C.
      {"Gemm", {}, {{pattern(DType::UInt8, {3, 6}, 0, 255)}, {pattern(DType::Int8, {6, 5}, -128, 127, 2)}, {ints(DType::Int32, {}, {-7}), true}}},
      // transB runtime and a runtime C of the output type.
      {"Gemm", attributes({{"transB", int64_t{1}}}), {{pattern(DType::Int8, {4, 9}, -128, 127)}, {pattern(DType::Int8, {3, 9}, -128, 127, 4)}, {pattern(DType::Int32, {4, 3}, -99, 99)}}},
  };
  for (const auto& c : cases) EXPECT_EQ(runGeneratedC(c)[0], runReference(c)[0]);
  NodeCase f{"Gemm", attributes({{"alpha", 0.25}, {"beta", 1.5}, {"transA", int64_t{1}}, {"transB", int64_t{1}}}),
             {{floatPattern({5, 3})}, {floatPattern({4, 5}, 2)}, {floatPattern({4}, 3), true}}};
  expectNear(runGeneratedC(f)[0], runReference(f)[0], 1e-4);
}

// ---- Conv ----

TEST(Conv, OneDimensionalWithPaddingAndBias) {
  // Padded input 0 1 2 3 4 correlated with [1, -1]: each output is x[i-1] - x[i].
  NodeCase c{"Conv", attributes({{"pads", Ints{1, 0}}}),
             {{ints(DType::Int8, {1, 1, 4}, {1, 2, 3, 4})}, {ints(DType::Int8, {1, 1, 2}, {1, -1}), true}, {ints(DType::Int32, {1}, {10}), true}}};
  auto out = runReference(c)[0];
  EXPECT_EQ(out.shape(), (Shape{1, 1, 4}));
  EXPECT_EQ(out.toInts(), (Ints{9, 9, 9, 9}));
}

TEST(Conv, TwoDimensionalDiagonalKernel) {
  NodeCase c{"Conv", {}, {{ints(DType::Int8, {1, 1, 3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9})}, {ints(DType::Int8, {1, 1, 2, 2}, {1, 0, 0, 1}), true}}};
  EXPECT_EQ(runReference(c)[0].toInts(), (Ints{6, 8, 12, 14}));
}

TEST(Conv, SameUpperPadsAtTheEnd) {
  // 5 wide, kernel 2, stride 2: 3 outputs need one pad, placed at the end; the last output sees x[4] only.
  NodeCase c{"Conv", attributes({{"auto_pad", std::string("SAME_UPPER")}, {"strides", Ints{2}}}),
             {{ints(DType::Int8, {1, 1, 5}, {1, 2, 3, 4, 5})}, {ints(DType::Int8, {1, 1, 2}, {1, 10}), true}}};
  auto out = runReference(c)[0];
  EXPECT_EQ(out.shape(), (Shape{1, 1, 3}));
  EXPECT_EQ(out.toInts(), (Ints{21, 43, 5}));
}

TEST(Conv, InvalidShapesAndAttributesFail) {
  TensorData x = ints(DType::Int8, {1, 4, 3, 3}, Ints(36));
  expectErrorMentioning({"Conv", attributes({{"group", int64_t{3}}}), {{x}, {ints(DType::Int8, {3, 1, 1, 1}, Ints(3)), true}}}, "not divisible by group");
  expectErrorMentioning({"Conv", {}, {{x}, {ints(DType::Int8, {2, 3, 1, 1}, Ints(6)), true}}}, "input channels per group");
  expectErrorMentioning({"Conv", {}, {{ints(DType::Int8, {1, 1, 2, 2, 2}, Ints(8))}, {ints(DType::Int8, {1, 1, 1, 1, 1}, Ints(1)), true}}}, "1-D and 2-D");
  expectErrorMentioning({"Conv", attributes({{"kernel_shape", Ints{2, 2}}}), {{x}, {ints(DType::Int8, {1, 4, 3, 3}, Ints(36)), true}}}, "kernel_shape");
  expectErrorMentioning({"Conv", {}, {{x}, {ints(DType::Int8, {1, 4, 4, 4}, Ints(64)), true}}}, "larger than the padded input");
  expectErrorMentioning({"Conv", {}, {{x}, {ints(DType::Int8, {2, 4, 1, 1}, Ints(8)), true}, {ints(DType::Int32, {3}, Ints(3)), true}}}, "bias");
}

TEST(Conv, GeneratedCMatchesReference) {
  std::vector<NodeCase> cases = {
      // im2col: two groups of 3 input channels, 3 output channels per group (a channel tail), dilation,
      // asymmetric pads, batch 2.
      {"Conv", attributes({{"group", int64_t{2}}, {"dilations", Ints{2, 1}}, {"pads", Ints{2, 0, 1, 3}}, {"strides", Ints{1, 2}}}),
       {{pattern(DType::UInt8, {2, 6, 5, 6}, 0, 255)}, {pattern(DType::Int8, {6, 3, 2, 3}, -128, 127, 2), true}, {pattern(DType::Int32, {6}, -999, 999), true}}},
      // Direct: depthwise with channel multiplier 2, 1-D, strided, 16-bit input (instantiated variant).
      {"Conv", attributes({{"group", int64_t{3}}, {"strides", Ints{3}}, {"pads", Ints{4, 1}}}),
       {{pattern(DType::Int16, {1, 3, 17}, -2000, 2000)}, {pattern(DType::Int8, {6, 1, 4}, -128, 127, 3), true}}},
      // Runtime weights and an empty batch.
      {"Conv", {}, {{pattern(DType::Int8, {1, 2, 4, 4}, -128, 127)}, {pattern(DType::Int8, {3, 2, 3, 3}, -128, 127, 5)}}},
      {"Conv", {}, {{pattern(DType::Int8, {0, 2, 4, 4}, -128, 127)}, {pattern(DType::Int8, {3, 2, 3, 3}, -128, 127, 5), true}}},
      // No input channels: the output is the bias.
      {"Conv", {}, {{pattern(DType::Int8, {1, 0, 2, 2}, -9, 9)}, {pattern(DType::Int8, {2, 0, 1, 1}, -9, 9), true}, {ints(DType::Int32, {2}, {5, -6}), true}}},
  };
  for (const auto& c : cases) EXPECT_EQ(runGeneratedC(c)[0], runReference(c)[0]);
  NodeCase f{"Conv", attributes({{"auto_pad", std::string("SAME_LOWER")}, {"strides", Ints{2, 2}}}),
             {{floatPattern({1, 3, 7, 6})}, {floatPattern({5, 3, 3, 2}, 2), true}, {floatPattern({5}, 3), true}}};
  expectNear(runGeneratedC(f)[0], runReference(f)[0], 1e-4);
  // Integer input with fractional weights computes in float.
  NodeCase mixed{"Conv", {}, {{pattern(DType::Int8, {1, 2, 4, 3}, -128, 127)}, {floatPattern({2, 2, 2, 2}, 4), true}}};
  EXPECT_EQ(runReference(mixed)[0].dtype(), DType::Float32);
  expectNear(runGeneratedC(mixed)[0], runReference(mixed)[0], 1e-4);
}

// ---- ConvTranspose ----

TEST(ConvTranspose, StridedScatterAddsOverlaps) {
  // x = [1, 2], kernel [1, 1, 1], stride 2: 1 1 1 . . + . . 2 2 2 = 1 1 3 2 2.
  NodeCase c{"ConvTranspose", attributes({{"strides", Ints{2}}}), {{floats({1, 1, 2}, {1, 2})}, {floats({1, 1, 3}, {1, 1, 1}), true}}};
  auto out = runReference(c)[0];
  EXPECT_EQ(out.shape(), (Shape{1, 1, 5}));
  EXPECT_EQ(out.toDoubles(), (std::vector<double>{1, 1, 3, 2, 2}));
}

TEST(ConvTranspose, PadsOutputPaddingAndOutputShape) {
  TensorData x = floats({1, 1, 2}, {1, 2}), w = floats({1, 1, 3}, {1, 1, 1});
  // pads [1, 0] drop the first output; output_padding 1 appends one (untouched) element.
  auto padded = runReference({"ConvTranspose", attributes({{"strides", Ints{2}}, {"pads", Ints{1, 0}}, {"output_padding", Ints{1}}}), {{x}, {w, true}}})[0];
  EXPECT_EQ(padded.toDoubles(), (std::vector<double>{1, 3, 2, 2, 0}));
  // output_shape 4 leaves a total padding of 1, which ONNX puts at the start unless auto_pad is SAME_UPPER.
  auto shaped = runReference({"ConvTranspose", attributes({{"strides", Ints{2}}, {"output_shape", Ints{4}}}), {{x}, {w, true}}})[0];
  EXPECT_EQ(shaped.toDoubles(), (std::vector<double>{1, 3, 2, 2}));
  auto upper = runReference({"ConvTranspose", attributes({{"strides", Ints{2}}, {"output_shape", Ints{4}}, {"auto_pad", std::string("SAME_UPPER")}}), {{x}, {w, true}}})[0];
  EXPECT_EQ(upper.toDoubles(), (std::vector<double>{1, 1, 3, 2}));
}

TEST(ConvTranspose, WeightMustStartWithInputChannels) {
  expectErrorMentioning({"ConvTranspose", {}, {{floats({1, 2, 3}, std::vector<double>(6))}, {floats({3, 1, 2}, std::vector<double>(6)), true}}},
                        "input's 2 channels");
}

TEST(ConvTranspose, GeneratedCMatchesReference) {
  NodeCase f{"ConvTranspose", attributes({{"group", int64_t{2}}, {"strides", Ints{2, 3}}, {"dilations", Ints{1, 2}}, {"pads", Ints{1, 2, 0, 1}}, {"output_padding", Ints{1, 0}}}),
             {{floatPattern({2, 4, 3, 4})}, {floatPattern({4, 3, 2, 3}, 2), true}, {floatPattern({6}, 3), true}}};
  expectNear(runGeneratedC(f)[0], runReference(f)[0], 1e-4);
  NodeCase i{"ConvTranspose", attributes({{"strides", Ints{2}}}), {{pattern(DType::Int8, {1, 2, 5}, -128, 127)}, {pattern(DType::Int8, {2, 3, 4}, -128, 127, 2), true}}};
  EXPECT_EQ(runGeneratedC(i)[0], runReference(i)[0]);
}

// ---- Requantized products ----

TEST(RQMatMul, RequantizesPerColumnWithRoundingAndFloor) {
  // acc = [70, 100]; (70 * 3 + 5 + 2) >> 2 = 54; (100 * -1 + 5 + 2) >> 2 = floor(-93 / 4) = -24.
  NodeCase c{"RQMatMul", requant(4, 256, 1),
             {{ints(DType::Int8, {1, 2}, {10, 20})}, {ints(DType::Int8, {2, 2}, {1, 2, 3, 4}), true},
              {ints(DType::Int32, {2}, {3, -1}), true}, {ints(DType::Int32, {1}, {5}), true}}};
  auto out = runReference(c)[0];
  EXPECT_EQ(out.dtype(), DType::Int8);
  EXPECT_EQ(out.toInts(), (Ints{54, -24}));
}

TEST(RQMatMul, UnsignedOutputClamps) {
  NodeCase c{"RQMatMul", requant(1, 256, 0),
             {{ints(DType::Int8, {3, 1}, {-1, 100, 3})}, {ints(DType::Int8, {1, 1}, {3}), true},
              {ints(DType::Int32, {}, {1}), true}, {ints(DType::Int32, {}, {0}), true}}};
  auto out = runReference(c)[0];
  EXPECT_EQ(out.dtype(), DType::UInt8);
  EXPECT_EQ(out.toInts(), (Ints{0, 255, 9}));
}

TEST(RQMatMul, ParametersMustBroadcastIntoTheOutput) {
  NodeCase c{"RQMatMul", requant(4, 256, 1),
             {{ints(DType::Int8, {1, 2}, {1, 2})}, {ints(DType::Int8, {2, 2}, {1, 2, 3, 4})},
              {ints(DType::Int32, {3}, {1, 1, 1}), true}, {ints(DType::Int32, {1}, {0}), true}}};
  expectErrorMentioning(c, "mul");
  NodeCase d = c;
  d.inputs[2] = {ints(DType::Int32, {1}, {1}), true};
  d.attrs.set("div", int64_t{3});
  expectErrorMentioning(d, "div");
}

TEST(RQMatMul, GeneratedCMatchesReference) {
  // Per-batch and per-column parameters on broadcast batches, runtime B ("nn") and constant B ("nt").
  for (bool constantB : {false, true}) {
    NodeCase c{"RQMatMul", requant(16384, 256, 1),
               {{pattern(DType::Int8, {2, 1, 3, 6}, -128, 127)}, {pattern(DType::Int8, {3, 6, 5}, -128, 127, 2), constantB},
                {pattern(DType::Int32, {3, 1, 5}, -40, 40, 3), true}, {pattern(DType::Int32, {2, 1, 1, 1}, -3000, 3000, 4), true}}};
    expectRequantizedCMatches(c);
  }
  // Per-row parameters, unsigned input and output, matrix-vector product.
  NodeCase v{"RQMatMul", requant(2048, 256, 0),
             {{pattern(DType::UInt8, {5, 7}, 0, 255)}, {pattern(DType::Int8, {7}, -128, 127, 2), true},
              {pattern(DType::Int32, {5}, 1, 9, 3), true}, {ints(DType::Int32, {}, {4000}), true}}};
  expectRequantizedCMatches(v);
}

TEST(RQGemm, GeneratedCMatchesReference) {
  NodeCase c{"RQGemm", requant(8192, 256, 1, attributes({{"transA", int64_t{1}}, {"transB", int64_t{1}}})),
             {{pattern(DType::Int8, {9, 4}, -128, 127)}, {pattern(DType::Int8, {3, 9}, -128, 127, 2), true},
              {pattern(DType::Int32, {4, 1}, -20, 20, 3), true}, {pattern(DType::Int32, {4, 3}, -500, 500, 4), true}}};
  EXPECT_EQ(runReference(c)[0].shape(), (Shape{4, 3}));
  expectRequantizedCMatches(c);
}

TEST(RQConv, RequantizesPerChannel) {
  // div 2: y = (acc * mul + add + 1) >> 1 per channel.
  NodeCase c{"RQConv", requant(2, 256, 1),
             {{ints(DType::Int8, {1, 1, 3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9})}, {ints(DType::Int8, {2, 1, 2, 2}, {1, 0, 0, 1, 0, 0, 0, -1}), true},
              {ints(DType::Int32, {2, 1, 1}, {2, 3}), true}, {ints(DType::Int32, {2, 1, 1}, {0, -4}), true}}};
  auto out = runReference(c)[0];
  EXPECT_EQ(out.dtype(), DType::Int8);
  // Channel 0 accs 6 8 12 14 -> (2 acc + 1) >> 1 = acc; channel 1 accs -5 -6 -8 -9 -> (3 acc - 3) >> 1.
  EXPECT_EQ(out.toInts(), (Ints{6, 8, 12, 14, -9, -11, -14, -15}));
}

TEST(RQConv, SpatiallyVaryingParametersFail) {
  NodeCase c{"RQConv", requant(2, 256, 1),
             {{ints(DType::Int8, {1, 1, 3, 3}, Ints(9))}, {ints(DType::Int8, {1, 1, 2, 2}, Ints(4)), true},
              {ints(DType::Int32, {2}, {1, 2}), true}, {ints(DType::Int32, {1}, {0}), true}}};
  expectErrorMentioning(c, "per tensor or per output channel");
}

TEST(RQConv, GeneratedCMatchesReference) {
  std::vector<NodeCase> cases = {
      {"RQConv", requant(16384, 256, 0, attributes({{"pads", Ints{1, 1, 1, 1}}, {"strides", Ints{2, 1}}})),
       {{pattern(DType::UInt8, {1, 5, 6, 5}, 0, 255)}, {pattern(DType::Int8, {3, 5, 3, 3}, -128, 127, 2), true},
        {pattern(DType::Int32, {3, 1, 1}, 1, 30, 3), true}, {pattern(DType::Int32, {3, 1, 1}, -90000, 90000, 4), true}}},
      {"RQConv", requant(1024, 256, 1, attributes({{"group", int64_t{4}}, {"pads", Ints{2, 1}}, {"dilations", Ints{2}}})),
       {{pattern(DType::Int8, {2, 4, 11}, -128, 127)}, {pattern(DType::Int8, {4, 1, 3}, -128, 127, 2), true},
        {ints(DType::Int32, {}, {3}), true}, {pattern(DType::Int32, {4, 1}, -500, 500, 4), true}}},
  };
  for (const auto& c : cases) expectRequantizedCMatches(c);
}

}  // namespace
}  // namespace deeploy
