// Slice: starts/ends/axes as attributes (opset < 10) or constant inputs with optional steps (opset >= 10).
// Negative starts and ends count from the end, then clamp to the dimension (to [0, dim] for positive
// steps, [-1, dim - 1] for negative ones); a negative step walks backwards. The C kernel is a strided
// copy starting at the first selected element.
#include <algorithm>
#include <limits>
#include <set>
#include <stdexcept>

#include "ops/data_movement.h"
#include "ops/op_helpers.h"

namespace deeploy {

namespace {

struct SliceDim {
  int64_t start = 0, step = 1, count = 0;  // count: elements taken
};

SliceDim resolveDim(int64_t start, int64_t end, int64_t step, int64_t dim) {
  if (start < 0) start += dim;
  if (end < 0) end += dim;
  SliceDim s{0, step, 0};
  if (step > 0) {
    s.start = std::clamp<int64_t>(start, 0, dim);
    end = std::clamp<int64_t>(end, 0, dim);
    s.count = end > s.start ? (end - s.start - 1) / step + 1 : 0;
  } else {
    s.start = std::clamp<int64_t>(start, -1, dim - 1);
    end = std::clamp<int64_t>(end, -1, dim - 1);
    int64_t magnitude = step == std::numeric_limits<int64_t>::min() ? std::numeric_limits<int64_t>::max() : -step;
    s.count = s.start > end ? (s.start - end - 1) / magnitude + 1 : 0;
  }
  if (s.count == 0) s.start = 0;
  return s;
}

// One SliceDim per data dimension (untouched dimensions take everything). Throws std::invalid_argument.
std::vector<SliceDim> sliceDims(const Shape& shape, const Attributes& attrs,
                                const std::vector<const TensorData*>& inputs) {
  auto starts = intsFromInputOrAttribute(inputs, 1, attrs, "starts");
  auto ends = intsFromInputOrAttribute(inputs, 2, attrs, "ends");
  if (!starts || !ends)
    throw std::invalid_argument("needs starts and ends (inputs 1 and 2, or attributes before opset 10)");
  size_t n = starts->size();
  std::vector<int64_t> defaultAxes(n);
  for (size_t i = 0; i < n; ++i) defaultAxes[i] = static_cast<int64_t>(i);
  auto axes = intsFromInputOrAttribute(inputs, 3, attrs, "axes").value_or(defaultAxes);
  auto steps = intsFromInputOrAttribute(inputs, 4, attrs, "steps").value_or(std::vector<int64_t>(n, 1));
  if (ends->size() != n || axes.size() != n || steps.size() != n) {
    throw std::invalid_argument("starts, ends, axes and steps must have the same length (" + std::to_string(n) + ", " +
                                std::to_string(ends->size()) + ", " + std::to_string(axes.size()) + ", " +
                                std::to_string(steps.size()) + ")");
  }
  int64_t rank = static_cast<int64_t>(shape.size());
  std::vector<SliceDim> dims;
  for (int64_t d : shape) dims.push_back({0, 1, d});
  std::set<int64_t> seen;
  for (size_t i = 0; i < n; ++i) {
    int64_t axis = axes[i] < 0 ? axes[i] + rank : axes[i];
    if (axis < 0 || axis >= rank) {
      throw std::invalid_argument("axis " + std::to_string(axes[i]) + " is out of range for rank " +
                                  std::to_string(rank));
    }
    if (!seen.insert(axis).second) throw std::invalid_argument("axis " + std::to_string(axes[i]) + " is repeated");
    if (steps[i] == 0) throw std::invalid_argument("step 0 on axis " + std::to_string(axes[i]));
    dims[static_cast<size_t>(axis)] = resolveDim((*starts)[i], (*ends)[i], steps[i], shape[static_cast<size_t>(axis)]);
  }
  return dims;
}

void inferSlice(InferContext& ctx) {
  ctx.requireInputs(1, 5);
  requireConstantInputs(ctx, {1, 2, 3, 4});
  Shape out;
  for (const SliceDim& d : sliceDims(ctx.inputShape(0), ctx.attrs(), constantInputsOf(ctx.graph(), ctx.node()))) {
    out.push_back(d.count);
  }
  ctx.setOutput(0, ctx.inputType(0), out);
}

void evaluateSlice(const EvalArgs& args) {
  const TensorData& x = args.in(0);
  TensorData& y = args.out(0);
  auto dims = sliceDims(x.shape(), args.attrs(), args.inputs);
  auto inStrides = rowMajorStrides(x.shape());
  for (int64_t i = 0; i < y.size(); ++i) {
    int64_t rest = i, source = 0;
    for (size_t d = dims.size(); d-- > 0;) {
      source += (dims[d].start + (rest % dims[d].count) * dims[d].step) * inStrides[d];
      rest /= dims[d].count;
    }
    copyElement(y, i, x, source);
  }
}

void emitSlice(KernelEmitter& e) {
  const Tensor &x = e.input(0), &y = e.output(0);
  if (y.elementCount() == 0) return;
  auto dims = sliceDims(x.shape, e.attrs(), constantInputsOf(e.graph(), e.node()));
  auto inStrides = rowMajorStrides(x.shape);
  std::vector<int64_t> srcStrides;
  int64_t first = 0;
  for (size_t d = 0; d < dims.size(); ++d) {
    srcStrides.push_back(dims[d].count > 1 ? inStrides[d] * dims[d].step
                                           : inStrides[d]);  // huge steps take one element
    first += dims[d].start * inStrides[d];
  }
  requireInt32(e, {first});
  std::string src = "(" + e.inputPtr(0) + " + " + std::to_string(first) + ")";
  emitStridedCopy(e, e.outputPtr(0), src, y.dtype, y.shape, rowMajorStrides(y.shape), srcStrides);
}

// The axes the Slice takes whole (from 0, step 1, every element) split: their starts and ends, clamped
// to a tile's extent, still take the whole tile. Sliced axes stay whole.
TilingGeometry sliceTiling(const Graph& graph, const Node& node) {
  TilingGeometry g = outputTiling(graph, node);
  const Shape& shape = graph.tensor(node.inputs[0]).shape;
  auto dims = sliceDims(shape, node.attrs, constantInputsOf(graph, node));
  for (size_t d = 0; d < dims.size(); ++d) {
    bool untouched = dims[d].start == 0 && dims[d].step == 1 && dims[d].count == shape[d];
    g.splittable[d] = untouched;
    if (untouched) g.inputs[0][d] = AxisMap::follow(static_cast<int>(d));
  }
  return g;
}

const OpRegistrar registrar{OpSchema{"Slice", inferSlice, evaluateSlice, emitSlice, {}, false, sliceTiling}};

}  // namespace

bool sliceTakesEverything(const Graph& graph, const Node& node) {
  const Shape& shape = graph.tensor(node.inputs[0]).shape;
  auto dims = sliceDims(shape, node.attrs, constantInputsOf(graph, node));
  for (size_t d = 0; d < dims.size(); ++d) {
    bool whole = dims[d].count == shape[d] && dims[d].start == 0 && (dims[d].step == 1 || shape[d] <= 1);
    if (!whole) return false;
  }
  return true;
}

}  // namespace deeploy
