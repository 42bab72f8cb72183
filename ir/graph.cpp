#include "ir/graph.h"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "ir/error.h"

namespace deeploy {

std::string Node::describe() const { return "node '" + name + "' (" + op + ")"; }

TensorId Graph::addTensor(Tensor t) {
  tensors.push_back(std::move(t));
  return static_cast<TensorId>(tensors.size() - 1);
}

TensorId Graph::addConstant(const std::string& nameHint, TensorData value) {
  Tensor t;
  t.name = uniqueTensorName(nameHint);
  t.dtype = value.dtype();
  t.declaredType = value.dtype();
  t.shape = value.shape();
  t.constant = std::move(value);
  return addTensor(std::move(t));
}

TensorId Graph::findTensor(const std::string& tensorName) const {
  for (size_t i = 0; i < tensors.size(); ++i) {
    if (tensors[i].name == tensorName) return static_cast<TensorId>(i);
  }
  return kNoTensor;
}

std::string Graph::uniqueTensorName(const std::string& base) const {
  std::unordered_set<std::string> used;
  for (const auto& t : tensors) used.insert(t.name);
  if (!used.count(base)) return base;
  for (int i = 1;; ++i) {
    std::string candidate = base + "_" + std::to_string(i);
    if (!used.count(candidate)) return candidate;
  }
}

bool Graph::isGraphInput(TensorId id) const { return std::find(inputs.begin(), inputs.end(), id) != inputs.end(); }
bool Graph::isGraphOutput(TensorId id) const { return std::find(outputs.begin(), outputs.end(), id) != outputs.end(); }

int Graph::producerOf(TensorId id) const {
  for (size_t n = 0; n < nodes.size(); ++n) {
    for (TensorId out : nodes[n].outputs) {
      if (out == id) return static_cast<int>(n);
    }
  }
  return -1;
}

std::vector<std::vector<int>> Graph::consumers() const {
  std::vector<std::vector<int>> result(tensors.size());
  for (size_t n = 0; n < nodes.size(); ++n) {
    for (TensorId in : nodes[n].inputs) {
      if (in == kNoTensor) continue;
      auto& list = result[static_cast<size_t>(in)];
      if (list.empty() || list.back() != static_cast<int>(n)) list.push_back(static_cast<int>(n));
    }
  }
  return result;
}

void Graph::topologicalSort() {
  std::vector<bool> available(tensors.size(), false);
  for (TensorId id : inputs) available[static_cast<size_t>(id)] = true;
  for (size_t i = 0; i < tensors.size(); ++i) {
    if (tensors[i].isConstant()) available[i] = true;
  }
  std::vector<bool> placed(nodes.size(), false);
  std::vector<Node> sorted;
  sorted.reserve(nodes.size());
  bool progress = true;
  while (sorted.size() < nodes.size() && progress) {
    progress = false;
    for (size_t n = 0; n < nodes.size(); ++n) {
      if (placed[n]) continue;
      bool ready = std::all_of(nodes[n].inputs.begin(), nodes[n].inputs.end(),
                               [&](TensorId in) { return in == kNoTensor || available[static_cast<size_t>(in)]; });
      if (!ready) continue;
      for (TensorId out : nodes[n].outputs) {
        if (out != kNoTensor) available[static_cast<size_t>(out)] = true;
      }
      placed[n] = true;
      sorted.push_back(std::move(nodes[n]));
      progress = true;
    }
  }
  if (sorted.size() < nodes.size()) {
    for (size_t n = 0; n < nodes.size(); ++n) {
      if (placed[n]) continue;
      for (TensorId in : nodes[n].inputs) {
        if (in != kNoTensor && !available[static_cast<size_t>(in)]) {
          throw Error(nodes[n].describe() + " reads tensor '" + tensor(in).name +
                      "', which no node produces (or the graph has a cycle)");
        }
      }
    }
  }
  nodes = std::move(sorted);
}

void Graph::replaceUses(TensorId from, TensorId to) {
  for (auto& node : nodes) {
    std::replace(node.inputs.begin(), node.inputs.end(), from, to);
  }
  std::replace(outputs.begin(), outputs.end(), from, to);
}

bool KVCacheLayout::isState(TensorId id) const { return std::find(states.begin(), states.end(), id) != states.end(); }

bool runsOverFilledRows(const Graph& graph, const Node& node) {
  if (!graph.kvCache) return false;
  auto touches = [&](TensorId t) { return graph.kvCache->isState(t) || graph.kvCache->hasRuntimeLength(t); };
  return std::any_of(node.inputs.begin(), node.inputs.end(), touches) ||
         std::any_of(node.outputs.begin(), node.outputs.end(), touches);
}

void Graph::removeNodes(const std::vector<bool>& remove) {
  std::vector<Node> kept;
  kept.reserve(nodes.size());
  for (size_t n = 0; n < nodes.size(); ++n) {
    if (!remove[n]) kept.push_back(std::move(nodes[n]));
  }
  nodes = std::move(kept);
}

}  // namespace deeploy
