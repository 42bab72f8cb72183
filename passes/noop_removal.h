// Removes nodes that pass their data through unchanged.
#pragma once

#include "ir/graph.h"

namespace deeploy {

// After type inference: removes Identity and the nodes that copy their data input unchanged (Cast to the
// same type; Reshape, Flatten, Squeeze, Unsqueeze or Expand to the same shape; Transpose, Slice or Pad
// that move nothing; Concat whose other inputs are empty), rewiring the readers of their output to the
// input. A graph output keeps its own tensor: when the input is an intermediate the producer writes the
// output directly; when the input is a graph input, another graph output or a constant the node stays,
// as an Identity view where it was another operator. A Transpose that only moves dimensions of size 1
// becomes a Reshape (a view). Returns the number of nodes removed or turned into views.
int removeNoOps(Graph& graph);

}  // namespace deeploy
