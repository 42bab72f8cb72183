// Fuses an integer activation (iHardswish, iGELU) with the RequantShift that follows it.
#pragma once

#include "ir/graph.h"

namespace deeploy {

// An iHardswish/iGELU whose output feeds only input 0 of a RequantShift becomes one RQiHardswish/RQiGELU
// node (the activation's attributes plus the RequantShift's, inputs x, mul, add), so the activation's
// wide intermediate never goes through memory. Done only when it is exact: the activation's result
// provably fits its output type, so the separate nodes never wrapped it. Expects a type-inferred graph;
// returns the number of fusions.
int fuseIntegerActivationRequant(Graph& graph);

}  // namespace deeploy
