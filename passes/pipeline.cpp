#include "passes/pipeline.h"

#include "passes/activation_fusion.h"
#include "passes/batchnorm_folding.h"
#include "passes/constant_folding.h"
#include "passes/dead_code.h"
#include "passes/integer_activation_fusion.h"
#include "passes/integer_div_folding.h"
#include "passes/noop_removal.h"
#include "passes/pad_folding.h"
#include "passes/qdq_lowering.h"
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
  const int quantized = lowerQuantizedOnnx(graph);
  note(log, "QDQ-quantized ops lowered to integer nodes", quantized);
  if (quantized > 0) removeDeadNodes(graph);  // the DequantizeLinear nodes they read
  inferTypes(graph);
  note(log, "BatchNormalization folded into Conv/Gemm", foldBatchNormalization(graph));
  note(log, "Pad folded into Conv/AveragePool", foldPadIntoWindows(graph));
  note(log, "float activations fused into Conv/Gemm/MatMul", fuseFloatActivations(graph));
  note(log, "TrueIntegerDiv folded into RequantShift", foldTrueIntegerDiv(graph));
  note(log, "integer activations fused with RequantShift", fuseIntegerActivationRequant(graph));
  note(log, "MatMul/Gemm/Conv fused with RequantShift", fuseRequantization(graph));
  note(log, "constant nodes folded", foldConstants(graph));
  note(log, "no-op nodes removed or made views", removeNoOps(graph));
  note(log, "dead nodes removed", removeDeadNodes(graph));
  return log;
}

}  // namespace deeploy
