#include "frontend/input_binding.h"

#include <algorithm>

#include "ir/error.h"

namespace deeploy {

namespace {

bool matchesByName(const Graph& graph, const NamedArrays& arrays) {
  return std::all_of(graph.inputs.begin(), graph.inputs.end(), [&](TensorId id) {
    return std::any_of(arrays.begin(), arrays.end(), [&](const auto& a) { return a.first == graph.tensor(id).name; });
  });
}

bool repeatsAnInitializer(const Graph& graph, const TensorData& array) {
  return std::any_of(graph.tensors.begin(), graph.tensors.end(), [&](const Tensor& t) {
    if (!t.constant || t.constant->shape() != array.shape()) return false;
    for (int64_t i = 0; i < array.size(); ++i) {
      if (t.constant->getDouble(i) != array.getDouble(i)) return false;
    }
    return true;
  });
}

std::vector<const TensorData*> matchArrays(const Graph& graph, const NamedArrays& arrays) {
  std::vector<const TensorData*> bound(graph.inputs.size(), nullptr);
  std::vector<bool> used(arrays.size(), false);
  if (matchesByName(graph, arrays)) {
    for (size_t i = 0; i < graph.inputs.size(); ++i) {
      for (size_t a = 0; a < arrays.size(); ++a) {
        if (arrays[a].first == graph.tensor(graph.inputs[i]).name) {
          bound[i] = &arrays[a].second;
          used[a] = true;
          break;
        }
      }
    }
  } else {
    if (arrays.size() < graph.inputs.size()) {
      std::string missing;
      for (size_t i = arrays.size(); i < graph.inputs.size(); ++i) missing += " '" + graph.tensor(graph.inputs[i]).name + "'";
      throw Error("the network has " + std::to_string(graph.inputs.size()) + " inputs but " +
                  std::to_string(arrays.size()) + " arrays were given; no value for input(s)" + missing);
    }
    for (size_t i = 0; i < graph.inputs.size(); ++i) {
      bound[i] = &arrays[i].second;
      used[i] = true;
    }
  }
  for (size_t a = 0; a < arrays.size(); ++a) {
    if (!used[a] && !repeatsAnInitializer(graph, arrays[a].second)) {
      throw Error("array '" + arrays[a].first + "' matches no input of the network (and no initializer)");
    }
  }
  return bound;
}

}  // namespace

std::vector<TensorData> bindInputs(Graph& graph, const NamedArrays& arrays) {
  std::vector<const TensorData*> bound = matchArrays(graph, arrays);
  // Float containers of integers: every array integer-valued, and some float-declared input with values to
  // show it (an empty array, such as an empty KV cache, shows nothing either way).
  bool allIntegral = std::all_of(bound.begin(), bound.end(), [](const TensorData* a) { return a->allIntegral(); });
  bool floatInputWithValues = false;
  for (size_t i = 0; i < graph.inputs.size(); ++i) {
    floatInputWithValues |= isFloat(graph.tensor(graph.inputs[i]).declaredType) && bound[i]->size() > 0;
  }
  const bool integersInFloatContainers = allIntegral && floatInputWithValues;
  std::vector<TensorData> result;
  for (size_t i = 0; i < graph.inputs.size(); ++i) {
    Tensor& t = graph.tensor(graph.inputs[i]);
    const TensorData& array = *bound[i];
    bool rankKnown = !t.shape.empty() || t.declaredType != DType::Undefined;
    if (rankKnown && !t.shape.empty() && t.shape.size() != array.shape().size()) {
      throw Error("input '" + t.name + "' is declared with shape " + shapeToString(t.shape) + " but its array has shape " +
                  shapeToString(array.shape()));
    }
    for (size_t d = 0; d < t.shape.size() && d < array.shape().size(); ++d) {
      if (t.shape[d] >= 0 && t.shape[d] != array.shape()[d]) {
        throw Error("input '" + t.name + "' is declared with shape " + shapeToString(t.shape) +
                    " but its array has shape " + shapeToString(array.shape()));
      }
    }
    DType declared = t.declaredType == DType::Undefined ? array.dtype() : t.declaredType;
    // NumPy has no bfloat16: a bfloat16 input arrives as float32 values and is computed as such.
    DType type = declared == DType::BFloat16 ? array.dtype() : declared;
    if (isFloat(declared) && integersInFloatContainers) {
      auto [lo, hi] = array.integerRange();
      type = smallestIntegerType(lo, hi);
    }
    t.dtype = type;
    t.shape = array.shape();
    result.push_back(array.castTo(type));
  }
  return result;
}

void typeInputsFromDeclarations(Graph& graph) {
  for (TensorId id : graph.inputs) {
    Tensor& t = graph.tensor(id);
    if (t.declaredType == DType::Undefined) throw Error("input '" + t.name + "' has no declared element type");
    t.dtype = t.declaredType;
  }
}

}  // namespace deeploy
