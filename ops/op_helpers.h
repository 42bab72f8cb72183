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
// A kernel call before it is written out; callers that address operands themselves (the KV-cache
// attention, codegen/runtime_length) replace pointer and extent arguments first.
struct KernelCall {
  std::string function;
  std::vector<std::string> args;
  std::string text() const { return cCall(function, args); }
};
// Emits a constant int32 array of the given values and returns its name.
std::string int32Array(KernelEmitter& e, const std::vector<int64_t>& values, const std::string& hint);

// ---- Tiling geometries shared by element-wise and normalizing operators ----

// elementwiseGeometry, except that inputs holding a single value (scalar parameters, whatever their
// rank) are read whole by every tile.
TilingGeometry elementwiseGeometryWithScalars(const Graph& graph, const Node& node);
// Output 0 has input 0's shape and the kernel works on independent slices of it (softmax rows,
// normalized blocks, per-channel affine maps): the iteration space is output 0's shape, input 0 and
// output 0 follow it on every axis, the axes in `keepWhole` (those the kernel reduces over) are never
// split, and every other operand is read or written whole.
TilingGeometry sameShapeGeometry(const Graph& graph, const Node& node, const std::vector<int>& keepWhole);
// The axes first, first + 1, ..., rank - 1.
std::vector<int> axesFrom(int64_t first, size_t rank);

// ---- Tiling declarations (tiling/geometry.h) ----

// The start of most declarations: output 0's axes are the iteration space, output 0 follows it axis by
// axis, every axis splits, and every input is read whole until the operator maps its axes.
TilingGeometry outputTiling(const Graph& graph, const Node& node);

// One spatial axis of a sliding-window operator (convolution, pooling): output o reads the inputs
// [o * stride - padBegin, o * stride - padBegin + extent), extent = (kernel - 1) * dilation + 1.
struct SlidingWindow {
  int64_t in = 0, out = 0, stride = 1, padBegin = 0, padEnd = 0, extent = 1;
  bool splittable = true;  // false: the operator's own reason to keep the axis whole
};
// Maps input 0's axis first + d to iteration axis first + d by windows[d] and gives every tile explicit
// pads (auto_pad NOTSET): what its windows reach outside the input, so interior tiles read their halo
// and border tiles pad like the whole node. An axis stays whole where an output's window lies entirely
// in the padding (a tile of only such outputs would have no input to place its padding around).
void declareSlidingWindows(TilingGeometry& geometry, const std::vector<SlidingWindow>& windows, size_t first);

// sameShapeGeometry of a node working along the last axis (rows), which stays whole.
TilingGeometry rowsGeometry(const Graph& graph, const Node& node);

}  // namespace deeploy
