#include "passes/dead_code.h"

namespace deeploy {

int removeDeadNodes(Graph& graph) {
  std::vector<bool> needed(graph.tensors.size(), false);
  for (TensorId out : graph.outputs) needed[static_cast<size_t>(out)] = true;
  std::vector<bool> remove(graph.nodes.size(), true);
  int removed = 0;
  for (size_t n = graph.nodes.size(); n-- > 0;) {
    const Node& node = graph.nodes[n];
    bool live = false;
    for (TensorId out : node.outputs) live = live || (out != kNoTensor && needed[static_cast<size_t>(out)]);
    if (!live) {
      ++removed;
      continue;
    }
    remove[n] = false;
    for (TensorId in : node.inputs) {
      if (in != kNoTensor) needed[static_cast<size_t>(in)] = true;
    }
  }
  graph.removeNodes(remove);
  return removed;
}

}  // namespace deeploy
