// Transpose: output dimension k is input dimension perm[k] (perm defaults to reversing the dimensions).
// The C kernel is a strided copy whose dimensions are merged where the permutation keeps runs of
// dimensions together, so moving whole rows becomes memcpy.
#include <numeric>
#include <stdexcept>

#include "ops/data_movement.h"
#include "ops/op_helpers.h"

namespace deeploy {

namespace {

std::vector<int64_t> permutation(const Attributes& attrs, size_t rank) {
  std::vector<int64_t> reversed(rank);
  std::iota(reversed.rbegin(), reversed.rend(), int64_t{0});
  std::vector<int64_t> perm = attrs.getInts("perm", reversed);
  std::vector<bool> seen(rank, false);
  bool valid = perm.size() == rank;
  for (int64_t p : perm) {
    valid = valid && p >= 0 && p < static_cast<int64_t>(rank) && !seen[static_cast<size_t>(p)];
    if (valid) seen[static_cast<size_t>(p)] = true;
  }
  if (!valid) {
    throw std::invalid_argument("perm " + shapeToString(perm) + " is not a permutation of the " + std::to_string(rank) +
                                " input dimensions");
  }
  return perm;
}

Shape permuted(const Shape& shape, const std::vector<int64_t>& perm) {
  Shape out;
  for (int64_t p : perm) out.push_back(shape[static_cast<size_t>(p)]);
  return out;
}

void inferTranspose(InferContext& ctx) {
  ctx.requireInputs(1, 1);
  const Shape& in = ctx.inputShape(0);
  ctx.setOutput(0, ctx.inputType(0), permuted(in, permutation(ctx.attrs(), in.size())));
}

void evaluateTranspose(const EvalArgs& args) {
  const TensorData& x = args.in(0);
  TensorData& y = args.out(0);
  auto perm = permutation(args.attrs(), x.shape().size());
  auto inStrides = rowMajorStrides(x.shape());
  const Shape& outShape = y.shape();
  for (int64_t i = 0; i < y.size(); ++i) {
    int64_t rest = i, source = 0;
    for (size_t k = outShape.size(); k-- > 0;) {
      source += (rest % outShape[k]) * inStrides[static_cast<size_t>(perm[k])];
      rest /= outShape[k];
    }
    copyElement(y, i, x, source);
  }
}

void emitTranspose(KernelEmitter& e) {
  const Tensor &x = e.input(0), &y = e.output(0);
  auto perm = permutation(e.attrs(), x.shape.size());
  auto inStrides = rowMajorStrides(x.shape);
  std::vector<int64_t> srcStrides;
  for (int64_t p : perm) srcStrides.push_back(inStrides[static_cast<size_t>(p)]);
  emitStridedCopy(e, e.outputPtr(0), e.inputPtr(0), y.dtype, y.shape, rowMajorStrides(y.shape), srcStrides);
}

// Output axis k is input axis perm[k]: every axis splits.
TilingGeometry transposeTiling(const Graph& graph, const Node& node) {
  TilingGeometry g = outputTiling(graph, node);
  auto perm = permutation(node.attrs, g.iteration.size());
  for (size_t k = 0; k < perm.size(); ++k) g.inputs[0][static_cast<size_t>(perm[k])] = AxisMap::follow(static_cast<int>(k));
  return g;
}

const OpRegistrar registrar{
    OpSchema{"Transpose", inferTranspose, evaluateTranspose, emitTranspose, {}, false, transposeTiling}};

}  // namespace

bool transposeKeepsOrder(const Graph& graph, const Node& node) {
  const Shape& in = graph.tensor(node.inputs[0]).shape;
  int64_t last = -1;
  for (int64_t p : permutation(node.attrs, in.size())) {
    if (in[static_cast<size_t>(p)] == 1) continue;
    if (p < last) return false;
    last = p;
  }
  return true;
}

}  // namespace deeploy
