// Shape and type inference over the whole graph, folding constants as it goes so that shape
// arguments computed in the graph (Shape -> Gather -> Concat -> Reshape) become known.
#pragma once

#include "ir/graph.h"

namespace deeploy {

// Requires every graph input to have a type and a static shape. Ignores the types and shapes the
// model file declares for intermediate tensors. Integer-valued float constants read by a node whose
// runtime inputs are all integers are narrowed to the smallest integer type (quantized models store
// integer weights as floats). Errors name the node and its operator.
void inferTypes(Graph& graph);

}  // namespace deeploy
