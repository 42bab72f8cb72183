// Dead-code removal: nodes none of whose outputs reaches a graph output.
#pragma once

#include "ir/graph.h"

namespace deeploy {

// Returns the number of nodes removed.
int removeDeadNodes(Graph& graph);

}  // namespace deeploy
