// RequantShift, the requantization of Deeploy's integer dialect, and the pieces operators reuse when
// a RequantShift is fused into their kernel (RQiHardswish, RQiGELU, RQIntegerDiv):
//   y = clamp((x * mul + add + r) >> log2(div), lo, hi),   r = div / 2 (0 when div = 1),
// exact integer arithmetic, >> rounding toward minus infinity, [lo, hi] = [-n/2, n/2 - 1] when
// `signed` (the default) else [0, n - 1], n = n_levels_out or n_levels. mul and add are integer
// constants within int32 that broadcast against x (NumPy rules, e.g. [C, 1, 1] for NCHW channels);
// a 1-D mul/add of x's dimension-1 length that does not broadcast is per channel on axis 1, the
// layout Deeploy's kernels assume.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "ops/integer_common.h"
#include "ops/op_helpers.h"

namespace deeploy {

struct RequantAttributes {
  int shift = 0;           // log2(div)
  int64_t lo = 0, hi = 0;  // output range
  DType outputType() const { return smallestIntegerType(lo, hi); }
  int64_t rounding() const { return shift > 0 ? int64_t{1} << (shift - 1) : 0; }
  // The requantization of one value.
  int64_t apply(int64_t value, int64_t mul, int64_t add) const;
};

// Reads div, n_levels_out (or n_levels) and signed; throws Error naming a bad attribute.
RequantAttributes readRequantAttributes(const Attributes& attrs);

// The shape with which a mul/add parameter broadcasts against an input of shape `x`, or nothing when
// it cannot (see the file comment).
std::optional<Shape> requantParameterShape(const Shape& param, const Shape& x);

// Validates the attributes and the mul/add inputs against an input of shape `x`; returns the output type.
DType inferRequant(InferContext& ctx, size_t mulInput, size_t addInput, const Shape& x);

// Reference semantics: the requantization of element `index` of an input of shape `x`.
class RequantReference {
 public:
  RequantReference(const Attributes& attrs, const TensorData& mul, const TensorData& add, const Shape& x);
  int64_t apply(int64_t value, int64_t index) const;

 private:
  struct Parameter {
    const TensorData* values;
    std::vector<int64_t> strides;  // empty for a single value
  };
  Parameter parameter(const TensorData& values) const;
  int64_t valueAt(const Parameter& p, int64_t index) const;

  RequantAttributes attributes_;
  Shape shape_;
  Parameter mul_, add_;
};

// Tiling of a node requantizing input 0 element by element (output 0 shaped like it) with the parameters
// mulInput and addInput; every other input is read whole. NumPy-broadcast parameters follow the axes they
// vary on. A per-channel parameter that does not broadcast is read whole and forbids splitting the
// channel axis and the axis NumPy would align it with: a tile reads its parameters anew
// (requantParameterShape), and a smaller tile could make them broadcast the other way.
TilingGeometry requantGeometry(const Graph& graph, const Node& node, size_t mulInput, size_t addInput);

// Kernel side (runtime/kernels/requant.h): the input viewed as [outer, channels, inner] with per-channel
// int32 multipliers and biases that include the rounding term.
struct RequantKernelArgs {
  Accumulator accumulator;        // 32-bit when |value| * |mul| + |bias| fits, else 64-bit
  std::vector<std::string> args;  // outer, channels, inner, mul, bias, shift, lo, hi
};
// `inputMagnitude` bounds |value| of what is requantized (the input, or a fused activation's result).
RequantKernelArgs requantKernelArgs(KernelEmitter& e, size_t mulInput, size_t addInput, const Shape& x,
                                    int64_t inputMagnitude);
// The RequantShift node's kernel call (defined in the generated file): in, out, then requantKernelArgs.
KernelCall requantShiftCall(KernelEmitter& e);

}  // namespace deeploy
