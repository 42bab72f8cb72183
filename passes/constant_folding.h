// Constant folding: a node whose inputs are all constants is evaluated at compile time with the
// reference semantics, and its outputs become constants.
#pragma once

#include "ir/graph.h"

namespace deeploy {

// The most elements folding computes for one output: a model asking for more at compile time is rejected
// rather than left to take minutes and gigabytes (64 MiB of float32; no microcontroller holds more).
constexpr int64_t kMaxFoldedElements = int64_t{1} << 24;

bool isFoldable(const Graph& graph, const Node& node);
// Evaluates node `index` (which must be foldable and type-inferred) and makes its outputs constants.
// Throws Error naming the node when an output has more than kMaxFoldedElements elements.
void foldNode(Graph& graph, size_t index);
// Removes nodes all of whose outputs are constants (they were folded).
void removeFoldedNodes(Graph& graph);
// Folds every foldable node in schedule order, then removes them. Returns the number folded.
int foldConstants(Graph& graph);

}  // namespace deeploy
