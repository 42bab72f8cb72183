// Folds a Pad into the Conv or AveragePool that reads it, adding the Pad's amounts to their pads.
#pragma once

#include "ir/graph.h"

namespace deeploy {

// Folds when: the Pad is float32, in constant mode with fill value +0 and constant, non-negative pads
// on the spatial axes only (none on N and C); its result is read only by input 0 of a Conv or an
// AveragePool and is no graph output; that node has explicit pads (auto_pad NOTSET) and, for
// AveragePool, count_include_pad = 1 and ceil_mode = 0, so its divisor stays the kernel size. MaxPool
// never takes a Pad: its padding never wins a max, the Pad's zeros do. Expects a type-inferred graph.
// Returns the number of folds.
int foldPadIntoWindows(Graph& graph);

}  // namespace deeploy
