// Folds an inference-mode BatchNormalization into the float Conv or Gemm that produces its input:
// with s = scale / sqrt(var + epsilon) per channel, the product's weights are scaled by s per output
// channel and its bias becomes (bias - mean) * s + B (a bias is created when there is none).
#pragma once

#include "ir/graph.h"

namespace deeploy {

// Folds when: the producer is a float32 Conv (any group) or a Gemm with a 2-D output; its weights and
// bias (Gemm's C) are constants; its result is read by the BatchNormalization alone and is no graph
// output; the BatchNormalization's parameters are float32 constants and it has no training outputs.
// The new weights and bias are computed in double and rounded to float32; the product takes the
// BatchNormalization's output. Expects a type-inferred graph. Returns the number of folds.
int foldBatchNormalization(Graph& graph);

}  // namespace deeploy
