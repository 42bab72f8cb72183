// Constant folding: a node whose inputs are all constants is evaluated at compile time with the
// reference semantics, and its outputs become constants.
#pragma once

#include "ir/graph.h"

namespace deeploy {

bool isFoldable(const Graph& graph, const Node& node);
// Evaluates node `index` (which must be foldable and type-inferred) and makes its outputs constants.
void foldNode(Graph& graph, size_t index);
// Removes nodes all of whose outputs are constants (they were folded).
void removeFoldedNodes(Graph& graph);
// Folds every foldable node in schedule order, then removes them. Returns the number folded.
int foldConstants(Graph& graph);

}  // namespace deeploy
