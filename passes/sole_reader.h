// A query the fusion and folding passes share.
#pragma once

#include <algorithm>
#include <vector>

#include "ir/graph.h"

namespace deeploy {

// The index of the only node reading `tensor` (reading it once) when `tensor` is no graph output, else -1;
// `consumers` is Graph::consumers().
inline int soleReader(const Graph& graph, const std::vector<std::vector<int>>& consumers, TensorId tensor) {
  const auto& readers = consumers[static_cast<size_t>(tensor)];
  if (graph.isGraphOutput(tensor) || readers.size() != 1) return -1;
  const Node& reader = graph.nodes[static_cast<size_t>(readers[0])];
  return std::count(reader.inputs.begin(), reader.inputs.end(), tensor) == 1 ? readers[0] : -1;
}

}  // namespace deeploy
