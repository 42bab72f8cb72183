// Deeploy's integer dialect: RequantShift, iSoftmax, ITAMax, ITAPartialMax, iRMSNorm, iLayerNorm, iNoNorm,
// iHardswish, iGELU, RQiHardswish, RQiGELU, TrueIntegerDiv, IntegerDiv, RQIntegerDiv.
// Expected values are computed by hand from /work/shared/notes/operators.md.
#include <gtest/gtest.h>

#include <filesystem>

#include "ops/interpreter.h"
#include "targets/host_target.h"
#include "tests/support/single_node.h"
#include "tests/support/tensors.h"
#include "tools/driver.h"

namespace deeploy {
namespace {

using namespace testing;

TensorData scalar(DType t, int64_t v) { return TensorData::scalarInt(t, v); }

// Deterministic values spread over [lo, hi].
std::vector<int64_t> spread(size_t count, int64_t lo, int64_t hi, int64_t seed) {
  std::vector<int64_t> v(count);
  uint64_t state = static_cast<uint64_t>(seed) * 2654435761u + 1;
  for (auto& x : v) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    x = lo + static_cast<int64_t>((state >> 33) % static_cast<uint64_t>(hi - lo + 1));
  }
  return v;
}

Attributes requantAttributes(int64_t div, int64_t levels, int64_t isSigned) {
  return attributes({{"div", div}, {"n_levels", levels}, {"signed", isSigned}});
}

// ---- RequantShift ----

NodeCase requantCase(TensorData x, TensorData mul, TensorData add, Attributes attrs) {
  return {"RequantShift", std::move(attrs), {{std::move(x)}, {std::move(mul), true}, {std::move(add), true}}};
}

TEST(RequantShift, RoundsHalfUpFloorsNegativesAndClampsToSignedLevels) {
  // y = (3x + 1 + 2) >> 2: -3 -> -6 >> 2 = -2; 5 -> 18 >> 2 = 4; large values clamp to [-128, 127].
  auto c = requantCase(ints(DType::Int32, {5}, {-3, 0, 5, 100000, -100000}), scalar(DType::Int32, 3),
                       scalar(DType::Int32, 1), requantAttributes(4, 256, 1));
  auto out = testing::runReference(c);
  EXPECT_EQ(out[0].dtype(), DType::Int8);
  EXPECT_EQ(out[0].toInts(), (std::vector<int64_t>{-2, 0, 4, 127, -128}));
}

TEST(RequantShift, UnsignedLevelsGiveUint8AndWiderLevelsAWiderType) {
  auto c = requantCase(ints(DType::Int32, {3}, {-3, 400, 50}), scalar(DType::Int32, 1), scalar(DType::Int32, 0),
                       requantAttributes(1, 256, 0));
  auto out = testing::runReference(c);
  EXPECT_EQ(out[0].dtype(), DType::UInt8);
  EXPECT_EQ(out[0].toInts(), (std::vector<int64_t>{0, 255, 50}));
  c.attrs = attributes({{"div", 1}, {"n_levels_out", 65536}, {"signed", 1}});
  out = testing::runReference(c);
  EXPECT_EQ(out[0].dtype(), DType::Int16);
  EXPECT_EQ(out[0].toInts(), (std::vector<int64_t>{-3, 400, 50}));
}

TEST(RequantShift, AcceptsOneElementTensorAttributes) {
  Attributes a;
  a.set("div", TensorData::fromDoubles(DType::Float32, {}, std::vector<double>{2}));
  a.set("n_levels_out", TensorData::fromDoubles(DType::Float32, {1}, std::vector<double>{256}));
  a.set("signed", TensorData::fromDoubles(DType::Float32, {1}, std::vector<double>{1}));
  auto c = requantCase(ints(DType::Int8, {2}, {3, -3}), scalar(DType::Int8, 1), scalar(DType::Int8, 0), a);
  EXPECT_EQ(testing::runReference(c)[0].toInts(), (std::vector<int64_t>{2, -1}));  // (3+1)>>1, (-3+1)>>1
}

TEST(RequantShift, PerChannelParametersFollowAxisOne) {
  // x [1, 2, 2]: channel 0 uses mul 1 / add 0, channel 1 mul 10 / add 4; div 1.
  auto x = ints(DType::Int8, {1, 2, 2}, {1, 2, 3, 4});
  auto c = requantCase(x, ints(DType::Int32, {2, 1}, {1, 10}), ints(DType::Int32, {2, 1}, {0, 4}),
                       requantAttributes(1, 256, 1));
  EXPECT_EQ(testing::runReference(c)[0].toInts(), (std::vector<int64_t>{1, 2, 34, 44}));
  // A 1-D [C] vector that does not broadcast against the last axis is per channel on axis 1.
  auto x3 = ints(DType::Int8, {1, 2, 3}, {1, 1, 1, 2, 2, 2});
  c = requantCase(x3, ints(DType::Int32, {2}, {5, 7}), scalar(DType::Int32, 0), requantAttributes(1, 256, 1));
  EXPECT_EQ(testing::runReference(c)[0].toInts(), (std::vector<int64_t>{5, 5, 5, 14, 14, 14}));
}

TEST(RequantShift, RejectsBadAttributesAndParameters) {
  auto x = ints(DType::Int32, {2, 3}, {1, 2, 3, 4, 5, 6});
  expectErrorMentioning(requantCase(x, scalar(DType::Int32, 1), scalar(DType::Int32, 0), requantAttributes(3, 256, 1)),
                        "'div' must be a positive power of two");
  expectErrorMentioning(requantCase(x, scalar(DType::Int32, 1), scalar(DType::Int32, 0), attributes({{"div", 2}})),
                        "n_levels");
  expectErrorMentioning(
      requantCase(x, ints(DType::Int32, {4}, {1, 2, 3, 4}), scalar(DType::Int32, 0), requantAttributes(2, 256, 1)),
      "does not broadcast");
  NodeCase runtimeMul{
      "RequantShift", requantAttributes(2, 256, 1), {{x}, {scalar(DType::Int32, 1)}, {scalar(DType::Int32, 0), true}}};
  expectErrorMentioning(runtimeMul, "must be a constant");
  expectErrorMentioning(
      requantCase(x, scalar(DType::Int64, int64_t{1} << 40), scalar(DType::Int32, 0), requantAttributes(2, 256, 1)),
      "fit in int32");
}

TEST(RequantShift, GeneratedCMatchesReference) {
  // Per channel on an odd NCHW shape, 32- and 64-bit arithmetic, unsigned output, zero-size tensor.
  Shape shape{2, 3, 5, 7};
  auto x = ints(DType::Int32, shape, spread(210, -2000000, 2000000, 1));
  auto mul = ints(DType::Int32, {3, 1, 1}, {7, -300, 65535});
  auto add = ints(DType::Int32, {3, 1, 1}, {-5000, 0, 123456});
  expectGeneratedCMatchesReference(requantCase(x, mul, add, requantAttributes(1 << 16, 256, 1)));
  auto small = ints(DType::Int16, {3, 11}, spread(33, -32768, 32767, 2));
  expectGeneratedCMatchesReference(requantCase(
      small, scalar(DType::Int32, 3), ints(DType::Int32, {11}, spread(11, -9, 9, 3)), requantAttributes(8, 256, 0)));
  expectGeneratedCMatchesReference(requantCase(ints(DType::Int32, {2, 0, 3}, {}), scalar(DType::Int32, 3),
                                               scalar(DType::Int32, 0), requantAttributes(8, 256, 1)));
}

TEST(RequantShift, SumOfInt8TensorsRequantizesExactlyIn32Bits) {
  // int8 + int8 -> int32 Add, then RequantShift with a multiplier that needs 64 bits for arbitrary int32
  // values but not for sums within [-256, 254]: the kernel uses 32-bit arithmetic and stays exact.
  Graph g;
  std::vector<TensorData> inputs = {ints(DType::Int8, {4}, {-128, 127, -128, 5}),
                                    ints(DType::Int8, {4}, {-128, 127, 127, -6})};
  for (int i = 0; i < 2; ++i) {
    Tensor t;
    t.name = "x" + std::to_string(i);
    t.dtype = DType::Int8;
    t.shape = {4};
    g.inputs.push_back(g.addTensor(t));
  }
  TensorId sum = g.addTensor({.name = "sum"}), y = g.addTensor({.name = "y"});
  TensorId mul = g.addConstant("mul", scalar(DType::Int32, 4000000)),
           add = g.addConstant("add", scalar(DType::Int32, 0));
  g.nodes.push_back({"add", "Add", "", {g.inputs[0], g.inputs[1]}, {sum}, {}});
  g.nodes.push_back({"rq", "RequantShift", "", {sum, mul, add}, {y}, requantAttributes(1 << 16, 256, 1)});
  g.outputs.push_back(y);

  CompiledModel model;
  model.graph = g;
  model.inputs = inputs;
  compileGraph(model, "requant after add");
  EXPECT_NE(model.network.source.find("dp_requant_s32_s8_a32"), std::string::npos);
  std::string dir = (std::filesystem::temp_directory_path() / "deeploy-intdialect-XXXXXX").string();
  ASSERT_TRUE(mkdtemp(dir.data()));
  writeNetworkSources(dir, model.network);
  auto generated = runHostProgram(buildHostProgram(dir, {}), model.graph, inputs, 60);
  std::filesystem::remove_all(dir);
  // (-256 * 4000000 + 32768) >> 16 = -15625 -> -128; 254 * 4000000 -> 127; -1 * 4000000 + 32768 >> 16 = -61.
  EXPECT_EQ(generated[0].toInts(), (std::vector<int64_t>{-128, 127, -61, -61}));
  EXPECT_EQ(generated[0], interpretGraph(model.graph, inputs)[0]);
}

// ---- iSoftmax, ITAMax, ITAPartialMax ----

Attributes isoftmaxAttributes() {
  return attributes({{"coeffA", 1}, {"coeffB", 345}, {"coeffC", 62395}, {"log2", 255}, {"n_levels", 256}});
}

TEST(ISoftmax, HandComputedRow) {
  // Distance 0: 345^2 + 62395 = 181420; distance 255: z = 1, p = 0, 181420 >> 1 = 90710. Sum 272130:
  // 181420 * 255 / 272130 = 170, 90710 * 255 / 272130 = 85.
  NodeCase c{"iSoftmax", isoftmaxAttributes(), {{ints(DType::Int8, {1, 2}, {127, -128})}}};
  auto out = testing::runReference(c);
  EXPECT_EQ(out[0].dtype(), DType::UInt8);
  EXPECT_EQ(out[0].toInts(), (std::vector<int64_t>{170, 85}));
  c.inputs[0].value = ints(DType::Int8, {2, 2}, {5, 5, -7, -7});
  EXPECT_EQ(testing::runReference(c)[0].toInts(), (std::vector<int64_t>{127, 127, 127, 127}));
}

TEST(ITAMax, HandComputedRow) {
  // Shifts 0 and (32 + 16) >> 5 = 1: E = 256 + 128; 255 * 256 / 384 = 170; 170 >> 1 = 85.
  NodeCase c{"ITAMax", attributes({{"n_levels", 256}}), {{ints(DType::Int8, {1, 2}, {0, -32})}}};
  auto out = testing::runReference(c);
  EXPECT_EQ(out[0].dtype(), DType::UInt8);
  EXPECT_EQ(out[0].toInts(), (std::vector<int64_t>{170, 85}));
}

TEST(ITAPartialMax, HandComputedRow) {
  // Group [0, -32]: E = 256 + 128 = 384. Group [64, 0]: max grows by 64, shift (64 + 16) >> 5 = 2,
  // E = 256 + (256 >> 2) = 320, P = (384 >> 2) + 320 = 416. 127 * 256 / 416 = 78, then shifted per element.
  NodeCase c{"ITAPartialMax",
             attributes({{"group_width", 2}, {"n_levels", 256}}),
             {{ints(DType::Int8, {1, 4}, {0, -32, 64, 0})}}};
  EXPECT_EQ(testing::runReference(c)[0].toInts(), (std::vector<int64_t>{19, 9, 78, 19}));
  c.inputs[0].value = ints(DType::Int8, {1, 3}, {0, 1, 2});
  expectErrorMentioning(c, "not a multiple of group_width");
}

TEST(ISoftmax, RejectsWideInputsAndBadAttributes) {
  NodeCase c{"iSoftmax", isoftmaxAttributes(), {{ints(DType::Int16, {1, 2}, {1, 2})}}};
  expectErrorMentioning(c, "must be int8 or uint8");
  c.inputs[0].value = ints(DType::Int8, {1, 2}, {1, 2});
  c.attrs.set("log2", int64_t{0});
  expectErrorMentioning(c, "'log2' must be positive");
  c.attrs = isoftmaxAttributes();
  c.attrs.erase("coeffB");
  expectErrorMentioning(c, "coeffB");
}

TEST(IntegerSoftmaxKernels, GeneratedCMatchesReference) {
  auto signedRows = ints(DType::Int8, {3, 5, 7}, spread(105, -128, 127, 4));
  auto unsignedRows = ints(DType::UInt8, {2, 12}, spread(24, 0, 255, 5));
  Attributes microLlama =
      attributes({{"coeffA", 1}, {"coeffB", 84}, {"coeffC", 3735}, {"log2", 62}, {"n_levels", 256}});
  expectGeneratedCMatchesReference({"iSoftmax", isoftmaxAttributes(), {{signedRows}}});
  expectGeneratedCMatchesReference({"iSoftmax", microLlama, {{unsignedRows}}});
  expectGeneratedCMatchesReference({"ITAMax", attributes({{"n_levels", 256}}), {{signedRows}}});
  expectGeneratedCMatchesReference(
      {"ITAPartialMax", attributes({{"group_width", 4}, {"n_levels", 256}}), {{unsignedRows}}});
}

// ---- iRMSNorm, iLayerNorm, iNoNorm ----

TEST(IRMSNorm, HandComputedRows) {
  // Row [3, 4]: std = sqrt(25 / 2 + 1) = 3; 3 * 256 / 3 >> 4 = 16, 4 * 512 / 3 = 682 >> 4 = 42.
  // Row [-3, 4]: -768 / 3 = -256 >> 4 = -16.
  NodeCase c{"iRMSNorm",
             attributes({{"D", 16}, {"n_levels", 256}}),
             {{ints(DType::Int8, {3, 2}, {3, 4, -3, 4, 100, 0})}, {ints(DType::Int32, {2}, {256, 512}), true}}};
  auto out = testing::runReference(c);
  EXPECT_EQ(out[0].dtype(), DType::Int8);
  // Row [100, 0]: std = sqrt(5000 + 1) = 70; 100 * 256 / 70 = 365 >> 4 = 22.
  EXPECT_EQ(out[0].toInts(), (std::vector<int64_t>{16, 42, -16, 42, 22, 0}));
  c.inputs[1].value = ints(DType::Int32, {2}, {100000, 100000});
  EXPECT_EQ(testing::runReference(c)[0].toInts(), (std::vector<int64_t>{127, 127, -128, 127, 127, 0}));
}

TEST(IRMSNorm, RejectsWeightsThatDoNotMatchTheLastAxis) {
  NodeCase c{"iRMSNorm",
             attributes({{"D", 16}, {"n_levels", 256}}),
             {{ints(DType::Int8, {1, 2}, {3, 4})}, {ints(DType::Int32, {3}, {1, 2, 3}), true}}};
  expectErrorMentioning(c, "weight must hold one value per element of the last axis");
  c.inputs[1].value = ints(DType::Int32, {2}, {1, 2});
  c.attrs.set("D", int64_t{10});
  expectErrorMentioning(c, "'D' must be a positive power of two");
}

TEST(ILayerNorm, HandComputedRowsWrapToInt8) {
  // [1, 2, 6]: mean 3, t = [-2, -1, 3], std = sqrt(14 / 3 + 1) = 2, D = 2:
  // (-16/2 + 0) >> 1 = -4, (-8/2 + 1) >> 1 = -2, (24/2 - 1) >> 1 = 5.
  NodeCase c{"iLayerNorm",
             attributes({{"D", 2}, {"n_levels", 256}}),
             {{ints(DType::Int8, {1, 3}, {1, 2, 6})},
              {ints(DType::Int32, {3}, {8, 8, 8}), true},
              {ints(DType::Int32, {3}, {0, 1, -1}), true}}};
  EXPECT_EQ(testing::runReference(c)[0].toInts(), (std::vector<int64_t>{-4, -2, 5}));
  // [0, 100]: mean 50, std = sqrt(2500 + 1) = 50, +-1000 wrap to 24 and -24 (no clamp).
  c.attrs.set("D", int64_t{1});
  c.inputs = {{ints(DType::UInt8, {1, 2}, {0, 100})},
              {ints(DType::Int32, {2}, {1000, 1000}), true},
              {ints(DType::Int32, {2}, {0, 0}), true}};
  EXPECT_EQ(testing::runReference(c)[0].toInts(), (std::vector<int64_t>{24, -24}));
}

TEST(INoNorm, HandComputedValues) {
  // ((1 * 3 + 5) * 2) >> 2 = 4, ((-2 * 4 + 5) * 2) >> 2 = -6 >> 2 = -2.
  NodeCase c{"iNoNorm",
             attributes({{"D", 4}, {"mul", 2}, {"n_levels", 256}}),
             {{ints(DType::Int8, {1, 2}, {1, -2})},
              {ints(DType::Int8, {1, 2}, {3, 4}), true},
              {ints(DType::Int16, {1}, {5}), true}}};
  auto out = testing::runReference(c);
  EXPECT_EQ(out[0].dtype(), DType::Int8);
  EXPECT_EQ(out[0].toInts(), (std::vector<int64_t>{4, -2}));
  c.inputs[1].value = ints(DType::Int8, {2, 2}, {1, 2, 3, 4});  // would enlarge the output
  expectErrorMentioning(c, "must broadcast to the input shape");
}

TEST(IntegerNormKernels, GeneratedCMatchesReference) {
  auto rows = ints(DType::Int8, {3, 5, 9}, spread(135, -128, 127, 6));
  auto weights = ints(DType::Int32, {9}, spread(9, 2000000, 4000000, 7));
  expectGeneratedCMatchesReference(
      {"iRMSNorm", attributes({{"D", 65536}, {"n_levels", 256}}), {{rows}, {weights, true}}});
  // 64-bit products: weights near 2^30, most results clamped.
  auto heavy = ints(DType::Int32, {9}, spread(9, -1000000000, 1000000000, 8));
  expectGeneratedCMatchesReference(
      {"iRMSNorm", attributes({{"D", 1 << 20}, {"n_levels", 256}}), {{rows}, {heavy, true}}});
  auto unsignedRows = ints(DType::UInt8, {4, 9}, spread(36, 0, 255, 9));
  auto bias = ints(DType::Int32, {9}, spread(9, -30000, 30000, 10));
  expectGeneratedCMatchesReference(
      {"iLayerNorm",
       attributes({{"D", 16384}, {"n_levels", 256}}),
       {{unsignedRows}, {ints(DType::Int32, {9}, spread(9, 200000, 300000, 11)), true}, {bias, true}}});
  expectGeneratedCMatchesReference(
      {"iLayerNorm", attributes({{"D", 4}, {"n_levels", 256}}), {{rows}, {heavy, true}, {bias, true}}});
  // iNoNorm with weights broadcasting over the middle axis and a bias over the last.
  auto x = ints(DType::Int8, {2, 5, 3}, spread(30, -128, 127, 12));
  expectGeneratedCMatchesReference({"iNoNorm",
                                    attributes({{"D", 256}, {"mul", 425}}),
                                    {{x},
                                     {ints(DType::Int8, {5, 1}, spread(5, -128, 127, 13)), true},
                                     {ints(DType::Int16, {3}, spread(3, -5000, 5000, 14)), true}}});
}

// ---- iHardswish, iGELU and their requantized fusions ----

TEST(IHardswish, HandComputedValues) {
  // clamp(x + 765, 0, 1530) * 33 * x: -128 -> 637 * 33 * -128; 127 -> 892 * 33 * 127.
  NodeCase c{"iHardswish",
             attributes({{"one_over_six", 33}, {"three", 765}, {"six", 1530}}),
             {{ints(DType::Int8, {5}, {-128, -30, 0, 10, 127})}}};
  auto out = testing::runReference(c);
  EXPECT_EQ(out[0].dtype(), DType::Int32);
  EXPECT_EQ(out[0].toInts(), (std::vector<int64_t>{-2690688, -727650, 0, 255750, 3738372}));
}

TEST(IGELU, HandComputedValues) {
  // b = -40, one = 1743. x = 5: q = 5, L = 1743 - 35^2 = 518, 5 * (2261 >> 1) = 5650.
  // x = -5: L = -518, -5 * (1225 >> 1) = -3060. |x| >= 40 saturates: 100 -> 100 * 1743, -100 -> 0.
  NodeCase c{"iGELU", attributes({{"b", -40}, {"one", 1743}}), {{ints(DType::Int8, {5}, {5, -5, 100, -100, 0})}}};
  EXPECT_EQ(testing::runReference(c)[0].toInts(), (std::vector<int64_t>{5650, -3060, 174300, 0, 0}));
  c.attrs.set("b", int64_t{3});
  expectErrorMentioning(c, "'b' must not be positive");
}

Attributes withRequant(Attributes a, int64_t div) {
  a.set("div", div);
  a.set("n_levels", int64_t{256});
  a.set("signed", int64_t{1});
  return a;
}

TEST(RQiHardswish, EqualsRequantShiftOfTheActivation) {
  // 3738372 * 1 + 32768 >> 16 = 57; -2690688 -> -41 (the Hardswish/Regular_RQ extremes).
  NodeCase c{"RQiHardswish",
             withRequant(attributes({{"one_over_six", 33}, {"three", 765}, {"six", 1530}}), 65536),
             {{ints(DType::Int8, {2}, {127, -128})}, {scalar(DType::Int32, 1), true}, {scalar(DType::Int32, 0), true}}};
  auto out = testing::runReference(c);
  EXPECT_EQ(out[0].dtype(), DType::Int8);
  EXPECT_EQ(out[0].toInts(), (std::vector<int64_t>{57, -41}));
}

TEST(IntegerActivationKernels, GeneratedCMatchesReference) {
  auto x = ints(DType::Int8, {3, 4, 5}, spread(60, -128, 127, 15));
  Attributes hardswish = attributes({{"one_over_six", 42}, {"three", 122}, {"six", 245}});
  Attributes gelu = attributes({{"b", -40}, {"one", 1743}});
  expectGeneratedCMatchesReference({"iHardswish", hardswish, {{x}}});
  expectGeneratedCMatchesReference({"iGELU", gelu, {{x}}});
  // int32 inputs need the 64-bit activation.
  auto wide = ints(DType::Int32, {7}, spread(7, -3000000, 3000000, 16));
  expectGeneratedCMatchesReference({"iHardswish", hardswish, {{wide}}});
  expectGeneratedCMatchesReference({"iGELU", gelu, {{wide}}});
  auto perChannelMul = ints(DType::Int32, {4, 1}, {13, -7, 200000, 1});
  auto perChannelAdd = ints(DType::Int32, {4, 1}, {0, 100, -5, 7});
  expectGeneratedCMatchesReference(
      {"RQiGELU", withRequant(gelu, 16384), {{x}, {perChannelMul, true}, {perChannelAdd, true}}});
  expectGeneratedCMatchesReference({"RQiHardswish",
                                    withRequant(hardswish, 65536),
                                    {{x}, {scalar(DType::Int32, 3), true}, {scalar(DType::Int32, -9), true}}});
}

// ---- TrueIntegerDiv, IntegerDiv, RQIntegerDiv ----

Attributes divisionAttributes(int64_t delta, int64_t eps, int64_t eta) {
  return attributes({{"Delta", delta}, {"eps", eps}, {"eta", eta}});
}

TEST(TrueIntegerDiv, MultipliesByTheFlooredFactor) {
  // floor(16384 * 200000 / (2 * 200000 + 1)) = 8191.
  Attributes a = divisionAttributes(16384, 1, 200000);
  a.set("y", int64_t{2});
  NodeCase c{"TrueIntegerDiv", a, {{ints(DType::Int8, {2}, {3, -2})}}};
  auto out = testing::runReference(c);
  EXPECT_EQ(out[0].dtype(), DType::Int32);
  EXPECT_EQ(out[0].toInts(), (std::vector<int64_t>{24573, -16382}));
  c.attrs.set("eps", int64_t{-400000});
  expectErrorMentioning(c, "y * eta + eps must not be zero");
}

TEST(IntegerDiv, RoundsHalvesAwayFromZeroWithBroadcasting) {
  // d = B, n = A: 7/2 -> 4, -7/2 -> -4, 6/4 -> 2, 0/3 -> 0.
  NodeCase c{"IntegerDiv",
             divisionAttributes(1, 0, 1),
             {{ints(DType::Int32, {4}, {7, -7, 6, 0})}, {ints(DType::Int32, {4}, {2, 2, 4, 3})}}};
  EXPECT_EQ(testing::runReference(c)[0].toInts(), (std::vector<int64_t>{4, -4, 2, 0}));
  // Delta = 3, eta = 2, eps = 1: d = 2 * 2 + 1 = 5, n = 6 * A: 6 -> (6 + 2) / 5 = 1, -10 -> (-60 - 2) / 5 = -12.
  c = {
      "IntegerDiv", divisionAttributes(3, 1, 2), {{ints(DType::Int32, {2}, {1, -10})}, {ints(DType::Int32, {1}, {2})}}};
  EXPECT_EQ(testing::runReference(c)[0].toInts(), (std::vector<int64_t>{1, -12}));
}

TEST(RQIntegerDiv, RequantizesTheQuotient) {
  // Quotients [4, -4, 2, 0] (see above), then (q * 3 + 1) >> 1 = [6, -6, 3, 0].
  NodeCase c{"RQIntegerDiv",
             divisionAttributes(1, 0, 1),
             {{ints(DType::Int32, {4}, {7, -7, 6, 0})},
              {ints(DType::Int32, {4}, {2, 2, 4, 3})},
              {scalar(DType::Int32, 3), true},
              {scalar(DType::Int32, 0), true},
              {scalar(DType::Int32, 2), true}}};
  auto out = testing::runReference(c);
  EXPECT_EQ(out[0].dtype(), DType::Int8);
  EXPECT_EQ(out[0].toInts(), (std::vector<int64_t>{6, -6, 3, 0}));
  c.inputs[4].value = scalar(DType::Int32, 3);
  expectErrorMentioning(c, "'div' must be a positive power of two");
}

TEST(IntegerDivisionKernels, GeneratedCMatchesReference) {
  Attributes a = divisionAttributes(16384, 1, 200000);
  a.set("y", int64_t{2});
  expectGeneratedCMatchesReference(
      {"TrueIntegerDiv", a, {{ints(DType::Int16, {3, 5}, spread(15, -32768, 32767, 17))}}});
  auto numerator = ints(DType::Int32, {2, 3, 4}, spread(24, -100000, 100000, 18));
  auto denominator = ints(DType::Int32, {3, 1}, {1, -7, 300});
  expectGeneratedCMatchesReference({"IntegerDiv", divisionAttributes(16384, 1, 3), {{numerator}, {denominator}}});
  expectGeneratedCMatchesReference({"RQIntegerDiv",
                                    divisionAttributes(64, 1, 3),
                                    {{numerator},
                                     {denominator},
                                     {scalar(DType::Int32, 5), true},
                                     {scalar(DType::Int32, -3), true},
                                     {scalar(DType::Int32, 1024), true}}});
}

}  // namespace
}  // namespace deeploy
