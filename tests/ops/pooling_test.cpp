#include <gtest/gtest.h>

#include <cmath>

#include "tests/support/single_node.h"
#include "tests/support/tensors.h"

namespace deeploy {
namespace {

using namespace testing;
using Ints = std::vector<int64_t>;

std::vector<double> wave(size_t n) {
  std::vector<double> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = std::sin(static_cast<double>(i) * 1.7) * 5;
  return v;
}

TEST(MaxPool, PaddingNeverWins) {
  // 3x3 ramp of negative values, 2x2 windows, stride 1, one padding cell on each side: 4x4 output.
  NodeCase c{"MaxPool", attributes({{"kernel_shape", Ints{2, 2}}, {"pads", Ints{1, 1, 1, 1}}}),
             {{floats({1, 1, 3, 3}, {-9, -8, -7, -6, -5, -4, -3, -2, -1})}}};
  auto out = testing::runReference(c);
  EXPECT_EQ(out[0].shape(), (Shape{1, 1, 4, 4}));
  EXPECT_EQ(out[0].toDoubles(), (std::vector<double>{-9, -8, -7, -7, -6, -5, -4, -4, -3, -2, -1, -1, -3, -2, -1, -1}));
}

TEST(MaxPool, IntegerInputKeepsItsType) {
  NodeCase c{"MaxPool", attributes({{"kernel_shape", Ints{3}}, {"strides", Ints{2}}}),
             {{ints(DType::Int8, {1, 1, 7}, {-128, 5, -3, 100, -128, -1, 2})}}};
  auto out = testing::runReference(c);
  EXPECT_EQ(out[0].dtype(), DType::Int8);
  EXPECT_EQ(out[0].toInts(), (std::vector<int64_t>{5, 100, 2}));
}

TEST(MaxPool, DilatedWindowSkipsElements) {
  NodeCase c{"MaxPool", attributes({{"kernel_shape", Ints{2}}, {"dilations", Ints{2}}}),
             {{floats({1, 1, 6}, {1, 9, 2, 8, 3, 7})}}};
  EXPECT_EQ(testing::runReference(c)[0].toDoubles(), (std::vector<double>{2, 9, 3, 8}));
}

TEST(MaxPool, CeilModeKeepsPartialWindowsButNotOnesStartingInPadding) {
  NodeCase ceil{"MaxPool", attributes({{"kernel_shape", Ints{2}}, {"strides", Ints{2}}, {"ceil_mode", int64_t{1}}}),
                {{floats({1, 1, 5}, {1, 2, 3, 4, 5})}}};
  EXPECT_EQ(testing::runReference(ceil)[0].toDoubles(), (std::vector<double>{2, 4, 5}));
  NodeCase floor{"MaxPool", attributes({{"kernel_shape", Ints{2}}, {"strides", Ints{2}}}), {{floats({1, 1, 5}, {1, 2, 3, 4, 5})}}};
  EXPECT_EQ(testing::runReference(floor)[0].toDoubles(), (std::vector<double>{2, 4}));
  // 4 inputs + 1 end padding: ceil gives 3 windows, the last would start in the padding.
  NodeCase dropped{"MaxPool", attributes({{"kernel_shape", Ints{2}}, {"strides", Ints{2}}, {"pads", Ints{0, 1}}, {"ceil_mode", int64_t{1}}}),
                   {{floats({1, 1, 4}, {1, 2, 3, 4})}}};
  EXPECT_EQ(testing::runReference(dropped)[0].shape(), (Shape{1, 1, 2}));
}

TEST(MaxPool, AutoPadSameUpperAndLower) {
  TensorData x = floats({1, 1, 3}, {5, 1, 7});
  NodeCase upper{"MaxPool", attributes({{"kernel_shape", Ints{2}}, {"auto_pad", std::string("SAME_UPPER")}}), {{x}}};
  EXPECT_EQ(testing::runReference(upper)[0].toDoubles(), (std::vector<double>{5, 7, 7}));
  NodeCase lower{"MaxPool", attributes({{"kernel_shape", Ints{2}}, {"auto_pad", std::string("SAME_LOWER")}}), {{x}}};
  EXPECT_EQ(testing::runReference(lower)[0].toDoubles(), (std::vector<double>{5, 5, 7}));
}

TEST(AveragePool, CountIncludePadChangesTheDivisor) {
  TensorData x = floats({1, 1, 2, 2}, {1, 2, 3, 4});
  NodeCase valid{"AveragePool", attributes({{"kernel_shape", Ints{2, 2}}, {"pads", Ints{1, 1, 1, 1}}}), {{x}}};
  EXPECT_EQ(testing::runReference(valid)[0].toDoubles(), (std::vector<double>{1, 1.5, 2, 2, 2.5, 3, 3, 3.5, 4}));
  NodeCase padded{"AveragePool",
                  attributes({{"kernel_shape", Ints{2, 2}}, {"pads", Ints{1, 1, 1, 1}}, {"count_include_pad", int64_t{1}}}), {{x}}};
  EXPECT_EQ(testing::runReference(padded)[0].toDoubles(), (std::vector<double>{0.25, 0.75, 0.5, 1, 2.5, 1.5, 0.75, 1.75, 1}));
}

TEST(PoolErrors, InvalidConfigurationsNameTheNode) {
  expectErrorMentioning({"MaxPool", {}, {{floats({1, 1, 4}, {1, 2, 3, 4})}}}, "kernel_shape");
  expectErrorMentioning({"MaxPool", attributes({{"kernel_shape", Ints{5}}}), {{floats({1, 1, 4}, {1, 2, 3, 4})}}}, "does not fit");
  expectErrorMentioning({"MaxPool", attributes({{"kernel_shape", Ints{2, 2}}}), {{floats({1, 1, 4}, {1, 2, 3, 4})}}}, "kernel_shape has 2 values");
  expectErrorMentioning({"AveragePool", attributes({{"kernel_shape", Ints{2}}}), {{ints(DType::Int8, {1, 1, 4}, {1, 2, 3, 4})}}}, "float");
  expectErrorMentioning({"MaxPool", attributes({{"kernel_shape", Ints{2}}}), {{floats({4}, {1, 2, 3, 4})}}}, "N x C x spatial");
  expectErrorMentioning({"MaxPool", attributes({{"kernel_shape", Ints{2}}, {"auto_pad", std::string("SAME")}}), {{floats({1, 1, 4}, {1, 2, 3, 4})}}},
                        "auto_pad");
}

TEST(PoolKernels, GeneratedCMatchesReferenceOnUnevenGeometries) {
  // 3-D max pooling with strides, dilations and asymmetric padding on odd sizes.
  NodeCase max3d{"MaxPool",
                 attributes({{"kernel_shape", Ints{2, 3, 2}}, {"strides", Ints{1, 2, 3}}, {"dilations", Ints{2, 1, 1}},
                             {"pads", Ints{1, 0, 1, 0, 2, 1}}}),
                 {{floats({2, 3, 5, 7, 6}, wave(2 * 3 * 5 * 7 * 6))}}};
  EXPECT_EQ(testing::runGeneratedC(max3d)[0], testing::runReference(max3d)[0]);
  // Integer 1-D max pooling with SAME_LOWER padding.
  NodeCase max1d{"MaxPool", attributes({{"kernel_shape", Ints{4}}, {"strides", Ints{3}}, {"auto_pad", std::string("SAME_LOWER")}}),
                 {{ints(DType::Int16, {1, 3, 11}, patternValues(33, -32768, 32767))}}};
  EXPECT_EQ(testing::runGeneratedC(max1d)[0], testing::runReference(max1d)[0]);
  // Average pooling with ceil mode, padding counted, and dilation.
  NodeCase avg{"AveragePool",
               attributes({{"kernel_shape", Ints{3, 2}}, {"strides", Ints{2, 2}}, {"pads", Ints{1, 0, 1, 1}},
                           {"ceil_mode", int64_t{1}}, {"count_include_pad", int64_t{1}}, {"dilations", Ints{1, 2}}}),
               {{floats({1, 2, 6, 7}, wave(84))}}};
  expectNear(testing::runGeneratedC(avg)[0], testing::runReference(avg)[0], 1e-5);
  NodeCase avgValid{"AveragePool", attributes({{"kernel_shape", Ints{3, 3}}, {"pads", Ints{1, 1, 1, 1}}, {"strides", Ints{2, 1}}}),
                    {{floats({2, 1, 5, 4}, wave(40))}}};
  expectNear(testing::runGeneratedC(avgValid)[0], testing::runReference(avgValid)[0], 1e-5);
}

}  // namespace
}  // namespace deeploy
