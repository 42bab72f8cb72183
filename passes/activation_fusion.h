// Fuses a float activation into the float32 Conv, Gemm or MatMul that computes its input: the product's
// kernel applies it as it stores each output (ops/fused_activation.h), so the product's own output never
// reaches memory and the activation node is gone.
#pragma once

#include "ir/graph.h"

namespace deeploy {

// Fuses when: the product's operands and output are float32; its output has exactly one reader, which
// reads it once and is a Relu, Clip (bounds absent or constant), LeakyRelu, HardSigmoid, HardSwish or
// Sigmoid of float32; and the output is no graph output. The fused node keeps the product's place and
// takes the activation's output. Expects a type-inferred graph; returns the number of fusions.
int fuseFloatActivations(Graph& graph);

}  // namespace deeploy
