// The midend: the ordered passes that take a loaded, input-typed graph to one ready for code generation.
#pragma once

#include <string>
#include <vector>

#include "ir/graph.h"

namespace deeploy {

struct PassLog {
  std::vector<std::string> lines;  // one per pass that changed something
};

// Infers types and shapes, folds constants and removes no-ops and dead nodes, fuses requantization.
PassLog runMidend(Graph& graph);

}  // namespace deeploy
