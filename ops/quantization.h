// Shared by the ONNX quantization operators (ops/quantize_linear.cpp, ops/quantized_products.cpp): the
// checks of their scales and zero points, and the float32 rounding and saturation they share with the
// kernels of runtime/kernels/quantize_linear.h and quantized_products.h.
#pragma once

#include <string>

#include "ops/op_schema.h"

namespace deeploy {

// The integer types the quantization operators produce and read: int8 and uint8, with `sixteenBit`
// also int16 and uint16.
bool isQuantizedType(DType t, bool sixteenBit);
// Fails unless input i (a scale) is float32. A constant integer scale is first converted back to float32:
// type inference narrows integer-valued float constants of nodes with only integer runtime inputs.
void requireFloatScale(InferContext& ctx, size_t i, const std::string& what);
// Fails unless input i has one element (per-tensor quantization).
void requirePerTensor(const InferContext& ctx, size_t i, const std::string& what);

// An integral float (or NaN, or beyond t's range) converted to integer type t: NaN gives 0, values beyond
// the range its nearest end. The same as kernels/cast.h's dp_f32_to_* on such values.
int64_t saturateIntegral(float v, DType t);
// The name of that conversion in kernels/cast.h ("dp_f32_to_s8").
std::string saturateFunction(DType t);

// Element i of a float32 scale, as the float the kernels read.
float scaleAt(const TensorData& scale, int64_t i);
// The pointer argument of an optional zero point (input i): the input, or NULL when it is absent.
std::string optionalInputPtr(const KernelEmitter& e, size_t i);
// The step per channel (row, column) at which the kernels read a scale or zero point: 0 for one element.
int64_t parameterStride(const Shape& parameter);

}  // namespace deeploy
