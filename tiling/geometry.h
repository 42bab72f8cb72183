// How a node's work splits into tiles. An operator declares (OpSchema::tiling) an iteration space,
// usually its output's shape, which axes of it a kernel can compute piecewise, and for every operand
// which part of it one tile of the iteration space reads or writes. The tiler picks tile sizes; this
// file turns one tile into operand regions and into the node that computes that tile.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "ir/graph.h"

namespace deeploy {

// One operand axis as a function of one iteration axis. A tile covering iteration indices [lo, hi)
// needs operand indices [stride * lo + offset, stride * (hi - 1) + offset + window), clipped to the
// axis: the identity for element-wise axes, a sliding window for convolution and pooling.
struct AxisMap {
  int iterAxis = -1;  // -1: every tile needs the whole axis
  int64_t stride = 1;
  int64_t offset = 0;
  int64_t window = 1;

  static AxisMap whole() { return {}; }
  static AxisMap follow(int axis) { return {axis, 1, 0, 1}; }
};

// How far one operand axis's needed range reached outside the tensor, before index 0 and past the end:
// what a border tile must pad instead of reading.
struct AxisClip {
  int64_t before = 0;
  int64_t after = 0;
};

struct Range {
  int64_t lo = 0;
  int64_t hi = 0;  // exclusive
  int64_t size() const { return hi - lo; }
  bool operator==(const Range&) const = default;
};
using Box = std::vector<Range>;  // one range per axis

struct TilingGeometry {
  Shape iteration;              // extent of every iteration axis
  std::vector<bool> splittable; // per iteration axis: the kernel computes any sub-range of it correctly
  std::vector<std::vector<AxisMap>> inputs;   // per input slot (empty for an omitted input), per axis
  std::vector<std::vector<AxisMap>> outputs;  // per output, per axis
  // Optional: rewrites the attributes of the node computing one tile (e.g. Conv pads at the border,
  // the group count of a tile of a grouped convolution), given the tile of the iteration space and
  // the clips of every input (indexed like `inputs`).
  std::function<void(Attributes&, const Box& iterTile, const std::vector<std::vector<AxisClip>>&)> adjustAttributes;
};

// The geometry of a node: its operator's declaration, or one tile holding everything when the
// operator declares none (the node then runs whole in the compute level).
TilingGeometry geometryOf(const Graph& graph, const Node& node);
TilingGeometry wholeNodeGeometry(const Graph& graph, const Node& node);
// Element-wise geometry: the output's axes are the iteration space; inputs broadcast against it
// (numpy rules), size-1 broadcast axes are read whole. Every axis is splittable except `keepWhole`.
TilingGeometry elementwiseGeometry(const Graph& graph, const Node& node, const std::vector<int>& keepWhole = {});

// Throws Error naming the node when the geometry does not match the node's operands.
void checkGeometry(const Graph& graph, const Node& node, const TilingGeometry& geometry);

// The range of an operand axis of extent `dim` that iteration range `iter` needs; `clip` (optional)
// receives how far the unclipped range reached outside [0, dim).
Range operandRange(const AxisMap& map, Range iter, int64_t dim, AxisClip* clip = nullptr);

struct TileInstance {
  Box iteration;
  std::vector<Box> inputRegions;   // empty for an omitted input
  std::vector<Box> outputRegions;
  std::vector<std::vector<AxisClip>> inputClips;
  Attributes attrs;                // of the node computing this tile
};

TileInstance instantiateTile(const Graph& graph, const Node& node, const TilingGeometry& geometry, const Box& iterTile);

// A graph holding only the node that computes `tile`: operand shapes are the region shapes, constant
// inputs are their sliced regions, runtime inputs are graph inputs and outputs graph outputs. The
// operator's inference runs on it and must give the output regions' shapes (Error otherwise).
Graph tileGraph(const Graph& graph, const Node& node, const TileInstance& tile);

TensorData sliceRegion(const TensorData& whole, const Box& region);
// Writes `part` (shaped like `region`) into `whole` at `region`.
void insertRegion(TensorData& whole, const Box& region, const TensorData& part);
Shape regionShape(const Box& region);
Box wholeBox(const Shape& shape);

}  // namespace deeploy
