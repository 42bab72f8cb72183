// Fuses an integer MatMul, Gemm or Conv, optionally followed by an Add of a constant bias, with the
// RequantShift that reads its result, into one RQMatMul, RQGemm or RQConv node whose kernel requantizes
// in its epilogue (the int32 intermediate never reaches memory).
#pragma once

#include "ir/graph.h"

namespace deeploy {

// Fuses when: the product's operands are integers and its result is int32; each intermediate (the
// product's result, the Add's result) has exactly one reader and is not a graph output; the bias,
// mul and add are integer constants that broadcast into the product's output (for Conv: per tensor or
// per output channel); and the folded parameters fit the kernels' int32 mul and add:
//   mul' = alpha * mul,   add' = add + mul * (beta * C + conv bias + Add bias)
// (alpha, beta and C of Gemm; the conv bias per output channel). Expects a type-inferred graph; the
// fused node takes the RequantShift's place and output. Returns the number of fusions.
int fuseRequantization(Graph& graph);

}  // namespace deeploy
