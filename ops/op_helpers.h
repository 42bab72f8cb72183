// Shared pieces of operator definitions: broadcasting, axis handling, result types, C call building.
#pragma once

#include <string>
#include <vector>

#include "ops/op_schema.h"

namespace deeploy {

// NumPy-style broadcast of two shapes; fails through ctx when incompatible.
Shape broadcastShapes(const InferContext& ctx, const Shape& a, const Shape& b);
// Element strides of a tensor of `shape` read as if it had `outShape` (0 on broadcast dimensions).
std::vector<int64_t> broadcastStrides(const Shape& shape, const Shape& outShape);
// Index into an operand for output element `index` of `outShape`, given the operand's broadcast strides.
int64_t broadcastOffset(int64_t index, const Shape& outShape, const std::vector<int64_t>& strides);

// Normalizes a possibly negative axis for a tensor of `rank` (fails through ctx when out of range).
int64_t normalizeAxis(const InferContext& ctx, int64_t axis, int64_t rank);

// The integer type of an arithmetic result: the type the model declares for the output when it is an
// integer type (ONNX semantics), otherwise int32 (quantized models exported with float containers
// expect the wide accumulator).
DType integerResultType(const InferContext& ctx, size_t outputIndex);

// Builds "name(arg0, arg1, ...);".
std::string cCall(const std::string& function, const std::vector<std::string>& args);
// Emits a constant int32 array of the given values and returns its name.
std::string int32Array(KernelEmitter& e, const std::vector<int64_t>& values, const std::string& hint);

}  // namespace deeploy
