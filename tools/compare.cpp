#include "tools/compare.h"

#include <algorithm>
#include <cmath>
#include <sstream>

namespace deeploy {

namespace {

const TensorData* expectedFor(const Graph& graph, const NamedArrays& expected, size_t outputIndex) {
  bool byName = std::all_of(graph.outputs.begin(), graph.outputs.end(), [&](TensorId id) {
    return std::any_of(expected.begin(), expected.end(), [&](const auto& e) { return e.first == graph.tensor(id).name; });
  });
  if (byName) {
    for (const auto& e : expected) {
      if (e.first == graph.tensor(graph.outputs[outputIndex]).name) return &e.second;
    }
  }
  return outputIndex < expected.size() ? &expected[outputIndex].second : nullptr;
}

bool elementMatches(const TensorData& actual, const TensorData& expected, int64_t i, Tolerance tolerance) {
  double a = actual.getDouble(i), e = expected.getDouble(i);
  if (std::isnan(a) || std::isnan(e)) return false;
  if (a == e) return true;  // also equal infinities, whose difference is NaN
  if (isInteger(actual.dtype())) return std::fabs(static_cast<double>(actual.getInt(i)) - e) <= static_cast<double>(tolerance.integer);
  return std::fabs(a - e) <= std::max(kFloatTolerance, tolerance.relative * std::fabs(e));
}

}  // namespace

Comparison compareOutputs(const Graph& graph, const std::vector<TensorData>& actual, const NamedArrays& expected,
                          Tolerance tolerance) {
  Comparison result;
  if (expected.size() < graph.outputs.size()) {
    result.passed = false;
    result.message = "expected " + std::to_string(graph.outputs.size()) + " output arrays, the file has " +
                     std::to_string(expected.size());
    return result;
  }
  for (size_t o = 0; o < graph.outputs.size(); ++o) {
    const std::string& name = graph.tensor(graph.outputs[o]).name;
    const TensorData* want = expectedFor(graph, expected, o);
    const TensorData& got = actual[o];
    if (got.shape() != want->shape()) {
      result.passed = false;
      result.message = "output '" + name + "' has shape " + shapeToString(got.shape()) + ", expected " +
                       shapeToString(want->shape());
      return result;
    }
    int64_t differing = 0, first = -1;
    for (int64_t i = 0; i < got.size(); ++i) {
      if (elementMatches(got, *want, i, tolerance)) continue;
      if (first < 0) first = i;
      ++differing;
    }
    if (differing > 0) {
      std::ostringstream m;
      m.precision(9);
      m << "output '" << name << "' differs in " << differing << " of " << got.size() << " elements; first at index "
        << first << ": got " << got.getDouble(first) << ", expected " << want->getDouble(first);
      result.passed = false;
      result.message = m.str();
      return result;
    }
  }
  return result;
}

}  // namespace deeploy
