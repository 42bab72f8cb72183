#include "frontend/input_binding.h"

#include <algorithm>
#include <optional>

#include "ir/error.h"

namespace deeploy {

namespace {

bool matchesByName(const Graph& graph, const NamedArrays& arrays) {
  return std::all_of(graph.inputs.begin(), graph.inputs.end(), [&](TensorId id) {
    return std::any_of(arrays.begin(), arrays.end(), [&](const auto& a) { return a.first == graph.tensor(id).name; });
  });
}

bool isOverridable(const Graph& graph, TensorId id) {
  const auto& ids = graph.overridableInitializers;
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

// The array equals the initializer's value: same shape and, converted to its type, the same elements.
bool equalsInitializer(const Graph& graph, TensorId id, const TensorData& array) {
  const TensorData& value = *graph.tensor(id).constant;
  return value.shape() == array.shape() && array.castTo(value.dtype()) == value;
}

// An initializer the model also declares as a graph input takes the array's value (ONNX: a default the
// caller may override) when the shapes agree.
bool overrideInitializer(Graph& graph, TensorId id, const TensorData& array) {
  Tensor& t = graph.tensor(id);
  if (!isOverridable(graph, id) || t.shape != array.shape()) return false;
  t.constant = array.castTo(t.dtype);
  return true;
}

// The position in graph.initializers, from `from` on, of the initializer an unnamed extra array stands
// for: the first one it equals, else the first overridable one of its shape (which it then overrides).
std::optional<size_t> initializerInOrder(Graph& graph, size_t from, const TensorData& array) {
  for (size_t i = from; i < graph.initializers.size(); ++i) {
    if (equalsInitializer(graph, graph.initializers[i], array)) return i;
  }
  for (size_t i = from; i < graph.initializers.size(); ++i) {
    if (overrideInitializer(graph, graph.initializers[i], array)) return i;
  }
  return std::nullopt;
}

// Arrays beyond the inputs (Deeploy's test archives store weights after the inputs): an array named
// after an initializer stands for it; the others stand, in order, for initializers in the model's order
// (a later array for a later initializer; initializers without an array are skipped).
void acceptInitializerArrays(Graph& graph, const NamedArrays& arrays, const std::vector<bool>& used) {
  size_t next = 0;
  for (size_t a = 0; a < arrays.size(); ++a) {
    if (used[a]) continue;
    const auto& [name, array] = arrays[a];
    const TensorId named = graph.findTensor(name);
    bool accepted = false;
    if (named != kNoTensor && graph.tensor(named).isConstant()) {
      accepted = equalsInitializer(graph, named, array) || overrideInitializer(graph, named, array);
    } else if (auto at = initializerInOrder(graph, next, array)) {
      accepted = true;
      next = *at + 1;
    }
    if (!accepted) {
      throw Error("array '" + name + "' of shape " + shapeToString(array.shape()) +
                  " is no input of the network and not the value of an initializer after the previous array's");
    }
  }
}

std::vector<const TensorData*> matchArrays(const Graph& graph, const NamedArrays& arrays, std::vector<bool>& used) {
  std::vector<const TensorData*> bound(graph.inputs.size(), nullptr);
  used.assign(arrays.size(), false);
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
  return bound;
}

}  // namespace

std::vector<TensorData> bindInputs(Graph& graph, const NamedArrays& arrays) {
  std::vector<bool> used;
  std::vector<const TensorData*> bound = matchArrays(graph, arrays, used);
  acceptInitializerArrays(graph, arrays, used);
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
