// Kernel calls of operators, for emitters that address the operands themselves (the attention over a
// KV cache's filled rows, codegen/runtime_length). Each defines the kernel it calls in the generated
// file and returns the call with the node's own pointers and extents, which the caller may replace.
#pragma once

#include "ops/linalg.h"
#include "ops/op_helpers.h"

namespace deeploy {

// iSoftmax: in, out, rows, row length, exponential table, levels - 1.
KernelCall iSoftmaxCall(KernelEmitter& e);
// Add, Sub, Mul, Div, Pow: the kernel's name; its arguments are a, b, y, ndim, shape, a_strides,
// b_strides (int32 arrays).
std::string binaryKernel(KernelEmitter& e);
// MatMul, RQMatMul and RQGemm with operands laid out as `operands` says: a, b, y, batch, m, n, k,
// a_offsets, b_offsets, then the requantization arguments of the RQ forms.
KernelCall productCall(KernelEmitter& e, const MatMulGeometry& g, const MatMulOperands& operands);

}  // namespace deeploy
