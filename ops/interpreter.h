// The reference interpreter: runs a graph node by node with each operator's reference semantics.
#pragma once

#include <optional>
#include <vector>

#include "ir/graph.h"

namespace deeploy {

// Evaluates one node whose inputs are available in `values` (indexed by TensorId) and stores its outputs
// there. Errors name the node.
void evaluateNode(const Graph& graph, const Node& node, std::vector<std::optional<TensorData>>& values);

// Runs the whole (type-inferred) graph on `inputs` (one per graph input, in order, already of the inferred
// types) and returns the graph outputs in order.
std::vector<TensorData> interpretGraph(const Graph& graph, const std::vector<TensorData>& inputs);
// The same run, returning the value of every tensor (indexed by TensorId; unset for tensors no node computes).
std::vector<std::optional<TensorData>> interpretAllTensors(const Graph& graph, const std::vector<TensorData>& inputs);

}  // namespace deeploy
