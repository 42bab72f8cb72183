// Gather along one axis (default 0): out[a..., j..., b...] = data[a..., indices[j...], b...]; negative
// indices count from the end. Constant indices are checked here and handed to the kernel normalized
// as int32; run-time indices are read in their own type (out-of-range ones give zeros in C, an error
// in the reference).
#include <stdexcept>

#include "ops/data_movement.h"
#include "ops/op_helpers.h"

namespace deeploy {

namespace {

// data viewed as [outer, axisLength, inner].
struct GatherGeometry {
  int64_t axis = 0, outer = 1, axisLength = 0, inner = 1;
};

GatherGeometry geometry(const Shape& data, int64_t axis) {
  GatherGeometry g;
  g.axis = axis < 0 ? axis + static_cast<int64_t>(data.size()) : axis;
  for (size_t d = 0; d < data.size(); ++d) {
    if (static_cast<int64_t>(d) < g.axis) g.outer *= data[d];
    if (static_cast<int64_t>(d) > g.axis) g.inner *= data[d];
  }
  g.axisLength = data[static_cast<size_t>(g.axis)];
  return g;
}

// The index normalized into [0, axisLength), or -1 when out of range.
int64_t normalizedIndex(int64_t index, int64_t axisLength) {
  if (index < 0) index += axisLength;
  return index >= 0 && index < axisLength ? index : -1;
}

void inferGather(InferContext& ctx) {
  ctx.requireInputs(2, 2);
  const Shape &data = ctx.inputShape(0), &indices = ctx.inputShape(1);
  ctx.require(!data.empty(), "cannot gather from a scalar");
  ctx.require(isInteger(ctx.inputType(1)) && ctx.inputType(1) != DType::Bool,
              "indices must be integers, got " + std::string(dtypeName(ctx.inputType(1))));
  int64_t axis = normalizeAxis(ctx, ctx.attrs().getInt("axis", 0), static_cast<int64_t>(data.size()));
  if (const TensorData* constant = ctx.constantInput(1)) {
    int64_t length = data[static_cast<size_t>(axis)];
    for (int64_t i = 0; i < constant->size(); ++i) {
      ctx.require(normalizedIndex(constant->getInt(i), length) >= 0,
                  "index " + std::to_string(constant->getInt(i)) + " is out of range for axis " + std::to_string(axis) +
                      " of size " + std::to_string(length));
    }
  }
  Shape out(data.begin(), data.begin() + axis);
  out.insert(out.end(), indices.begin(), indices.end());
  out.insert(out.end(), data.begin() + axis + 1, data.end());
  ctx.setOutput(0, ctx.inputType(0), out);
}

void evaluateGather(const EvalArgs& args) {
  const TensorData &x = args.in(0), &indices = args.in(1);
  TensorData& y = args.out(0);
  GatherGeometry g = geometry(x.shape(), args.attrs().getInt("axis", 0));
  int64_t count = indices.size();
  for (int64_t j = 0; j < count; ++j) {
    int64_t index = normalizedIndex(indices.getInt(j), g.axisLength);
    if (index < 0) {
      throw std::invalid_argument("index " + std::to_string(indices.getInt(j)) +
                                  " is out of range for an axis of size " + std::to_string(g.axisLength));
    }
    for (int64_t o = 0; o < g.outer; ++o) {
      for (int64_t k = 0; k < g.inner; ++k) {
        copyElement(y, (o * count + j) * g.inner + k, x, (o * g.axisLength + index) * g.inner + k);
      }
    }
  }
}

void emitGather(KernelEmitter& e) {
  const Tensor &x = e.input(0), &indices = e.input(1), &y = e.output(0);
  if (y.elementCount() == 0) return;
  GatherGeometry g = geometry(x.shape, e.attrs().getInt("axis", 0));
  requireInt32(e, {x.elementCount(), y.elementCount()});
  std::string indexPtr;
  DType indexType = indices.dtype;
  if (indices.isConstant()) {
    std::vector<int64_t> normalized;
    for (int64_t v : indices.constant->toInts()) normalized.push_back(normalizedIndex(v, g.axisLength));
    indexPtr = int32Array(e, normalized, "gather_indices");
    indexType = DType::Int32;
  } else {
    indexPtr = e.inputPtr(1);
  }
  std::string name = "dp_gather_" + typeSuffix({y.dtype, indexType});
  e.include("kernels/gather.h");
  e.definition(name, "DP_DEFINE_GATHER(" + name + ", " + std::string(cTypeName(y.dtype)) + ", " +
                         std::string(cTypeName(indexType)) + ")");
  e.statement(
      cCall(name, {e.inputPtr(0), indexPtr, e.outputPtr(0), std::to_string(g.outer), std::to_string(g.axisLength),
                   std::to_string(indices.elementCount()), std::to_string(g.inner)}));
}

// The output is data's axes before `axis`, the indices' axes, then data's axes after `axis`: all split,
// data's gathered axis stays whole.
TilingGeometry gatherTiling(const Graph& graph, const Node& node) {
  TilingGeometry g = outputTiling(graph, node);
  const size_t dataRank = graph.tensor(node.inputs[0]).shape.size();
  const size_t indexRank = graph.tensor(node.inputs[1]).shape.size();
  const size_t axis = static_cast<size_t>(geometry(graph.tensor(node.inputs[0]).shape, node.attrs.getInt("axis", 0)).axis);
  for (size_t d = 0; d < dataRank; ++d) {
    if (d != axis) g.inputs[0][d] = AxisMap::follow(static_cast<int>(d < axis ? d : d + indexRank - 1));
  }
  for (size_t j = 0; j < indexRank; ++j) g.inputs[1][j] = AxisMap::follow(static_cast<int>(axis + j));
  return g;
}

const OpRegistrar registrar{OpSchema{"Gather", inferGather, evaluateGather, emitGather, {}, false, gatherTiling}};

}  // namespace

}  // namespace deeploy
