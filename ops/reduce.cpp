// ReduceSum, ReduceMean (and Deeploy's IntegerMean), ReduceMax, ReduceMin, GlobalAveragePool and
// GlobalMaxPool: reductions over a set of axes.
// Axes come from the `axes` attribute (older opsets) or a constant second input (ReduceSum from opset 13,
// ReduceMean from 18); absent or empty axes reduce everything, or nothing with noop_with_empty_axes.
// Floats: sum, mean = sum / count (NaN over an empty set), max / min (-inf / +inf over an empty set; a NaN
// element is skipped, as the C comparison does).
// Integers: sums are exact; ReduceSum yields int32 unless the model declares an integer output type.
// The integer mean keeps the input type and rounds as Deeploy's IntegerMean does: for count = 2^k,
// (sum + 2^(k-1)) >> k, otherwise (sum + sign(sum) * floor(count / 2)) / count truncated.
// Max, min and GlobalMaxPool keep the input type.
#include <algorithm>
#include <bit>
#include <limits>
#include <optional>
#include <stdexcept>

#include "ops/op_helpers.h"

namespace deeploy {

namespace {

enum class Reduction { Sum, Mean, Max, Min };

bool keepsExtremum(Reduction kind) { return kind == Reduction::Max || kind == Reduction::Min; }

// The reduction's step; max and min keep the accumulator unless the element compares past it.
template <typename T>
T combine(Reduction kind, T acc, T v) {
  if (kind == Reduction::Max) return v > acc ? v : acc;
  if (kind == Reduction::Min) return v < acc ? v : acc;
  return acc + v;
}

constexpr size_t kMaxKernelDims = 8;  // DP_MAX_DIMS of runtime/kernels/dp_common.h

struct ReduceOp {
  Reduction kind;
  bool global;  // Global*Pool: every axis from 2 on, dimensions kept
};

struct ReduceDesc {
  std::vector<bool> reduced;  // per input axis
  bool keepdims = true;
};

// The explicit axis list of a Reduce* node, if it has one.
std::optional<std::vector<int64_t>> axisList(const Attributes& attrs, const TensorData* axesInput) {
  if (axesInput) return axesInput->toInts();
  if (attrs.has("axes")) return attrs.getInts("axes");
  return std::nullopt;
}

// Throws std::invalid_argument on an axis out of range or named twice.
ReduceDesc describeReduction(ReduceOp op, const Attributes& attrs, const TensorData* axesInput, int64_t rank) {
  ReduceDesc d;
  d.reduced.assign(static_cast<size_t>(rank), false);
  if (op.global) {
    for (int64_t a = 2; a < rank; ++a) d.reduced[static_cast<size_t>(a)] = true;
    return d;
  }
  d.keepdims = attrs.getInt("keepdims", 1) != 0;
  auto axes = axisList(attrs, axesInput);
  if (!axes || axes->empty()) {
    bool noop = attrs.getInt("noop_with_empty_axes", 0) != 0;
    d.reduced.assign(static_cast<size_t>(rank), !noop);
    return d;
  }
  for (int64_t axis : *axes) {
    if (axis < -rank || axis >= rank) {
      throw std::invalid_argument("axis " + std::to_string(axis) + " is out of range for rank " + std::to_string(rank));
    }
    size_t a = static_cast<size_t>(axis < 0 ? axis + rank : axis);
    if (d.reduced[a]) throw std::invalid_argument("axis " + std::to_string(axis) + " is named twice");
    d.reduced[a] = true;
  }
  return d;
}

Shape reducedShape(const Shape& input, const ReduceDesc& d) {
  Shape out;
  for (size_t a = 0; a < input.size(); ++a) {
    if (!d.reduced[a]) {
      out.push_back(input[a]);
    } else if (d.keepdims) {
      out.push_back(1);
    }
  }
  return out;
}

int64_t reducedCount(const Shape& input, const ReduceDesc& d) {
  int64_t count = 1;
  for (size_t a = 0; a < input.size(); ++a) count *= d.reduced[a] ? input[a] : 1;
  return count;
}

// Element stride in the output of each input axis (0 on reduced axes).
std::vector<int64_t> outputStrides(const Shape& input, const ReduceDesc& d) {
  std::vector<int64_t> strides(input.size(), 0);
  int64_t stride = 1;
  for (size_t a = input.size(); a-- > 0;) {
    if (d.reduced[a]) continue;
    strides[a] = stride;
    stride *= input[a];
  }
  return strides;
}

void inferReduce(ReduceOp op, InferContext& ctx) {
  const TensorData* axesInput = nullptr;
  if (op.global) {
    ctx.requireInputs(1, 1);
    ctx.require(ctx.inputShape(0).size() >= 2, "expects an input of rank >= 2 (N x C x ...), got " +
                                                   shapeToString(ctx.inputShape(0)));
  } else {
    ctx.requireInputs(1, 2);
    if (ctx.hasInput(1)) {
      axesInput = ctx.constantInput(1);
      ctx.require(axesInput != nullptr, "the axes input must be a constant (the output shape depends on it)");
      ctx.require(isInteger(axesInput->dtype()), "the axes input must hold integers");
    }
  }
  DType x = ctx.inputType(0);
  ctx.require(x != DType::Bool, "does not reduce bool tensors");
  ReduceDesc d;
  try {
    d = describeReduction(op, ctx.attrs(), axesInput, static_cast<int64_t>(ctx.inputShape(0).size()));
  } catch (const std::invalid_argument& e) {
    ctx.fail(e.what());
  }
  DType y = op.kind == Reduction::Sum && isInteger(x) ? integerResultType(ctx, 0) : x;
  ctx.setOutput(0, y, reducedShape(ctx.inputShape(0), d));
}

int64_t deeployIntegerMean(int64_t sum, int64_t count) {
  if (count == 0) return 0;
  if (std::has_single_bit(static_cast<uint64_t>(count))) {
    int k = std::countr_zero(static_cast<uint64_t>(count));
    return k == 0 ? sum : (sum + (int64_t{1} << (k - 1))) >> k;
  }
  return (sum + (sum < 0 ? -(count / 2) : count / 2)) / count;
}

void evaluateReduce(ReduceOp op, const EvalArgs& args) {
  const TensorData& x = args.in(0);
  TensorData& y = args.out(0);
  ReduceDesc d = describeReduction(op, args.attrs(), args.has(1) ? &args.in(1) : nullptr,
                                   static_cast<int64_t>(x.shape().size()));
  std::vector<int64_t> strides = outputStrides(x.shape(), d);
  int64_t count = reducedCount(x.shape(), d);
  auto outputIndex = [&](int64_t i) {
    int64_t index = 0;
    for (size_t a = x.shape().size(); a-- > 0;) {
      index += (i % x.shape()[a]) * strides[a];
      i /= x.shape()[a];
    }
    return index;
  };
  if (isInteger(x.dtype())) {
    int64_t init = op.kind == Reduction::Max ? integerMin(x.dtype()) : op.kind == Reduction::Min ? integerMax(x.dtype()) : 0;
    std::vector<int64_t> acc(static_cast<size_t>(y.size()), init);
    for (int64_t i = 0; i < x.size(); ++i) {
      int64_t& a = acc[static_cast<size_t>(outputIndex(i))];
      a = combine(op.kind, a, x.getInt(i));
    }
    for (int64_t i = 0; i < y.size(); ++i) {
      int64_t a = acc[static_cast<size_t>(i)];
      y.setInt(i, op.kind == Reduction::Mean ? deeployIntegerMean(a, count) : a);
    }
    return;
  }
  const double infinity = std::numeric_limits<double>::infinity();
  double init = op.kind == Reduction::Max ? -infinity : op.kind == Reduction::Min ? infinity : 0.0;
  std::vector<double> acc(static_cast<size_t>(y.size()), init);
  for (int64_t i = 0; i < x.size(); ++i) {
    double& a = acc[static_cast<size_t>(outputIndex(i))];
    a = combine(op.kind, a, x.getDouble(i));
  }
  for (int64_t i = 0; i < y.size(); ++i) {
    double a = acc[static_cast<size_t>(i)];
    y.setDouble(i, op.kind == Reduction::Mean ? a / static_cast<double>(count) : a);
  }
}

// How the C kernel runs one reduction: the input shape without size-1 dimensions and with adjacent
// dimensions of the same kind merged, the accumulator strides, and the accumulator type.
struct ReducePlan {
  Shape shape;
  std::vector<int64_t> accStrides;
  int64_t count = 0;
  DType acc = DType::Undefined;
  bool needsScratch = false;  // the accumulator type differs from the output type
};

DType accumulatorType(Reduction kind, DType x, int64_t count) {
  if (keepsExtremum(kind) || isFloat(x)) return x;
  if (dtypeBits(x) <= 16) {
    int64_t largest = std::max(-integerMin(x), integerMax(x));
    if (count <= std::numeric_limits<int32_t>::max() / largest) return DType::Int32;
  }
  return DType::Int64;
}

ReducePlan planReduction(ReduceOp op, const Tensor& x, const Tensor& y, const ReduceDesc& d) {
  ReducePlan p;
  p.count = reducedCount(x.shape, d);
  p.acc = accumulatorType(op.kind, x.dtype, p.count);
  p.needsScratch = p.acc != y.dtype;
  if (x.elementCount() == 0) {
    p.shape = {0};
    p.accStrides = {0};
    return p;
  }
  std::vector<int64_t> strides = outputStrides(x.shape, d);
  for (size_t a = 0; a < x.shape.size(); ++a) {
    if (x.shape[a] == 1) continue;
    bool sameKindAsPrevious = !p.shape.empty() && (p.accStrides.back() == 0) == d.reduced[a];
    if (sameKindAsPrevious) {
      p.shape.back() *= x.shape[a];
      p.accStrides.back() = strides[a];
    } else {
      p.shape.push_back(x.shape[a]);
      p.accStrides.push_back(strides[a]);
    }
  }
  if (p.shape.empty()) p.shape = {1}, p.accStrides = {0};
  return p;
}

// The reduction of a type-inferred node.
ReduceDesc describeNode(ReduceOp op, const Graph& graph, const Node& node) {
  const Tensor& x = graph.tensor(node.inputs.at(0));
  const TensorData* axes = node.inputs.size() > 1 && node.inputs[1] != kNoTensor ? &*graph.tensor(node.inputs[1]).constant : nullptr;
  return describeReduction(op, node.attrs, axes, static_cast<int64_t>(x.shape.size()));
}

ReducePlan planFor(ReduceOp op, const Graph& graph, const Node& node) {
  return planReduction(op, graph.tensor(node.inputs.at(0)), graph.tensor(node.outputs.at(0)), describeNode(op, graph, node));
}

std::string initialValue(Reduction kind, DType acc) {
  if (!keepsExtremum(kind)) return "0";
  const bool max = kind == Reduction::Max;
  if (isFloat(acc)) return max ? "-INFINITY" : "INFINITY";
  if (acc == DType::Int64) return max ? "INT64_MIN" : "INT64_MAX";
  if (acc == DType::UInt64) return max ? "0" : "UINT64_MAX";
  return "(" + std::string(cTypeName(acc)) + ")(" + std::to_string(max ? integerMin(acc) : integerMax(acc)) + ")";
}

void emitReduce(ReduceOp op, KernelEmitter& e) {
  const Tensor &x = e.input(0), &y = e.output(0);
  if (y.elementCount() == 0) return;
  if (isFloat(x.dtype) && x.dtype != DType::Float32) {
    throw Error(e.node().describe() + ": " + std::string(dtypeName(x.dtype)) + " reductions have no C kernel; use float32");
  }
  ReducePlan p = planFor(op, e.graph(), e.node());
  if (p.shape.size() > kMaxKernelDims) throw Error(e.node().describe() + ": the reduction alternates kept and reduced axes more than 8 times");
  e.include("kernels/reduce.h");
  std::string tx(cTypeName(x.dtype)), tacc(cTypeName(p.acc)), ty(cTypeName(y.dtype));
  const bool max = op.kind == Reduction::Max, min = op.kind == Reduction::Min;
  std::string reduce = std::string("dp_reduce_") + (max ? "max" : min ? "min" : "sum") + "_" + typeSuffix({x.dtype, p.acc});
  const char* step = max ? "DP_COMBINE_MAX" : min ? "DP_COMBINE_MIN" : "DP_COMBINE_SUM";
  e.definition(reduce, "DP_DEFINE_REDUCE(" + reduce + ", " + tx + ", " + tacc + ", " + step + ")");
  std::string acc = p.needsScratch ? "((" + tacc + " *)" + e.scratchPtr() + ")" : e.outputPtr(0);
  std::string outputs = std::to_string(y.elementCount()), count = std::to_string(p.count);
  e.statement(cCall(reduce, {e.inputPtr(0), acc, initialValue(op.kind, p.acc), outputs, std::to_string(p.shape.size()),
                             int32Array(e, p.shape, "shape"), int32Array(e, p.accStrides, "acc_strides")}));
  std::string suffixes = typeSuffix({p.acc, y.dtype});
  if (op.kind == Reduction::Mean && isFloat(y.dtype)) {
    e.statement(cCall("dp_divide_f32", {e.outputPtr(0), outputs, count}));
  } else if (op.kind == Reduction::Mean) {
    std::string mean = "dp_integer_mean_" + suffixes;
    e.definition(mean, "DP_DEFINE_INTEGER_MEAN(" + mean + ", " + tacc + ", " + ty + ")");
    e.statement(cCall(mean, {acc, e.outputPtr(0), outputs, count}));
  } else if (p.needsScratch) {
    std::string narrow = "dp_narrow_" + suffixes;
    e.definition(narrow, "DP_DEFINE_NARROW(" + narrow + ", " + tacc + ", " + ty + ")");
    e.statement(cCall(narrow, {acc, e.outputPtr(0), outputs}));
  }
}

// Tiling: the iteration space is the output; a tile reads its kept axes' range and every reduced axis
// whole (reduced axes kept as 1 are not split).
TilingGeometry reduceGeometry(ReduceOp op, const Graph& graph, const Node& node) {
  TilingGeometry g = wholeNodeGeometry(graph, node);
  const Shape& x = graph.tensor(node.inputs.at(0)).shape;
  const ReduceDesc d = describeNode(op, graph, node);
  int out = 0;
  for (size_t a = 0; a < x.size(); ++a) {
    if (d.reduced[a]) {
      out += d.keepdims ? 1 : 0;
      continue;
    }
    g.inputs[0][a] = AxisMap::follow(out);
    g.outputs[0][static_cast<size_t>(out)] = AxisMap::follow(out);
    g.splittable[static_cast<size_t>(out)] = true;
    ++out;
  }
  return g;
}

OpSchema reduceSchema(const std::string& name, ReduceOp op) {
  OpSchema s;
  s.name = name;
  s.infer = [op](InferContext& ctx) { inferReduce(op, ctx); };
  s.evaluate = [op](const EvalArgs& args) { evaluateReduce(op, args); };
  s.emit = [op](KernelEmitter& e) { emitReduce(op, e); };
  s.scratchBytes = [op](const Graph& graph, const Node& node) -> size_t {
    const Tensor& y = graph.tensor(node.outputs.at(0));
    ReducePlan p = planFor(op, graph, node);
    return p.needsScratch ? static_cast<size_t>(y.elementCount()) * dtypeSize(p.acc) : 0;
  };
  s.tiling = [op](const Graph& graph, const Node& node) { return reduceGeometry(op, graph, node); };
  return s;
}

const OpRegistrar registrar{reduceSchema("ReduceSum", {Reduction::Sum, false}),
                            reduceSchema("ReduceMean", {Reduction::Mean, false}),
                            reduceSchema("IntegerMean", {Reduction::Mean, false}),
                            reduceSchema("ReduceMax", {Reduction::Max, false}),
                            reduceSchema("ReduceMin", {Reduction::Min, false}),
                            reduceSchema("GlobalAveragePool", {Reduction::Mean, true}),
                            reduceSchema("GlobalMaxPool", {Reduction::Max, true})};

}  // namespace

}  // namespace deeploy
