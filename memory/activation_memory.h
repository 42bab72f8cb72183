// Assigns every runtime tensor of a scheduled graph to a buffer with a lifetime, merges views
// (aliasing operators) into the buffer they view and the output of an element-wise node computed in place
// (OpSchema::computesInPlace) into the buffer of an input that dies with it, adds per-node scratch, and
// plans offsets.
#pragma once

#include <string>
#include <vector>

#include "ir/graph.h"
#include "memory/planner.h"

namespace deeploy {

struct ActivationMemory {
  std::vector<int> bufferOfTensor;       // per TensorId; -1 for constants and unused tensors
  std::vector<int> scratchOfNode;        // per node; -1 when the node needs none
  std::vector<Allocation> allocations;   // per buffer
  std::vector<std::string> bufferLabels; // per buffer: the tensor (or "scratch of <node>") it holds
  MemoryPlan plan;
  size_t lowerBound = 0;
  size_t alignment = 8;

  size_t offsetOfTensor(TensorId id) const { return plan.offsets[static_cast<size_t>(bufferOfTensor[static_cast<size_t>(id)])]; }
};

// KV caches (Graph::kvCache) get no buffer: they persist across runs in buffers of their own.
// Graph inputs are live from step 0 (copied in), node n runs at step n + 1, graph outputs stay live
// through the last step (copied out). The runtime inputs of the nodes in `heldInputs` stay live through the
// step of the node after them (which may run in the same tiles and write its output meanwhile).
// `nodesRunWhole`: every node runs whole on one core from the arena (untiled, not split), which lets the
// output of a kernel that stores behind its reads (OpSchema::storesBehindReads) overlap its dying input.
ActivationMemory planActivationMemory(const Graph& graph, const MemoryPlanner& planner, size_t alignment,
                                      const std::vector<size_t>& heldInputs = {}, bool nodesRunWhole = false);

}  // namespace deeploy
