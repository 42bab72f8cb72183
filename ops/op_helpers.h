// Shared pieces of operator definitions: failure reporting, attribute reading, broadcasting, axis
// handling, result types, kernel names and C call building.
#pragma once

#include <functional>
#include <initializer_list>
#include <string>
#include <vector>

#include "ops/op_schema.h"

namespace deeploy {

// Reports an invalid shape or attribute and never returns: through ctx.fail during inference, as an
// Error naming the node elsewhere.
using FailFn = std::function<void(const std::string&)>;
FailFn failThrough(const InferContext& ctx);
FailFn failWithError(const Node& node);

// Runs `read` (attribute parsing that may throw deeploy::Error naming the attribute) and reports its
// errors through `fail`, so that they also name the node.
template <class Read>
auto readAttributes(const FailFn& fail, Read read) -> decltype(read()) {
  try {
    return read();
  } catch (const Error& e) {
    fail(e.what());
    throw;
  }
}
template <class Read>
auto readAttributes(const InferContext& ctx, Read read) -> decltype(read()) {
  return readAttributes(failThrough(ctx), read);
}

// NumPy-style broadcast of two shapes; fails with "cannot broadcast <what> A and B" when incompatible.
Shape broadcastShapes(const Shape& a, const Shape& b, const FailFn& fail, const std::string& what = "shapes");
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

// "s8_s8_s32": the type part of kernel names.
std::string typeSuffix(std::initializer_list<DType> types);
// Builds "name(arg0, arg1, ...);".
std::string cCall(const std::string& function, const std::vector<std::string>& args);
// Emits a constant int32 array of the given values and returns its name.
std::string int32Array(KernelEmitter& e, const std::vector<int64_t>& values, const std::string& hint);

}  // namespace deeploy
