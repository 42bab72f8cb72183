#include "tiling/geometry.h"

#include <algorithm>
#include <cstring>

#include "ir/error.h"
#include "ops/integer_common.h"
#include "ops/op_schema.h"

namespace deeploy {

namespace {

const Shape& shapeOf(const Graph& graph, TensorId id) { return graph.tensor(id).shape; }

std::vector<AxisMap> wholeAxes(size_t rank) { return std::vector<AxisMap>(rank, AxisMap::whole()); }

std::string axisText(const char* kind, size_t operand, size_t axis) {
  return std::string(kind) + " " + std::to_string(operand) + " axis " + std::to_string(axis);
}

void checkOperand(const Graph& graph, const Node& node, const TilingGeometry& g, const std::vector<AxisMap>& axes,
                  TensorId id, const char* kind, size_t operand) {
  if (id == kNoTensor) {
    if (!axes.empty()) throw Error(node.describe() + ": tiling geometry maps omitted " + kind + " " + std::to_string(operand));
    return;
  }
  const Shape& shape = shapeOf(graph, id);
  if (axes.size() != shape.size()) {
    throw Error(node.describe() + ": tiling geometry gives " + std::to_string(axes.size()) + " axes for " + kind + " " +
                std::to_string(operand) + " of rank " + std::to_string(shape.size()));
  }
  for (size_t a = 0; a < axes.size(); ++a) {
    const AxisMap& m = axes[a];
    if (m.iterAxis < 0) continue;
    if (static_cast<size_t>(m.iterAxis) >= g.iteration.size() || m.stride < 1 || m.window < 1) {
      throw Error(node.describe() + ": tiling geometry of " + axisText(kind, operand, a) + " is malformed");
    }
  }
}

}  // namespace

Shape regionShape(const Box& region) {
  Shape s;
  for (const Range& r : region) s.push_back(r.size());
  return s;
}

Box wholeBox(const Shape& shape) {
  Box box;
  for (int64_t d : shape) box.push_back({0, d});
  return box;
}

TilingGeometry wholeNodeGeometry(const Graph& graph, const Node& node) {
  TilingGeometry g;
  TensorId first = node.outputs.empty() ? kNoTensor : node.outputs[0];
  if (first != kNoTensor) g.iteration = shapeOf(graph, first);
  g.splittable.assign(g.iteration.size(), false);
  for (TensorId in : node.inputs) g.inputs.push_back(in == kNoTensor ? std::vector<AxisMap>{} : wholeAxes(shapeOf(graph, in).size()));
  for (TensorId out : node.outputs) g.outputs.push_back(out == kNoTensor ? std::vector<AxisMap>{} : wholeAxes(shapeOf(graph, out).size()));
  return g;
}

TilingGeometry elementwiseGeometry(const Graph& graph, const Node& node, const std::vector<int>& keepWhole) {
  TilingGeometry g = wholeNodeGeometry(graph, node);
  const size_t rank = g.iteration.size();
  g.splittable.assign(rank, true);
  for (int axis : keepWhole) g.splittable.at(static_cast<size_t>(axis)) = false;
  auto broadcastAxes = [&](const Shape& shape) {
    std::vector<AxisMap> axes(shape.size());
    const size_t lead = rank - shape.size();
    for (size_t a = 0; a < shape.size(); ++a) {
      const size_t it = lead + a;
      axes[a] = shape[a] == g.iteration[it] && g.iteration[it] != 1 ? AxisMap::follow(static_cast<int>(it)) : AxisMap::whole();
    }
    return axes;
  };
  for (size_t i = 0; i < node.inputs.size(); ++i) {
    if (node.inputs[i] == kNoTensor) continue;
    const Shape& shape = shapeOf(graph, node.inputs[i]);
    if (shape.size() > rank) throw Error(node.describe() + ": input " + std::to_string(i) + " has a higher rank than the output");
    g.inputs[i] = broadcastAxes(shape);
  }
  for (size_t o = 0; o < node.outputs.size(); ++o) {
    if (node.outputs[o] != kNoTensor) g.outputs[o] = broadcastAxes(shapeOf(graph, node.outputs[o]));
  }
  return g;
}

TilingGeometry geometryOf(const Graph& graph, const Node& node) {
  const OpSchema& schema = OpRegistry::instance().get(node);
  TilingGeometry g = schema.tiling ? schema.tiling(graph, node) : wholeNodeGeometry(graph, node);
  checkGeometry(graph, node, g);
  return g;
}

void checkGeometry(const Graph& graph, const Node& node, const TilingGeometry& g) {
  if (g.splittable.size() != g.iteration.size()) throw Error(node.describe() + ": tiling geometry marks the wrong number of axes splittable");
  if (g.inputs.size() != node.inputs.size() || g.outputs.size() != node.outputs.size()) {
    throw Error(node.describe() + ": tiling geometry does not cover every operand");
  }
  for (size_t i = 0; i < node.inputs.size(); ++i) checkOperand(graph, node, g, g.inputs[i], node.inputs[i], "input", i);
  for (size_t o = 0; o < node.outputs.size(); ++o) checkOperand(graph, node, g, g.outputs[o], node.outputs[o], "output", o);
}

Range operandRange(const AxisMap& map, Range iter, int64_t dim, AxisClip* clip) {
  if (map.iterAxis < 0) {
    if (clip) *clip = {};
    return {0, dim};
  }
  const int64_t lo = map.stride * iter.lo + map.offset;
  const int64_t hi = map.stride * (iter.hi - 1) + map.offset + map.window;
  if (clip) *clip = {std::max<int64_t>(0, -lo), std::max<int64_t>(0, hi - dim)};
  return {std::clamp<int64_t>(lo, 0, dim), std::clamp<int64_t>(hi, 0, dim)};
}

TileInstance instantiateTile(const Graph& graph, const Node& node, const TilingGeometry& g, const Box& iterTile) {
  TileInstance tile;
  tile.iteration = iterTile;
  tile.attrs = node.attrs;
  auto regionOf = [&](const std::vector<AxisMap>& axes, TensorId id, std::vector<AxisClip>* clips) {
    Box box;
    if (id == kNoTensor) return box;
    const Shape& shape = shapeOf(graph, id);
    for (size_t a = 0; a < axes.size(); ++a) {
      AxisClip clip;
      const AxisMap& m = axes[a];
      box.push_back(operandRange(m, m.iterAxis < 0 ? Range{} : iterTile.at(static_cast<size_t>(m.iterAxis)), shape[a], &clip));
      if (clips) clips->push_back(clip);
    }
    return box;
  };
  for (size_t i = 0; i < node.inputs.size(); ++i) {
    tile.inputClips.emplace_back();
    tile.inputRegions.push_back(regionOf(g.inputs[i], node.inputs[i], &tile.inputClips.back()));
  }
  for (size_t o = 0; o < node.outputs.size(); ++o) tile.outputRegions.push_back(regionOf(g.outputs[o], node.outputs[o], nullptr));
  if (g.adjustAttributes) g.adjustAttributes(tile.attrs, iterTile, tile.inputClips);
  return tile;
}

Graph tileGraph(const Graph& graph, const Node& node, const TileInstance& tile) {
  Graph sub;
  sub.name = graph.name;
  sub.opset = graph.opset;
  Node copy = node;
  copy.attrs = tile.attrs;
  for (size_t i = 0; i < node.inputs.size(); ++i) {
    if (node.inputs[i] == kNoTensor) continue;
    const Tensor& t = graph.tensor(node.inputs[i]);
    Tensor part;
    part.name = t.name;
    part.dtype = t.dtype;
    part.shape = regionShape(tile.inputRegions[i]);
    if (t.isConstant()) part.constant = sliceRegion(*t.constant, tile.inputRegions[i]);
    else if (isInteger(t.dtype)) part.magnitudeBound = valueMagnitude(graph, node.inputs[i]);
    copy.inputs[i] = sub.addTensor(std::move(part));
    if (!t.isConstant()) sub.inputs.push_back(copy.inputs[i]);
  }
  for (size_t o = 0; o < node.outputs.size(); ++o) {
    if (node.outputs[o] == kNoTensor) continue;
    Tensor part;
    part.name = graph.tensor(node.outputs[o]).name;
    // Integer operators take their result type from the model's declaration.
    part.declaredType = graph.tensor(node.outputs[o]).declaredType;
    copy.outputs[o] = sub.addTensor(std::move(part));
    sub.outputs.push_back(copy.outputs[o]);
  }
  sub.nodes.push_back(copy);
  Node& inferred = sub.nodes.back();
  InferContext ctx(sub, inferred);
  OpRegistry::instance().get(inferred).infer(ctx);
  for (size_t o = 0; o < node.outputs.size(); ++o) {
    if (node.outputs[o] == kNoTensor) continue;
    const Tensor& got = sub.tensor(inferred.outputs[o]);
    const Tensor& want = graph.tensor(node.outputs[o]);
    if (got.shape != regionShape(tile.outputRegions[o]) || got.dtype != want.dtype) {
      throw Error(node.describe() + ": a tile computes output " + std::to_string(o) + " as " +
                  std::string(dtypeName(got.dtype)) + " " + shapeToString(got.shape) + " but its region is " +
                  std::string(dtypeName(want.dtype)) + " " + shapeToString(regionShape(tile.outputRegions[o])) +
                  " (the operator's tiling geometry is inconsistent)");
    }
  }
  return sub;
}

namespace {

// Calls `copy(wholeOffset, partOffset, count)` for every contiguous run of a region, in elements.
template <typename Copy>
void forEachRun(const Shape& wholeShape, const Box& region, Copy copy) {
  const size_t rank = region.size();
  if (rank == 0) {
    copy(0, 0, 1);
    return;
  }
  const Shape part = regionShape(region);
  if (elementCount(part) == 0) return;
  const std::vector<int64_t> strides = rowMajorStrides(wholeShape);
  std::vector<int64_t> index(rank - 1, 0);
  int64_t partOffset = 0;
  const int64_t run = part[rank - 1];
  while (true) {
    int64_t wholeOffset = region[rank - 1].lo;
    for (size_t a = 0; a + 1 < rank; ++a) wholeOffset += (region[a].lo + index[a]) * strides[a];
    copy(wholeOffset, partOffset, run);
    partOffset += run;
    size_t a = rank - 1;
    while (a > 0) {
      --a;
      if (++index[a] < part[a]) break;
      index[a] = 0;
      if (a == 0) return;
    }
    if (rank == 1) return;
  }
}

}  // namespace

TensorData sliceRegion(const TensorData& whole, const Box& region) {
  TensorData part(whole.dtype(), regionShape(region));
  const size_t elem = dtypeSize(whole.dtype());
  forEachRun(whole.shape(), region, [&](int64_t from, int64_t to, int64_t count) {
    std::memcpy(part.data() + to * static_cast<int64_t>(elem), whole.data() + from * static_cast<int64_t>(elem),
                static_cast<size_t>(count) * elem);
  });
  return part;
}

void insertRegion(TensorData& whole, const Box& region, const TensorData& part) {
  const size_t elem = dtypeSize(whole.dtype());
  forEachRun(whole.shape(), region, [&](int64_t to, int64_t from, int64_t count) {
    std::memcpy(whole.data() + to * static_cast<int64_t>(elem), part.data() + from * static_cast<int64_t>(elem),
                static_cast<size_t>(count) * elem);
  });
}

}  // namespace deeploy
