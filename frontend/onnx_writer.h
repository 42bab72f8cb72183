// Writes the graph IR as an ONNX model file: what `deeploy quantize` produces.
#pragma once

#include <string>

#include "ir/graph.h"

namespace deeploy {

// Constants become initializers and every typed intermediate tensor a value_info (integer ops read
// their declared result type from it when the file is loaded again). Operators keep their names and
// domains, so deeploy's integer dialect (RequantShift, RQConv, ...) is written as it is in the IR.
// Throws Error when the file cannot be written or a tensor has an element type ONNX cannot hold.
void saveOnnxModel(const Graph& graph, const std::string& path);

}  // namespace deeploy
