// Integer normalizations of Deeploy's integer dialect on 8-bit inputs, int8 outputs. Divisions
// truncate toward zero, >> rounds toward minus infinity, sqrt is the exact integer floor(sqrt(.)):
//   iRMSNorm(x, weight; D, n_levels) over the last axis of length L:
//     std = sqrt(floor(sum x^2 / L) + 1); y = clamp((x * w / std) >> log2(D), -n/2, n/2 - 1).
//     A node computing part of the work (a tile, a core's chunk) may carry the internal attribute
//     output_columns = [first, end]: it reads whole rows of x but produces only columns [first, end)
//     of y, with the weight given for those columns.
//   iLayerNorm(x, weight, bias; D, n_levels) over the last axis:
//     mean = sum x / L; t = x - mean; std = sqrt(floor(sum t^2 / L) + 1);
//     y = int8 wrap of (t * w / std + b) >> log2(D)   (no clamp).
//   iNoNorm(x, weight, bias; D, mul), weight and bias broadcasting against x:
//     y = int8 wrap of ((x * w + b) * mul) >> log2(D).
// Deeploy's kernels cast t to int16; with 8-bit inputs |t| <= 255, so the cast never changes it.
#include <algorithm>

#include "ops/integer_common.h"
#include "ops/op_helpers.h"

namespace deeploy {

namespace {

constexpr int64_t kInt32Max = 0x7FFFFFFF;
constexpr int64_t kUInt32Max = 0xFFFFFFFF;

int readShift(const Attributes& attrs) {
  int shift = log2OfPowerOfTwo("D", attrs.getInt("D"));
  if (shift > 31) throw Error("attribute 'D' must be at most 2^31");
  return shift;
}

// Input i must be an integer vector along the last axis: `length` elements (by default the last axis of
// input 0), any leading dimensions of 1.
void requireLastAxisVector(const InferContext& ctx, size_t i, const std::string& what, int64_t length = -1) {
  ctx.require(isInteger(ctx.inputType(i)) && dtypeBits(ctx.inputType(i)) <= 32,
              what + " must be an integer tensor of at most 32 bits");
  const Shape& s = ctx.inputShape(i);
  if (length < 0) length = ctx.inputShape(0).back();
  bool vector = !s.empty() && s.back() == length && elementCount(s) == length;
  ctx.require(vector, what + " must hold one value per element of the last axis (" + std::to_string(length) +
                          "), got shape " + shapeToString(s));
  if (const TensorData* c = ctx.constantInput(i)) ctx.require(c->allIntegral(), what + " must hold integer values");
}

std::string typeList(std::initializer_list<DType> types) {
  std::string s;
  for (DType t : types) s += ", " + std::string(cTypeName(t));
  return s;
}

std::string kernelName(const std::string& base, std::initializer_list<DType> types, const std::string& tail) {
  return base + "_" + typeSuffix(types) + "_" + tail;
}

// ---- iRMSNorm ----

struct RmsAttributes {
  int shift;
  int64_t lo, hi;
};

constexpr const char* kOutputColumns = "output_columns";

// The columns [lo, hi) of each row the node produces: all `length` unless output_columns says less.
Range outputColumns(const Attributes& attrs, int64_t length) {
  if (!attrs.has(kOutputColumns)) return {0, length};
  const std::vector<int64_t> c = attrs.getInts(kOutputColumns);
  if (c.size() != 2 || c[0] < 0 || c[0] >= c[1] || c[1] > length) {
    throw Error("attribute 'output_columns' must be [first, end] with 0 <= first < end <= " + std::to_string(length));
  }
  return {c[0], c[1]};
}

RmsAttributes readRms(const Attributes& attrs) {
  if (attrs.getInt("stash_type", 1) != 1) throw Error("attribute 'stash_type' must be 1");
  int64_t levels = attrs.getInt("n_levels");
  if (levels < 2 || levels > 256)
    throw Error("attribute 'n_levels' must be in [2, 256], got " + std::to_string(levels));
  return {readShift(attrs), -(levels / 2), levels / 2 - 1};
}

void inferIRMSNorm(InferContext& ctx) {
  ctx.requireInputs(2, 2);
  readAttributes(ctx, [&] { return readRms(ctx.attrs()); });
  requireByteRows(ctx, "normalized axis");
  const Range columns = readAttributes(ctx, [&] { return outputColumns(ctx.attrs(), ctx.inputShape(0).back()); });
  requireLastAxisVector(ctx, 1, "weight", columns.size());
  Shape out = ctx.inputShape(0);
  out.back() = columns.size();
  ctx.setOutput(0, DType::Int8, out);
}

void evaluateIRMSNorm(const EvalArgs& args) {
  RmsAttributes a = readRms(args.attrs());
  const TensorData &x = args.in(0), &w = args.in(1);
  TensorData& y = args.out(0);
  RowView v = rowsOf(x.shape());
  const Range columns = outputColumns(args.attrs(), v.length);
  for (int64_t r = 0; r < v.rows; ++r) {
    int64_t base = r * v.length, squares = 0;
    for (int64_t j = 0; j < v.length; ++j) squares += x.getInt(base + j) * x.getInt(base + j);
    int64_t root = floorSqrt(squares / v.length + 1);
    for (int64_t j = columns.lo; j < columns.hi; ++j) {
      int64_t scaled = (x.getInt(base + j) * w.getInt(j - columns.lo) / root) >> a.shift;
      y.setInt(r * columns.size() + j - columns.lo, std::clamp(scaled, a.lo, a.hi));
    }
  }
}

void emitIRMSNorm(KernelEmitter& e) {
  const Tensor &x = e.input(0), &w = e.input(1);
  if (x.elementCount() == 0) return;
  RmsAttributes a = readRms(e.attrs());
  RowView v = rowsOf(x.shape);
  int64_t magnitude = integerMagnitude(x.dtype);
  bool wideSum = magnitude * magnitude * v.length > kUInt32Max;
  Accumulator acc = accumulator(!productFitsInt32(magnitude, tensorMagnitude(w), 0));
  std::string name = kernelName("dp_irmsnorm", {x.dtype, w.dtype}, std::string(wideSum ? "s64_" : "s32_") + acc.suffix);
  e.include("kernels/integer_norm.h");
  e.definition(name, "DP_DEFINE_IRMSNORM(" + name + typeList({x.dtype, w.dtype}) + ", " +
                         (wideSum ? "uint64_t" : "uint32_t") + ", " + acc.type + ", " + acc.shift + ")");
  const Range columns = outputColumns(e.attrs(), v.length);
  e.statement(cCall(name, {e.inputPtr(0), e.inputPtr(1), e.outputPtr(0), std::to_string(v.rows), std::to_string(v.length),
                           std::to_string(columns.lo), std::to_string(columns.size()), std::to_string(a.shift),
                           cInteger(a.lo), cInteger(a.hi)}));
}

// ---- iLayerNorm ----

void inferILayerNorm(InferContext& ctx) {
  ctx.requireInputs(3, 3);
  readAttributes(ctx, [&] { return readShift(ctx.attrs()); });
  requireByteRows(ctx, "normalized axis");
  requireLastAxisVector(ctx, 1, "weight");
  requireLastAxisVector(ctx, 2, "bias");
  ctx.setOutput(0, DType::Int8, ctx.inputShape(0));
}

void evaluateILayerNorm(const EvalArgs& args) {
  int shift = readShift(args.attrs());
  const TensorData &x = args.in(0), &w = args.in(1), &b = args.in(2);
  TensorData& y = args.out(0);
  RowView v = rowsOf(x.shape());
  for (int64_t r = 0; r < v.rows; ++r) {
    int64_t base = r * v.length, total = 0, squares = 0;
    for (int64_t j = 0; j < v.length; ++j) total += x.getInt(base + j);
    int64_t mean = total / v.length;
    for (int64_t j = 0; j < v.length; ++j) squares += (x.getInt(base + j) - mean) * (x.getInt(base + j) - mean);
    int64_t root = floorSqrt(squares / v.length + 1);
    for (int64_t j = 0; j < v.length; ++j) {
      int64_t t = x.getInt(base + j) - mean;
      y.setInt(base + j, (t * w.getInt(j) / root + b.getInt(j)) >> shift);  // setInt wraps to int8
    }
  }
}

void emitILayerNorm(KernelEmitter& e) {
  const Tensor &x = e.input(0), &w = e.input(1), &b = e.input(2);
  if (x.elementCount() == 0) return;
  RowView v = rowsOf(x.shape);
  int64_t spread = integerMax(x.dtype) - integerMin(x.dtype);  // bounds |x - mean|
  bool wideSum = spread * spread * v.length > kInt32Max;
  Accumulator acc = accumulator(!productFitsInt32(spread, tensorMagnitude(w), tensorMagnitude(b)));
  std::string name =
      kernelName("dp_ilayernorm", {x.dtype, w.dtype, b.dtype}, std::string(wideSum ? "s64_" : "s32_") + acc.suffix);
  e.include("kernels/integer_norm.h");
  e.definition(name, "DP_DEFINE_ILAYERNORM(" + name + typeList({x.dtype, w.dtype, b.dtype}) + ", " +
                         (wideSum ? "int64_t" : "int32_t") + ", " + acc.type + ", " + acc.shift + ")");
  e.statement(cCall(name, {e.inputPtr(0), e.inputPtr(1), e.inputPtr(2), e.outputPtr(0), std::to_string(v.rows),
                           std::to_string(v.length), std::to_string(readShift(e.attrs()))}));
}

// ---- iNoNorm ----

struct NoNormAttributes {
  int shift;
  int64_t mul;
};

NoNormAttributes readNoNorm(const Attributes& attrs) {
  NoNormAttributes a{readShift(attrs), attrs.getInt("mul")};
  if (a.mul < -kInt32Max || a.mul > kInt32Max) throw Error("attribute 'mul' must fit in int32");
  return a;
}

void inferINoNorm(InferContext& ctx) {
  ctx.requireInputs(3, 3);
  readAttributes(ctx, [&] { return readNoNorm(ctx.attrs()); });
  requireByteInput(ctx, 0);
  const Shape& x = ctx.inputShape(0);
  for (auto [input, what] : {std::pair<size_t, const char*>{1, "weight"}, {2, "bias"}}) {
    for (int64_t v : requireIntegerConstant(ctx, input, what)) {
      ctx.require(std::abs(v) <= kInt32Max, std::string(what) + " values must fit in int32");
    }
    ctx.require(broadcastShapes(ctx, x, ctx.inputShape(input)) == x,
                std::string(what) + " of shape " + shapeToString(ctx.inputShape(input)) +
                    " must broadcast to the input shape " + shapeToString(x));
  }
  ctx.setOutput(0, DType::Int8, x);
}

void evaluateINoNorm(const EvalArgs& args) {
  NoNormAttributes a = readNoNorm(args.attrs());
  const TensorData &x = args.in(0), &w = args.in(1), &b = args.in(2);
  TensorData& y = args.out(0);
  auto ws = broadcastStrides(w.shape(), x.shape()), bs = broadcastStrides(b.shape(), x.shape());
  for (int64_t i = 0; i < x.size(); ++i) {
    int64_t affine =
        x.getInt(i) * w.getInt(broadcastOffset(i, x.shape(), ws)) + b.getInt(broadcastOffset(i, x.shape(), bs));
    y.setInt(i, (affine * a.mul) >> a.shift);  // setInt wraps to int8
  }
}

// First axis along which a parameter of shape `param` (broadcasting into `x`) varies; x.size() if none.
size_t firstVaryingAxis(const Shape& param, const Shape& x) {
  size_t offset = x.size() - param.size();
  for (size_t d = 0; d < param.size(); ++d) {
    if (param[d] != 1) return offset + d;
  }
  return x.size();
}

// The parameter's values over one period of `period` elements of x (the trailing axes it varies on).
TensorData expandToPeriod(const TensorData& param, const Shape& x, int64_t period) {
  auto strides = broadcastStrides(param.shape(), x);
  TensorData expanded(param.dtype(), {period});
  for (int64_t i = 0; i < period; ++i) expanded.setInt(i, param.getInt(broadcastOffset(i, x, strides)));
  return expanded;
}

void emitINoNorm(KernelEmitter& e) {
  const Tensor &x = e.input(0), &w = e.input(1), &b = e.input(2);
  if (x.elementCount() == 0) return;
  NoNormAttributes a = readNoNorm(e.attrs());
  // The weights repeat every `period` elements; at least the last axis keeps the inner loop long.
  size_t axis = std::min(firstVaryingAxis(w.shape, x.shape), firstVaryingAxis(b.shape, x.shape));
  if (!x.shape.empty()) axis = std::min(axis, x.shape.size() - 1);
  int64_t period = 1;
  for (size_t d = axis; d < x.shape.size(); ++d) period *= x.shape[d];
  std::string weights = e.constant(expandToPeriod(*w.constant, x.shape, period), "inonorm_weight");
  std::string biases = e.constant(expandToPeriod(*b.constant, x.shape, period), "inonorm_bias");

  __int128 affine = static_cast<__int128>(integerMagnitude(x.dtype)) * tensorMagnitude(w) + tensorMagnitude(b);
  bool wide = affine * std::abs(a.mul) > kInt32Max;
  Accumulator acc = accumulator(wide);
  std::string name = kernelName("dp_inonorm", {x.dtype, w.dtype, b.dtype}, acc.suffix);
  e.include("kernels/integer_norm.h");
  e.definition(name, "DP_DEFINE_INONORM(" + name + typeList({x.dtype, w.dtype, b.dtype}) + ", " + acc.type + ", " +
                         acc.shift + ")");
  e.statement(cCall(name, {e.inputPtr(0), weights, biases, e.outputPtr(0), std::to_string(x.elementCount() / period),
                           std::to_string(period), cInteger(a.mul), std::to_string(a.shift)}));
}

// ---- Tiling ----

// iRMSNorm: rows are independent; the columns of a row split too, each part reading the whole row (for
// its sum of squares) and the weight of its columns, so a single long row still shares among cores.
TilingGeometry rmsNormGeometry(const Graph& graph, const Node& node) {
  TilingGeometry g = wholeNodeGeometry(graph, node);
  const int last = static_cast<int>(g.iteration.size()) - 1;
  g.splittable.assign(g.iteration.size(), true);
  for (int a = 0; a <= last; ++a) {
    g.inputs.at(0).at(static_cast<size_t>(a)) = a == last ? AxisMap::whole() : AxisMap::follow(a);
    g.outputs.at(0).at(static_cast<size_t>(a)) = AxisMap::follow(a);
  }
  g.inputs.at(1).back() = AxisMap::follow(last);
  const int64_t length = g.iteration.back();
  g.adjustAttributes = [length](Attributes& attrs, const Box& tile, const std::vector<std::vector<AxisClip>>&) {
    const Range columns = tile.back();
    if (columns.size() != length) attrs.set(kOutputColumns, std::vector<int64_t>{columns.lo, columns.hi});
  };
  return g;
}

// iLayerNorm (rowsGeometry): rows are independent, each normalized whole; weight and bias are read
// whole. iNoNorm is element-wise: weight and bias follow the axes they vary on.
TilingGeometry noNormGeometry(const Graph& graph, const Node& node) { return elementwiseGeometry(graph, node); }

const OpRegistrar registrar{
    {"iRMSNorm", inferIRMSNorm, evaluateIRMSNorm, emitIRMSNorm, nullptr, false, rmsNormGeometry},
    {"iLayerNorm", inferILayerNorm, evaluateILayerNorm, emitILayerNorm, nullptr, false, rowsGeometry},
    {"iNoNorm", inferINoNorm, evaluateINoNorm, emitINoNorm, nullptr, false, noNormGeometry},
};

}  // namespace

}  // namespace deeploy
