// Test support: building tensors and attributes, and comparing float tensors.
#pragma once

#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "ir/attributes.h"
#include "ir/tensor_data.h"

namespace deeploy::testing {

TensorData ints(DType type, Shape shape, std::vector<int64_t> values);
// A float32 tensor.
TensorData floats(Shape shape, std::vector<double> values);
// A 1-D int64 tensor (shapes, axes, pads, ... given as inputs).
TensorData int64s(std::vector<int64_t> values);

Attributes attributes(std::initializer_list<std::pair<std::string, AttributeValue>> values);

// Deterministic values spread over [lo, hi]: n of them, or a tensor of `type` and `shape` (`seed` varies
// the values between tensors of one test).
std::vector<int64_t> patternValues(int64_t n, int64_t lo, int64_t hi);
TensorData pattern(DType type, Shape shape, int64_t lo, int64_t hi, int64_t seed = 1);
// Float32 values in [-3.125, 3.125] on a grid of 1/16 (exact in float), spread like pattern().
TensorData floatPattern(Shape shape, int64_t seed = 1);

// Same shape, and every element within `tolerance` of the wanted one.
void expectNear(const TensorData& got, const TensorData& want, double tolerance);

}  // namespace deeploy::testing
