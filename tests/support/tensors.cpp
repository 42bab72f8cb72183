#include "tests/support/tensors.h"

#include <gtest/gtest.h>

namespace deeploy::testing {

TensorData ints(DType type, Shape shape, std::vector<int64_t> values) {
  return TensorData::fromInts(type, std::move(shape), values);
}

TensorData floats(Shape shape, std::vector<double> values) {
  return TensorData::fromDoubles(DType::Float32, std::move(shape), values);
}

TensorData int64s(std::vector<int64_t> values) {
  return ints(DType::Int64, {static_cast<int64_t>(values.size())}, values);
}

Attributes attributes(std::initializer_list<std::pair<std::string, AttributeValue>> values) {
  Attributes a;
  for (const auto& [name, value] : values) a.set(name, value);
  return a;
}

std::vector<int64_t> patternValues(int64_t n, int64_t lo, int64_t hi) {
  std::vector<int64_t> v(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) v[static_cast<size_t>(i)] = lo + (i * 7919 + 13) % (hi - lo + 1);
  return v;
}

TensorData pattern(DType type, Shape shape, int64_t lo, int64_t hi, int64_t seed) {
  std::vector<int64_t> v(static_cast<size_t>(elementCount(shape)));
  auto range = static_cast<size_t>(hi - lo + 1);
  for (size_t i = 0; i < v.size(); ++i) v[i] = lo + static_cast<int64_t>((i * 37 + seed * 101 + i * i * 13) % range);
  return ints(type, std::move(shape), v);
}

void expectNear(const TensorData& got, const TensorData& want, double tolerance) {
  ASSERT_EQ(got.shape(), want.shape());
  for (int64_t i = 0; i < got.size(); ++i) {
    EXPECT_NEAR(got.getDouble(i), want.getDouble(i), tolerance) << "element " << i;
  }
}

TensorData floatPattern(Shape shape, int64_t seed) {
  TensorData p = pattern(DType::Int32, shape, -50, 50, seed);
  std::vector<double> v;
  for (int64_t x : p.toInts()) v.push_back(static_cast<double>(x) / 16.0);
  return floats(std::move(shape), v);
}

}  // namespace deeploy::testing
