// Helpers shared by the operators of Deeploy's integer dialect (RequantShift, iSoftmax, iRMSNorm, ...):
// attribute reading with node context, value bounds that decide between 32- and 64-bit kernel
// arithmetic, and exact integer helpers of the reference semantics.
#pragma once

#include <cstdint>
#include <string>

#include "ops/op_schema.h"

namespace deeploy {

// k such that 2^k == value (1 <= value <= 2^62); throws naming the attribute otherwise.
int log2OfPowerOfTwo(const std::string& attribute, int64_t value);

// Fails unless input i is an 8-bit integer tensor (int8 or uint8).
void requireByteInput(const InferContext& ctx, size_t i);
// Fails unless input 0 is an 8-bit integer tensor with a last axis, which the operator works along
// (`axisName` says which axis it is in the message).
void requireByteRows(const InferContext& ctx, const std::string& axisName);
// Fails unless input i is an integer tensor of at most 32 bits.
void requireIntegerInput(const InferContext& ctx, size_t i);
// Fails unless input i is a constant holding only integers; returns its values.
std::vector<int64_t> requireIntegerConstant(const InferContext& ctx, size_t i, const std::string& what);

// Largest |v| of any value of an integer type.
int64_t integerMagnitude(DType t);
// Largest |v| a tensor can hold: over its values when constant, else its type's bound.
int64_t tensorMagnitude(const Tensor& t);
// A bound on |v| over the values tensor `id` can take at run time: its type's bound, tightened for
// constants and for the integer Add, Sub and Mul (exact, then wrapped) of tensors with known bounds, such
// as the int32 sum of two int8 tensors.
int64_t valueMagnitude(const Graph& graph, TensorId id);
// True if |a| * |b| + |c| <= INT32_MAX: a product plus a term is exact in int32 arithmetic.
bool productFitsInt32(int64_t a, int64_t b, int64_t c);

// A tensor viewed as rows along its last axis (rank 1 or more).
struct RowView {
  int64_t rows = 0, length = 0;
};
RowView rowsOf(const Shape& shape);

// Exact floor(sqrt(v)) for v >= 0.
int64_t floorSqrt(int64_t v);
// Floor division (toward minus infinity), b != 0.
int64_t floorDiv(int64_t a, int64_t b);

// The accumulator of a kernel instance: 32-bit when exact, else 64-bit.
struct Accumulator {
  const char* type;    // "int32_t" or "int64_t"
  const char* shift;   // the matching arithmetic shift right: "dp_asr32" or "dp_asr64"
  const char* suffix;  // for kernel names: "a32" or "a64"
};
Accumulator accumulator(bool wide);

// A C integer literal of any int64 value ("-5", "INT32_MIN", "4294967296LL").
std::string cInteger(int64_t v);

}  // namespace deeploy
