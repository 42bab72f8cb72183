// Removes TrueIntegerDiv nodes by folding their factor into the following RequantShift.
#pragma once

#include "ir/graph.h"

namespace deeploy {

// A TrueIntegerDiv (y = x * f) whose output feeds only input 0 of a RequantShift with a scalar constant mul
// and an all-zero add is removed, and that RequantShift reads x with mul * f instead. Done only when it is
// exact: x * f never wraps in the TrueIntegerDiv's output type and mul * f fits in int32. Expects a
// type-inferred graph; returns the number of nodes removed.
int foldTrueIntegerDiv(Graph& graph);

}  // namespace deeploy
