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

TilingGeometry elementwiseGeometryWithScalars(const Graph& graph, const Node& node) {
  Node withoutScalars = node;
  for (TensorId& in : withoutScalars.inputs) {
    if (in != kNoTensor && graph.tensor(in).elementCount() == 1) in = kNoTensor;
  }
  TilingGeometry g = elementwiseGeometry(graph, withoutScalars);
  for (size_t i = 0; i < node.inputs.size(); ++i) {
    if (withoutScalars.inputs[i] != node.inputs[i]) {
      g.inputs[i].assign(graph.tensor(node.inputs[i]).shape.size(), AxisMap::whole());
    }
  }
  return g;
}

TilingGeometry sameShapeGeometry(const Graph& graph, const Node& node, const std::vector<int>& keepWhole) {
  TilingGeometry g = wholeNodeGeometry(graph, node);
  const size_t rank = g.iteration.size();
  g.splittable.assign(rank, true);
  for (int axis : keepWhole) g.splittable.at(static_cast<size_t>(axis)) = false;
  for (size_t a = 0; a < rank; ++a) {
    g.inputs.at(0).at(a) = AxisMap::follow(static_cast<int>(a));
    g.outputs.at(0).at(a) = AxisMap::follow(static_cast<int>(a));
  }
  return g;
}

std::vector<int> axesFrom(int64_t first, size_t rank) {
  std::vector<int> axes;
  for (int64_t a = first; a < static_cast<int64_t>(rank); ++a) axes.push_back(static_cast<int>(a));
  return axes;
}

TilingGeometry outputTiling(const Graph& graph, const Node& node) {
  TilingGeometry g = wholeNodeGeometry(graph, node);
  g.splittable.assign(g.iteration.size(), true);
  for (size_t a = 0; a < g.iteration.size(); ++a) g.outputs.at(0)[a] = AxisMap::follow(static_cast<int>(a));
  return g;
}

void declareSlidingWindows(TilingGeometry& geometry, const std::vector<SlidingWindow>& windows, size_t first) {
  std::vector<bool> split;
  for (size_t d = 0; d < windows.size(); ++d) {
    const SlidingWindow& w = windows[d];
    bool everyWindowReadsInput = w.padBegin < w.extent && w.stride * (w.out - 1) - w.padBegin < w.in;
    split.push_back(w.splittable && everyWindowReadsInput);
    const int axis = static_cast<int>(first + d);
    geometry.splittable.at(first + d) = split.back();
    geometry.inputs.at(0).at(first + d) = split.back() ? AxisMap{axis, w.stride, -w.padBegin, w.extent} : AxisMap::whole();
  }
  geometry.adjustAttributes = [windows, split, first](Attributes& attrs, const Box&, const std::vector<std::vector<AxisClip>>& clips) {
    std::vector<int64_t> begins, ends;
    for (size_t d = 0; d < windows.size(); ++d) {
      AxisClip clip = split[d] ? clips.at(0).at(first + d) : AxisClip{windows[d].padBegin, windows[d].padEnd};
      begins.push_back(clip.before);
      ends.push_back(clip.after);
    }
    begins.insert(begins.end(), ends.begin(), ends.end());
    attrs.set("pads", begins);
    attrs.set("auto_pad", std::string("NOTSET"));
  };
}

TilingGeometry rowsGeometry(const Graph& graph, const Node& node) {
  const size_t rank = graph.tensor(node.inputs.at(0)).shape.size();
  return sameShapeGeometry(graph, node, {static_cast<int>(rank) - 1});
}

}  // namespace deeploy
