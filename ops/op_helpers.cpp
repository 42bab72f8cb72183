#include "ops/op_helpers.h"

#include <algorithm>

namespace deeploy {

FailFn failThrough(const InferContext& ctx) {
  return [&ctx](const std::string& message) { ctx.fail(message); };
}

FailFn failWithError(const Node& node) {
  return [&node](const std::string& message) { throw Error(node.describe() + ": " + message); };
}

Shape broadcastShapes(const Shape& a, const Shape& b, const FailFn& fail, const std::string& what) {
  size_t rank = std::max(a.size(), b.size());
  Shape out(rank);
  for (size_t i = 0; i < rank; ++i) {
    int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (da != db && da != 1 && db != 1) {
      fail("cannot broadcast " + what + " " + shapeToString(a) + " and " + shapeToString(b));
    }
    out[i] = da == 1 ? db : da;
  }
  return out;
}

Shape broadcastShapes(const InferContext& ctx, const Shape& a, const Shape& b) {
  return broadcastShapes(a, b, failThrough(ctx));
}

std::vector<int64_t> broadcastStrides(const Shape& shape, const Shape& outShape) {
  std::vector<int64_t> strides(outShape.size(), 0);
  std::vector<int64_t> own = rowMajorStrides(shape);
  size_t offset = outShape.size() - shape.size();
  for (size_t i = 0; i < shape.size(); ++i) strides[offset + i] = shape[i] == 1 ? 0 : own[i];
  return strides;
}

int64_t broadcastOffset(int64_t index, const Shape& outShape, const std::vector<int64_t>& strides) {
  int64_t offset = 0;
  for (size_t d = outShape.size(); d-- > 0;) {
    int64_t coord = index % outShape[d];
    index /= outShape[d];
    offset += coord * strides[d];
  }
  return offset;
}

int64_t normalizeAxis(const InferContext& ctx, int64_t axis, int64_t rank) {
  if (axis < -rank || axis >= std::max<int64_t>(rank, 1)) {
    ctx.fail("axis " + std::to_string(axis) + " is out of range for rank " + std::to_string(rank));
  }
  return axis < 0 ? axis + rank : axis;
}

DType integerResultType(const InferContext& ctx, size_t outputIndex) {
  const Node& node = ctx.node();
  if (outputIndex < node.outputs.size() && node.outputs[outputIndex] != kNoTensor) {
    DType declared = ctx.graph().tensor(node.outputs[outputIndex]).declaredType;
    if (isInteger(declared)) return declared;
  }
  return DType::Int32;
}

std::string typeSuffix(std::initializer_list<DType> types) {
  std::string s;
  for (DType t : types) s += (s.empty() ? "" : "_") + std::string(kernelSuffix(t));
  return s;
}

std::string cCall(const std::string& function, const std::vector<std::string>& args) {
  std::string s = function + "(";
  for (size_t i = 0; i < args.size(); ++i) s += (i ? ", " : "") + args[i];
  return s + ");";
}

std::string int32Array(KernelEmitter& e, const std::vector<int64_t>& values, const std::string& hint) {
  return e.constant(TensorData::fromInts(DType::Int32, {static_cast<int64_t>(values.size())}, values), hint);
}

}  // namespace deeploy
