#include "passes/pipeline.h"

#include "passes/constant_folding.h"
#include "passes/dead_code.h"
#include "passes/integer_activation_fusion.h"
#include "passes/integer_div_folding.h"
#include "passes/noop_removal.h"
#include "passes/requant_fusion.h"
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
  note(log, "TrueIntegerDiv folded into RequantShift", foldTrueIntegerDiv(graph));
  note(log, "integer activations fused with RequantShift", fuseIntegerActivationRequant(graph));
  note(log, "MatMul/Gemm/Conv fused with RequantShift", fuseRequantization(graph));
  note(log, "constant nodes folded", foldConstants(graph));
  note(log, "no-op nodes removed or made views", removeNoOps(graph));
  note(log, "dead nodes removed", removeDeadNodes(graph));
  return log;
}

}  // namespace deeploy
