#include "passes/kv_cache.h"

#include <algorithm>
#include <set>

#include "ir/error.h"

namespace deeploy {

namespace {

[[noreturn]] void fail(const std::string& message) { throw Error("KV-cache lowering: " + message); }

size_t positionOf(const std::vector<TensorId>& ids, TensorId id) {
  return static_cast<size_t>(std::find(ids.begin(), ids.end(), id) - ids.begin());
}

using Consumers = std::vector<std::vector<int>>;

// The Concat appending rows to graph input `cache`, if the cache is read that way only.
const Node* appendingConcat(const Graph& graph, const Consumers& consumers, TensorId cache) {
  const auto& readers = consumers[static_cast<size_t>(cache)];
  if (readers.size() != 1) return nullptr;
  const Node& node = graph.nodes[static_cast<size_t>(readers[0])];
  if (node.op != "Concat" || node.inputs.size() != 2 || node.inputs[0] != cache || node.inputs[1] == cache) return nullptr;
  int64_t rank = static_cast<int64_t>(graph.tensor(cache).shape.size());
  int64_t axis = node.attrs.getInt("axis", 0);
  if (rank < 2 || (axis != -2 && axis != rank - 2)) return nullptr;
  return &node;
}

// Per tensor: whether its shape changes with the number of cached rows.
std::vector<bool> rowDependentTensors(const Graph& a, const Graph& b) {
  bool same = a.nodes.size() == b.nodes.size() && a.tensors.size() == b.tensors.size();
  for (size_t n = 0; same && n < a.nodes.size(); ++n) same = a.nodes[n].op == b.nodes[n].op;
  if (!same) fail("the network's nodes change with the number of cached rows");
  std::vector<bool> dependent(a.tensors.size());
  for (size_t t = 0; t < a.tensors.size(); ++t) dependent[t] = a.tensors[t].shape != b.tensors[t].shape;
  return dependent;
}

// Tensors computed from the caches along their row axis (the caches themselves included).
std::vector<bool> reachedFromCaches(const Graph& graph, const std::vector<bool>& dependent,
                                    const std::vector<TensorId>& caches) {
  std::vector<bool> reached(graph.tensors.size());
  for (TensorId c : caches) reached[static_cast<size_t>(c)] = true;
  for (const Node& node : graph.nodes) {
    bool fromCache = std::any_of(node.inputs.begin(), node.inputs.end(),
                                 [&](TensorId t) { return t != kNoTensor && reached[static_cast<size_t>(t)]; });
    if (!fromCache) continue;
    for (TensorId out : node.outputs) {
      if (out != kNoTensor && dependent[static_cast<size_t>(out)]) reached[static_cast<size_t>(out)] = true;
    }
  }
  return reached;
}

bool swapsLastTwoAxes(const Node& node, size_t rank) {
  std::vector<int64_t> perm = node.attrs.getInts("perm", {});
  if (perm.size() != rank || rank < 2) return false;
  for (size_t i = 0; i + 2 < rank; ++i) {
    if (perm[i] != static_cast<int64_t>(i)) return false;
  }
  return perm[rank - 2] == static_cast<int64_t>(rank - 1) && perm[rank - 1] == static_cast<int64_t>(rank - 2);
}

// Products read a transposed cache in place (their kernels take B as [N][K]), so the Transpose goes.
void foldCacheTransposes(Graph& graph, const KVCacheLayout& layout) {
  std::vector<bool> remove(graph.nodes.size());
  auto consumers = graph.consumers();
  for (size_t n = 0; n < graph.nodes.size(); ++n) {
    Node& node = graph.nodes[n];
    if (node.op != "Transpose" || !layout.isState(node.inputs[0])) continue;
    if (!swapsLastTwoAxes(node, graph.tensor(node.inputs[0]).shape.size()) || graph.isGraphOutput(node.outputs[0])) {
      fail(node.describe() + " transposes a cache other than by swapping its last two axes");
    }
    for (int c : consumers[static_cast<size_t>(node.outputs[0])]) {
      Node& reader = graph.nodes[static_cast<size_t>(c)];
      if ((reader.op != "MatMul" && reader.op != "RQMatMul") || reader.inputs[1] != node.outputs[0] ||
          reader.inputs[0] == node.outputs[0]) {
        fail(reader.describe() + " reads a transposed cache; only a product's second operand may");
      }
      reader.inputs[1] = node.inputs[0];
      reader.attrs.set("cache_transposed", int64_t{1});
    }
    remove[n] = true;
  }
  graph.removeNodes(remove);
}

void checkRuntimeLengthNodes(const Graph& graph) {
  static const std::set<std::string> supported = {"KVAppend", "MatMul", "RQMatMul", "RequantShift", "Add",
                                                  "Sub",      "Mul",    "Div",      "iSoftmax",     "Softmax"};
  for (const Node& node : graph.nodes) {
    if (runsOverFilledRows(graph, node) && !supported.count(node.op)) {
      fail(node.describe() + " computes along the cache rows; deeploy runs only KVAppend, MatMul, RQMatMul, "
           "RequantShift, Add, Sub, Mul, Div, iSoftmax and Softmax over the rows filled so far");
    }
  }
  for (TensorId out : graph.outputs) {
    if (graph.kvCache->hasRuntimeLength(out)) {
      fail("graph output '" + graph.tensor(out).name + "' runs over the filled cache rows; only caches may");
    }
  }
}

// The graph output `t` is, or reaches through single-reader requantizations that keep its shape (the
// identity requantizations of Deeploy's exports, removed by the midend).
TensorId returnedAs(const Graph& graph, const Consumers& consumers, TensorId t) {
  while (!graph.isGraphOutput(t)) {
    const auto& readers = consumers[static_cast<size_t>(t)];
    if (readers.size() != 1) return kNoTensor;
    const Node& next = graph.nodes[static_cast<size_t>(readers[0])];
    if (next.op != "RequantShift" || next.inputs[0] != t || graph.tensor(next.outputs[0]).shape != graph.tensor(t).shape) {
      return kNoTensor;
    }
    t = next.outputs[0];
  }
  return t;
}

// Tensors the given ones are computed from (themselves included), not looking past tensors computed
// from the caches (a later layer's new rows come from the earlier layers' attention).
std::vector<bool> ancestorsOf(const Graph& graph, const std::vector<TensorId>& tensors, const std::vector<TensorId>& caches) {
  std::vector<bool> fromCaches = reachedFromCaches(graph, std::vector<bool>(graph.tensors.size(), true), caches);
  std::vector<bool> seen(graph.tensors.size());
  std::vector<TensorId> work = tensors;
  while (!work.empty()) {
    TensorId t = work.back();
    work.pop_back();
    if (t == kNoTensor || seen[static_cast<size_t>(t)] || fromCaches[static_cast<size_t>(t)]) continue;
    seen[static_cast<size_t>(t)] = true;
    int producer = graph.producerOf(t);
    if (producer >= 0) {
      for (TensorId in : graph.nodes[static_cast<size_t>(producer)].inputs) work.push_back(in);
    }
  }
  return seen;
}

}  // namespace

KVCacheSignature findKVCaches(const Graph& graph) {
  KVCacheSignature sig;
  std::vector<TensorId> appendedRows;
  const Consumers consumers = graph.consumers();
  bool first = true;
  for (size_t i = 0; i < graph.inputs.size(); ++i) {
    TensorId cache = graph.inputs[i];
    const Node* concat = appendingConcat(graph, consumers, cache);
    TensorId returned = concat ? returnedAs(graph, consumers, concat->outputs[0]) : kNoTensor;
    if (returned == kNoTensor) continue;
    const Shape& shape = graph.tensor(cache).shape;
    if (shape.size() < 2 || graph.tensor(concat->outputs[0]).shape.size() != shape.size()) {
      fail("cache '" + graph.tensor(cache).name + "' has shape " + shapeToString(shape) +
           ": a cache needs rows on axis -2 (is the graph typed?)");
    }
    int64_t rows = shape[shape.size() - 2];
    int64_t added = graph.tensor(concat->outputs[0]).shape[shape.size() - 2] - rows;
    if (!first && (rows != sig.cachedRows || added != sig.newRows)) {
      fail("caches '" + graph.tensor(graph.inputs[sig.cacheInputs[0]]).name + "' and '" + graph.tensor(cache).name +
           "' hold or append different numbers of rows");
    }
    first = false;
    sig.cachedRows = rows;
    sig.newRows = added;
    sig.cacheInputs.push_back(i);
    sig.cacheOutputs.push_back(positionOf(graph.outputs, returned));
    appendedRows.push_back(concat->inputs[1]);
  }
  if (sig.cacheInputs.empty()) {
    fail("no cache found: a cache is a graph input concatenated with new rows along axis -2 and returned as a "
         "graph output");
  }
  // A mask spans the cached and new rows and does not feed the new rows (tokens and positions do, and
  // they have the same extent when nothing is cached).
  std::vector<TensorId> caches;
  for (size_t i : sig.cacheInputs) caches.push_back(graph.inputs[i]);
  std::vector<bool> feedsNewRows = ancestorsOf(graph, appendedRows, caches);
  for (size_t i = 0; i < graph.inputs.size(); ++i) {
    const Shape& shape = graph.tensor(graph.inputs[i]).shape;
    bool isCache = std::find(sig.cacheInputs.begin(), sig.cacheInputs.end(), i) != sig.cacheInputs.end();
    if (!isCache && !feedsNewRows[static_cast<size_t>(graph.inputs[i])] && !shape.empty() &&
        shape.back() == sig.cachedRows + sig.newRows) {
      sig.lengthInputs.push_back(i);
    }
  }
  return sig;
}

void setCachedRows(Graph& graph, const KVCacheSignature& signature, int64_t cachedRows) {
  for (size_t i : signature.cacheInputs) {
    Shape& shape = graph.tensor(graph.inputs[i]).shape;
    shape[shape.size() - 2] = cachedRows;
  }
  for (size_t i : signature.lengthInputs) graph.tensor(graph.inputs[i]).shape.back() = cachedRows + signature.newRows;
}

void requireCapacity(const KVCacheSignature& signature, int64_t maxRows) {
  if (maxRows <= signature.newRows) {
    fail("the maximum context (" + std::to_string(maxRows) + ") must exceed the rows a run appends (" +
         std::to_string(signature.newRows) + ")");
  }
}

void lowerKVCache(Graph& graph, const Graph& oneRowLess, const KVCacheSignature& signature, int64_t maxRows,
                  bool exposeState) {
  requireCapacity(signature, maxRows);
  std::vector<bool> dependent = rowDependentTensors(graph, oneRowLess);
  std::vector<TensorId> caches, cacheOutputs;
  for (size_t i : signature.cacheInputs) caches.push_back(graph.inputs[i]);
  for (size_t i : signature.cacheOutputs) cacheOutputs.push_back(graph.outputs[i]);
  std::vector<bool> fromCache = reachedFromCaches(graph, dependent, caches);

  KVCacheLayout layout;
  layout.newRows = signature.newRows;
  layout.maxRows = maxRows;
  layout.states = caches;
  layout.runtimeLength.assign(graph.tensors.size(), false);
  for (size_t t = 0; t < graph.tensors.size(); ++t) {
    TensorId id = static_cast<TensorId>(t);
    if (!fromCache[t] || layout.isState(id) ||
        std::find(cacheOutputs.begin(), cacheOutputs.end(), id) != cacheOutputs.end()) {
      continue;
    }
    const Shape& shape = graph.tensors[t].shape;
    const Shape& less = oneRowLess.tensors[t].shape;
    if (shape.empty() || shape.back() != maxRows || less.back() != maxRows - 1 ||
        !std::equal(shape.begin(), shape.end() - 1, less.begin())) {
      fail("tensor '" + graph.tensors[t].name + "' " + shapeToString(shape) +
           " follows the cache rows on an axis other than its last");
    }
    layout.runtimeLength[t] = true;
  }

  Tensor length;
  length.name = graph.uniqueTensorName("cache_length");
  length.dtype = DType::Int32;
  length.shape = {1};
  layout.cacheLength = graph.addTensor(length);
  layout.runtimeLength.push_back(false);

  // Each Concat becomes an in-place append; its readers read the cache, which has the Concat's shape.
  for (size_t k = 0; k < caches.size(); ++k) {
    int producer = graph.producerOf(cacheOutputs[k]);
    if (producer < 0 || graph.nodes[static_cast<size_t>(producer)].op != "Concat" ||
        graph.nodes[static_cast<size_t>(producer)].inputs[0] != caches[k]) {
      fail("cache output '" + graph.tensor(cacheOutputs[k]).name +
           "' is not the Concat of its cache (a requantization after the Concat changes values)");
    }
    Node& concat = graph.nodes[static_cast<size_t>(producer)];
    graph.tensor(caches[k]).shape = graph.tensor(cacheOutputs[k]).shape;
    concat.op = "KVAppend";
    concat.attrs = Attributes{};
    concat.inputs.push_back(layout.cacheLength);
    concat.outputs.clear();
    graph.replaceUses(cacheOutputs[k], caches[k]);
  }
  if (!exposeState) {
    auto isState = [&](TensorId t) { return layout.isState(t); };
    graph.inputs.erase(std::remove_if(graph.inputs.begin(), graph.inputs.end(), isState), graph.inputs.end());
    graph.outputs.erase(std::remove_if(graph.outputs.begin(), graph.outputs.end(), isState), graph.outputs.end());
  }
  graph.inputs.push_back(layout.cacheLength);
  graph.kvCache = layout;
  foldCacheTransposes(graph, *graph.kvCache);
  checkRuntimeLengthNodes(graph);
}

}  // namespace deeploy
