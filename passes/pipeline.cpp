#include "passes/pipeline.h"

#include "passes/constant_folding.h"
#include "passes/dead_code.h"
#include "passes/type_inference.h"

namespace deeploy {

namespace {

void note(PassLog& log, const std::string& pass, int count) {
  if (count > 0) log.lines.push_back(pass + ": " + std::to_string(count));
}

}  // namespace

PassLog runMidend(Graph& graph) {
  PassLog log;
  inferTypes(graph);
  note(log, "constant nodes folded", foldConstants(graph));
  note(log, "dead nodes removed", removeDeadNodes(graph));
  return log;
}

}  // namespace deeploy
