#include <gtest/gtest.h>

#include <cmath>

#include "tests/support/single_node.h"
#include "tests/support/tensors.h"

namespace deeploy {
namespace {

using namespace testing;
using testing::expectNear;  // beside the local overload for expected value lists

std::vector<double> wave(size_t n, double scale = 3) {
  std::vector<double> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = std::sin(static_cast<double>(i) * 2.3 + 0.4) * scale + 0.5;
  return v;
}

void expectNear(const TensorData& got, const std::vector<double>& want, double tolerance = 1e-5) {
  ASSERT_EQ(got.size(), static_cast<int64_t>(want.size()));
  for (int64_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got.getDouble(i), want[static_cast<size_t>(i)], tolerance) << "element " << i;
}

TEST(LayerNormalization, NormalizesTheLastAxis) {
  // mean 2.5, variance 1.25: (x - 2.5) / sqrt(1.25), then * 2 + 1 from one-element scale and bias.
  NodeCase c{"LayerNormalization", attributes({{"epsilon", 0.0}}),
             {{floats({1, 4}, {1, 2, 3, 4})}, {floats({1}, {2}), true}, {floats({1}, {1}), true}}};
  double a = 1.5 / std::sqrt(1.25), b = 0.5 / std::sqrt(1.25);
  expectNear(testing::runReference(c)[0], {1 - 2 * a, 1 - 2 * b, 1 + 2 * b, 1 + 2 * a});
}

TEST(LayerNormalization, AxisOneWithStatisticsOutputs) {
  // Blocks [1, 3, 1, 3] (mean 2, variance 1) and [0, 0, 4, 4] (mean 2, variance 4); no bias.
  NodeCase c{"LayerNormalization", attributes({{"axis", int64_t{1}}, {"epsilon", 0.0}}),
             {{floats({2, 2, 2}, {1, 3, 1, 3, 0, 0, 4, 4})}, {floats({2, 2}, {1, 1, 1, 1}), true}},
             3};
  auto out = testing::runReference(c);
  expectNear(out[0], {-1, 1, -1, 1, -1, -1, 1, 1});
  EXPECT_EQ(out[1].shape(), (Shape{2, 1, 1}));
  expectNear(out[1], {2, 2});
  expectNear(out[2], {1, 0.5});
}

TEST(GroupNormalization, PerChannelAndPerGroupParameters) {
  // Groups [1, 3] (mean 2, std 1) and [10, 20] (mean 15, std 5) both normalize to [-1, 1].
  TensorData x = floats({1, 4, 1}, {1, 3, 10, 20});
  NodeCase perChannel{"GroupNormalization", attributes({{"num_groups", int64_t{2}}, {"epsilon", 0.0}}),
                      {{x}, {floats({4}, {1, 2, 3, 4}), true}, {floats({4}, {0, 0, 0, 1}), true}}};
  expectNear(testing::runReference(perChannel)[0], {-1, 2, -3, 5});
  NodeCase perGroup{"GroupNormalization", attributes({{"num_groups", int64_t{2}}, {"epsilon", 0.0}}),
                    {{x}, {floats({2}, {2, 3}), true}, {floats({2}, {1, 0}), true}}};
  expectNear(testing::runReference(perGroup)[0], {-1, 3, -3, 3});
}

TEST(InstanceNormalization, NormalizesEachChannel) {
  NodeCase c{"InstanceNormalization", attributes({{"epsilon", 0.0}}),
             {{floats({1, 2, 2}, {1, 3, 5, 5.5})}, {floats({2}, {1, 2}), true}, {floats({2}, {0, 10}), true}}};
  expectNear(testing::runReference(c)[0], {-1, 1, 8, 12});
}

TEST(BatchNormalization, UsesTheRunningStatistics) {
  NodeCase c{"BatchNormalization", attributes({{"epsilon", 0.0}}),
             {{floats({1, 2, 2}, {1, 2, 3, 4})},
              {floats({2}, {1, 2}), true},
              {floats({2}, {0, 1}), true},
              {floats({2}, {1, 3}), true},
              {floats({2}, {4, 0.25}), true}}};
  expectNear(testing::runReference(c)[0], {0, 0.5, 1, 5});
}

TEST(RMSNorm, ScalesByTheRootMeanSquare) {
  NodeCase c{"RMSNorm", attributes({{"eps", 0.0}}), {{floats({1, 2}, {3, 4})}, {floats({2}, {1, 2}), true}}};
  double rms = std::sqrt(12.5);
  expectNear(testing::runReference(c)[0], {3 / rms, 8 / rms});
  // The default epsilon is 1e-6: it doubles the mean square of these values.
  NodeCase small{"RMSNorm", {}, {{floats({2}, {1e-3, 1e-3})}, {floats({1}, {1}), true}}};
  expectNear(testing::runReference(small)[0], {std::sqrt(0.5), std::sqrt(0.5)});
}

TEST(NormalizationErrors, InvalidParametersNameTheNode) {
  expectErrorMentioning({"GroupNormalization", attributes({{"num_groups", int64_t{3}}}),
                         {{floats({1, 4, 1}, {1, 2, 3, 4})}, {floats({4}, {1, 1, 1, 1}), true}, {floats({4}, {0, 0, 0, 0}), true}}},
                        "does not divide");
  expectErrorMentioning({"GroupNormalization", {}, {{floats({1, 2, 1}, {1, 2})}, {floats({2}, {1, 1}), true}, {floats({2}, {0, 0}), true}}},
                        "num_groups");
  expectErrorMentioning({"LayerNormalization", {}, {{floats({2, 3}, {1, 2, 3, 4, 5, 6})}, {floats({2}, {1, 1}), true}}}, "does not broadcast");
  expectErrorMentioning({"LayerNormalization", attributes({{"axis", int64_t{2}}}), {{floats({2, 3}, {1, 2, 3, 4, 5, 6})}, {floats({1}, {1}), true}}},
                        "out of range");
  expectErrorMentioning({"BatchNormalization", attributes({{"training_mode", int64_t{1}}}),
                         {{floats({1, 1, 1}, {1})}, {floats({1}, {1}), true}, {floats({1}, {0}), true}, {floats({1}, {0}), true}, {floats({1}, {1}), true}}},
                        "training_mode");
  expectErrorMentioning({"InstanceNormalization", {}, {{floats({1, 2, 2}, {1, 2, 3, 4})}, {floats({3}, {1, 1, 1}), true}, {floats({2}, {0, 0}), true}}},
                        "scale must have shape [2]");
}

TEST(NormalizationKernels, GeneratedCMatchesReferenceOnOddShapes) {
  // Scale broadcast along the first normalized axis (expanded to a constant), runtime one-value bias,
  // and both statistics outputs.
  NodeCase layer{"LayerNormalization", attributes({{"axis", int64_t{1}}}),
                 {{floats({2, 3, 5}, wave(30))}, {floats({5}, wave(5, 1)), true}, {floats({1}, {0.25})}},
                 3};
  auto c = testing::runGeneratedC(layer), ref = testing::runReference(layer);
  for (size_t o = 0; o < 3; ++o) expectNear(c[o], ref[o], 1e-4);
  NodeCase group{"GroupNormalization", attributes({{"num_groups", int64_t{3}}}),
                 {{floats({2, 6, 3, 1}, wave(36))}, {floats({3}, {0.5, -1, 2}), true}, {floats({3}, {1, 0, -1}), true}}};
  expectNear(testing::runGeneratedC(group)[0], testing::runReference(group)[0], 1e-4);
  NodeCase instance{"InstanceNormalization", {}, {{floats({3, 2, 7}, wave(42))}, {floats({2}, {1.5, -0.5})}, {floats({2}, {0, 2})}}};
  expectNear(testing::runGeneratedC(instance)[0], testing::runReference(instance)[0], 1e-4);
  NodeCase batch{"BatchNormalization", {},
                 {{floats({2, 3, 5}, wave(30))}, {floats({3}, {1, 2, 3}), true}, {floats({3}, {0, -1, 1}), true},
                  {floats({3}, {0.5, 0, -0.5}), true}, {floats({3}, {1, 4, 0.25}), true}}};
  expectNear(testing::runGeneratedC(batch)[0], testing::runReference(batch)[0], 1e-4);
  NodeCase rms{"RMSNorm", attributes({{"axis", int64_t{-2}}, {"epsilon", 1e-5}}), {{floats({2, 3, 4}, wave(24))}, {floats({4}, wave(4, 2)), true}}};
  expectNear(testing::runGeneratedC(rms)[0], testing::runReference(rms)[0], 1e-4);
}

}  // namespace
}  // namespace deeploy
