#include <gtest/gtest.h>

#include "tests/support/single_node.h"
#include "tests/support/tensors.h"

namespace deeploy {
namespace {

using namespace testing;

TEST(Add, Int8OperandsWidenToInt32WithBroadcast) {
  NodeCase c{"Add", {}, {{ints(DType::Int8, {2, 2}, {127, -128, 5, 6})}, {ints(DType::Int8, {2}, {127, -128})}}};
  auto out = testing::runReference(c);
  EXPECT_EQ(out[0].dtype(), DType::Int32);
  EXPECT_EQ(out[0].toInts(), (std::vector<int64_t>{254, -256, 132, -122}));
}

TEST(Add, DeclaredIntegerOutputTypeWraps) {
  NodeCase c{"Add", {}, {{ints(DType::UInt8, {2}, {200, 3})}, {ints(DType::UInt8, {2}, {100, 4})}}, 1, {DType::UInt8}};
  auto out = testing::runReference(c);
  EXPECT_EQ(out[0].dtype(), DType::UInt8);
  EXPECT_EQ(out[0].toInts(), (std::vector<int64_t>{44, 7}));
}

TEST(Sub, MixedIntegerAndFloatComputesInFloat) {
  NodeCase c{"Sub", {}, {{ints(DType::Int8, {3}, {1, 2, 3})}, {floats({1}, {0.5}), true}}};
  auto out = testing::runReference(c);
  EXPECT_EQ(out[0].dtype(), DType::Float32);
  EXPECT_EQ(out[0].toDoubles(), (std::vector<double>{0.5, 1.5, 2.5}));
}

TEST(Div, IntegerDivisionTruncatesTowardZero) {
  NodeCase c{"Div", {}, {{ints(DType::Int32, {4}, {7, -7, 7, 1})}, {ints(DType::Int32, {4}, {2, 2, -2, 0})}}};
  EXPECT_EQ(testing::runReference(c)[0].toInts(), (std::vector<int64_t>{3, -3, -3, 0}));
}

TEST(Pow, FloatPower) {
  NodeCase c{"Pow", {}, {{floats({3}, {2, 3, 4})}, {floats({1}, {2}), true}}};
  EXPECT_EQ(testing::runReference(c)[0].toDoubles(), (std::vector<double>{4, 9, 16}));
}

TEST(Add, IncompatibleShapesFailNamingTheNode) {
  expectErrorMentioning({"Add", {}, {{floats({3}, {1, 2, 3})}, {floats({2}, {1, 2})}}}, "broadcast");
}

TEST(BinaryKernels, GeneratedCMatchesReferenceOnBroadcastShapes) {
  std::vector<int64_t> a(2 * 3 * 4), b(3 * 1);
  for (size_t i = 0; i < a.size(); ++i) a[i] = static_cast<int64_t>(i * 37 % 255) - 128;
  for (size_t i = 0; i < b.size(); ++i) b[i] = static_cast<int64_t>(i * 91 % 255) - 128;
  for (const char* op : {"Add", "Sub", "Mul"}) {
    NodeCase c{op, {}, {{ints(DType::Int8, {2, 3, 4}, a)}, {ints(DType::Int16, {3, 1}, b)}}};
    EXPECT_EQ(testing::runGeneratedC(c)[0], testing::runReference(c)[0]) << op;
  }
  NodeCase f{"Div", {}, {{floats({2, 1, 3}, {1, 2, 3, 4, 5, 6})}, {floats({4, 1}, {1, 2, 4, 8})}}};
  EXPECT_EQ(testing::runGeneratedC(f)[0], testing::runReference(f)[0]);
}

}  // namespace
}  // namespace deeploy
