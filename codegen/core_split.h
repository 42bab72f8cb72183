// Work of one node shared among the cores of a cluster: the node's output is cut along one iteration
// axis into a contiguous chunk per core, each computed by the operator's own kernel call on that chunk
// (operands addressed in place), and the calls run as one fork/join job.
#pragma once

#include <optional>
#include <string>

#include "codegen/network_writer.h"

namespace deeploy {

// Emits node `nodeIndex` as a job over `cores` cores (a static job function after the constants and
// a dp_parallel call in the run function) and returns true; returns false, emitting nothing, when the
// node cannot be split so (no splittable axis whose chunks are contiguous in every operand, scratch
// memory, or a single chunk).
bool emitCoreSplitNode(NetworkWriter& writer, const Graph& graph, size_t nodeIndex, int cores);

}  // namespace deeploy
