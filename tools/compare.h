// Comparing computed outputs with expected ones the way Deeploy's harness does: integers exactly,
// floats within an absolute tolerance (optionally widened by a relative one), NaN never equal.
#pragma once

#include <string>
#include <vector>

#include "frontend/npz.h"
#include "ir/graph.h"

namespace deeploy {

constexpr double kFloatTolerance = 1e-4;

struct Comparison {
  bool passed = true;
  std::string message;  // for a failure: the first differing output, the count of differing elements, the first index
  bool didNotFit = false;  // not run: its tiling needs a larger L1 than the platform has
};

// How far an element may be from the expected one: a float within max(kFloatTolerance, relative *
// |expected|), an integer within `integer` (0: exactly; 1: one quantization step, for comparisons with
// another runtime's requantization rounding).
struct Tolerance {
  double relative = 0;
  int64_t integer = 0;
};

// Expected arrays are matched to graph outputs by name when all names match, otherwise by position.
Comparison compareOutputs(const Graph& graph, const std::vector<TensorData>& actual, const NamedArrays& expected,
                          Tolerance tolerance = {});

}  // namespace deeploy
