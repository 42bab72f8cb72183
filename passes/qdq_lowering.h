// Lowers standard quantized ONNX in the QDQ form (DequantizeLinear -> float op -> QuantizeLinear) to
// integer nodes of deeploy's dialect, so that only the graph's own float computations stay in float:
// - Conv, MatMul, Gemm: an integer product of the quantized operands (zero points folded into the
//   weights or subtracted at run time) and a RequantShift whose fixed-point mul / add / 2^shift stand
//   for in_scale * w_scale / out_scale, the bias and the output zero point (the requantization fusion
//   later merges them into RQConv / RQMatMul / RQGemm). A Relu or constant Clip between the op and its
//   QuantizeLinear becomes an integer Clip of the quantized result.
// - Add: both operands scaled to a common fixed-point unit (integer Mul, Add) and requantized; Mul: the
//   product of the operands without their zero points, requantized.
// - Relu, Clip (constant bounds) on their own: a RequantShift and an integer Clip.
// - GlobalAveragePool, ReduceMean: an integer ReduceSum and a RequantShift; AveragePool over a constant
//   count: a depthwise integer Conv with unit weights and a RequantShift.
// - Data movement (Reshape, Transpose, MaxPool, ReduceMax, Concat, ...): the same op on the quantized
//   values, and a RequantShift where the output's scale or zero point differs.
// - A QuantizeLinear reading a DequantizeLinear directly: a RequantShift (or nothing when they match).
// Anything else (Softmax, per-axis scales on data movement, run-time scales, ...) is left to the float
// ops and the QuantizeLinear / DequantizeLinear kernels. Runs before type inference, which would fold a
// constant weight's DequantizeLinear into float weights.
#pragma once

#include "ir/graph.h"

namespace deeploy {

// Returns the number of float ops lowered (QuantizeLinear nodes replaced).
int lowerQuantizedOnnx(Graph& graph);

}  // namespace deeploy
