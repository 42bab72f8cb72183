// MaxPool and AveragePool over the spatial dimensions of N x C x spatial tensors (ONNX semantics).
// Attributes: kernel_shape, strides, pads (begin values then end values), dilations, ceil_mode,
// auto_pad (NOTSET, VALID, SAME_UPPER, SAME_LOWER); AveragePool also count_include_pad.
// Padding never wins a max and adds nothing to a sum; the average divides by the taps inside the
// input, or with count_include_pad by the taps inside the padded input. With ceil_mode a last window
// that would start in the end padding is dropped.
// MaxPool keeps the input type (float or integer); AveragePool takes floats.
#include <algorithm>
#include <limits>

#include "ops/op_helpers.h"

namespace deeploy {

namespace {

enum class Pool { Max, Average };

// Sizes per spatial dimension.
struct PoolGeometry {
  Shape input, output;
  std::vector<int64_t> kernel, strides, dilations, padBegin, padEnd;
  size_t rank() const { return input.size(); }
};

std::vector<int64_t> perDimension(const Attributes& attrs, const std::string& name, size_t count, int64_t fallback,
                                  int64_t minimum) {
  std::vector<int64_t> v = attrs.getInts(name, std::vector<int64_t>(count, fallback));
  if (v.size() != count) {
    throw std::invalid_argument(name + " has " + std::to_string(v.size()) + " values, expected " + std::to_string(count));
  }
  for (int64_t value : v) {
    if (value < minimum) throw std::invalid_argument(name + " value " + std::to_string(value) + " is below " + std::to_string(minimum));
  }
  return v;
}

int64_t ceilDiv(int64_t a, int64_t b) { return a >= 0 ? (a + b - 1) / b : -((-a) / b); }
int64_t floorDiv(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

// Throws std::invalid_argument when the attributes do not fit the input.
PoolGeometry poolGeometry(const Attributes& attrs, const Shape& x) {
  if (x.size() < 3) throw std::invalid_argument("expects an N x C x spatial input, got " + shapeToString(x));
  PoolGeometry g;
  g.input.assign(x.begin() + 2, x.end());
  size_t n = g.rank();
  if (!attrs.has("kernel_shape")) throw std::invalid_argument("the kernel_shape attribute is required");
  g.kernel = perDimension(attrs, "kernel_shape", n, 1, 1);
  g.strides = perDimension(attrs, "strides", n, 1, 1);
  g.dilations = perDimension(attrs, "dilations", n, 1, 1);
  std::vector<int64_t> pads = perDimension(attrs, "pads", 2 * n, 0, 0);
  g.padBegin.assign(pads.begin(), pads.begin() + static_cast<std::ptrdiff_t>(n));
  g.padEnd.assign(pads.begin() + static_cast<std::ptrdiff_t>(n), pads.end());
  std::string autoPad = attrs.getString("auto_pad", "NOTSET");
  bool ceilMode = attrs.getInt("ceil_mode", 0) != 0;
  g.output.resize(n);
  for (size_t d = 0; d < n; ++d) {
    int64_t extent = (g.kernel[d] - 1) * g.dilations[d] + 1;  // input span of one window
    if (autoPad == "NOTSET") {
      int64_t room = g.input[d] + g.padBegin[d] + g.padEnd[d] - extent;
      int64_t out = (ceilMode ? ceilDiv(room, g.strides[d]) : floorDiv(room, g.strides[d])) + 1;
      if (ceilMode && out > 0 && (out - 1) * g.strides[d] >= g.input[d] + g.padBegin[d]) --out;
      g.output[d] = out;
    } else if (autoPad == "VALID") {
      g.padBegin[d] = g.padEnd[d] = 0;
      g.output[d] = floorDiv(g.input[d] - extent, g.strides[d]) + 1;
    } else if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
      g.output[d] = ceilDiv(g.input[d], g.strides[d]);
      int64_t total = std::max<int64_t>((g.output[d] - 1) * g.strides[d] + extent - g.input[d], 0);
      g.padBegin[d] = autoPad == "SAME_UPPER" ? total / 2 : total - total / 2;
      g.padEnd[d] = total - g.padBegin[d];
    } else {
      throw std::invalid_argument("unknown auto_pad '" + autoPad + "'");
    }
    if (g.output[d] < 1) {
      throw std::invalid_argument("the pooling window (" + std::to_string(extent) + " wide with dilation) does not fit spatial dimension " +
                                  std::to_string(d) + " of " + shapeToString(x) + " with its padding");
    }
  }
  return g;
}

void inferPool(Pool pool, InferContext& ctx) {
  ctx.requireInputs(1, 1);
  if (ctx.outputCount() > 1 && ctx.node().outputs[1] != kNoTensor) ctx.fail("the Indices output is not supported");
  DType x = ctx.inputType(0);
  if (pool == Pool::Average) {
    ctx.require(isFloat(x), "AveragePool takes float inputs, got " + std::string(dtypeName(x)));
  } else {
    ctx.require(x != DType::Bool, "MaxPool does not take bool inputs");
  }
  PoolGeometry g;
  try {
    g = poolGeometry(ctx.attrs(), ctx.inputShape(0));
  } catch (const std::invalid_argument& e) {
    ctx.fail(e.what());
  }
  Shape out = {ctx.inputShape(0)[0], ctx.inputShape(0)[1]};
  out.insert(out.end(), g.output.begin(), g.output.end());
  ctx.setOutput(0, x, out);
}

// Reference: for every output element, visit every kernel tap.
void evaluatePool(Pool pool, const EvalArgs& args) {
  const TensorData& x = args.in(0);
  TensorData& y = args.out(0);
  PoolGeometry g = poolGeometry(args.attrs(), x.shape());
  bool countPadding = args.attrs().getInt("count_include_pad", 0) != 0;
  size_t n = g.rank();
  int64_t outPlane = elementCount(g.output), inPlane = elementCount(g.input), taps = elementCount(g.kernel);
  std::vector<int64_t> inStrides = rowMajorStrides(g.input);
  bool integer = isInteger(x.dtype());
  for (int64_t i = 0; i < y.size(); ++i) {
    int64_t plane = i / outPlane, rest = i % outPlane;
    std::vector<int64_t> start(n);
    for (size_t d = n; d-- > 0;) {
      start[d] = (rest % g.output[d]) * g.strides[d] - g.padBegin[d];
      rest /= g.output[d];
    }
    double best = -std::numeric_limits<double>::infinity(), sum = 0;
    int64_t bestInt = integer ? integerMin(x.dtype()) : 0, inside = 0, insidePadded = 0;
    for (int64_t t = 0; t < taps; ++t) {
      bool valid = true, validPadded = true;
      int64_t offset = plane * inPlane, tap = t;
      for (size_t d = n; d-- > 0;) {
        int64_t pos = start[d] + (tap % g.kernel[d]) * g.dilations[d];
        tap /= g.kernel[d];
        valid = valid && pos >= 0 && pos < g.input[d];
        validPadded = validPadded && pos >= -g.padBegin[d] && pos < g.input[d] + g.padEnd[d];
        offset += pos * inStrides[d];
      }
      insidePadded += validPadded ? 1 : 0;
      if (!valid) continue;
      ++inside;
      if (integer) {
        bestInt = std::max(bestInt, x.getInt(offset));
      } else {
        best = std::max(best, x.getDouble(offset));
        sum += x.getDouble(offset);
      }
    }
    if (pool == Pool::Max && integer) {
      y.setInt(i, bestInt);
    } else if (pool == Pool::Max) {
      y.setDouble(i, best);
    } else {
      y.setDouble(i, sum / static_cast<double>(countPadding ? insidePadded : inside));
    }
  }
}

std::string lowestValue(DType t) {
  if (isFloat(t)) return "-INFINITY";
  if (t == DType::Int64) return "INT64_MIN";
  return "(" + std::string(cTypeName(t)) + ")(" + std::to_string(integerMin(t)) + ")";
}

void emitPool(Pool pool, KernelEmitter& e) {
  const Tensor &x = e.input(0), &y = e.output(0);
  if (y.elementCount() == 0) return;
  if (isFloat(x.dtype) && x.dtype != DType::Float32) {
    throw Error(e.node().describe() + ": " + std::string(dtypeName(x.dtype)) + " pooling has no C kernel; use float32");
  }
  PoolGeometry g = poolGeometry(e.attrs(), x.shape);
  if (g.rank() > 3) throw Error(e.node().describe() + ": the C pooling kernels handle 1 to 3 spatial dimensions");
  // Pad to three spatial dimensions with leading size-1 dimensions.
  size_t lead = 3 - g.rank();
  std::vector<int64_t> geometry;
  auto group = [&](const std::vector<int64_t>& values, int64_t neutral) {
    for (size_t i = 0; i < lead; ++i) geometry.push_back(neutral);
    geometry.insert(geometry.end(), values.begin(), values.end());
  };
  group(g.input, 1), group(g.output, 1), group(g.kernel, 1), group(g.strides, 1), group(g.dilations, 1);
  group(g.padBegin, 0), group(g.padEnd, 0);
  e.include("kernels/pooling.h");
  std::string planes = std::to_string(x.shape[0] * x.shape[1]);
  std::string geometryArray = int32Array(e, geometry, "pool_geometry");
  if (pool == Pool::Average) {
    std::string countPadding = e.attrs().getInt("count_include_pad", 0) != 0 ? "1" : "0";
    e.statement(cCall("dp_avgpool_f32", {e.inputPtr(0), e.outputPtr(0), planes, geometryArray, countPadding}));
    return;
  }
  std::string name = "dp_maxpool_" + std::string(kernelSuffix(x.dtype));
  e.definition(name, "DP_DEFINE_MAXPOOL(" + name + ", " + std::string(cTypeName(x.dtype)) + ", " + lowestValue(x.dtype) + ")");
  e.statement(cCall(name, {e.inputPtr(0), e.outputPtr(0), planes, geometryArray}));
}

// Batches, channels and output positions split; tiles pad like the whole node at the borders and read
// real data inside, which leaves maxima and the count of taps inside the input unchanged. With
// count_include_pad a window overhanging the end padding (ceil_mode) counts fewer taps than a tile
// padded up to its window would, so such an axis stays whole.
TilingGeometry poolTiling(Pool pool, const Graph& graph, const Node& node) {
  PoolGeometry p = poolGeometry(node.attrs, graph.tensor(node.inputs.at(0)).shape);
  bool countPadding = pool == Pool::Average && node.attrs.getInt("count_include_pad", 0) != 0;
  TilingGeometry g = outputTiling(graph, node);
  g.inputs[0][0] = AxisMap::follow(0);
  g.inputs[0][1] = AxisMap::follow(1);
  std::vector<SlidingWindow> windows;
  for (size_t d = 0; d < p.rank(); ++d) {
    int64_t extent = (p.kernel[d] - 1) * p.dilations[d] + 1;
    bool overhangs = p.strides[d] * (p.output[d] - 1) - p.padBegin[d] + extent > p.input[d] + p.padEnd[d];
    windows.push_back({p.input[d], p.output[d], p.strides[d], p.padBegin[d], p.padEnd[d], extent, !(countPadding && overhangs)});
  }
  declareSlidingWindows(g, windows, 2);
  return g;
}

OpSchema poolSchema(const std::string& name, Pool pool) {
  OpSchema s;
  s.name = name;
  s.infer = [pool](InferContext& ctx) { inferPool(pool, ctx); };
  s.evaluate = [pool](const EvalArgs& args) { evaluatePool(pool, args); };
  s.emit = [pool](KernelEmitter& e) { emitPool(pool, e); };
  s.tiling = [pool](const Graph& graph, const Node& node) { return poolTiling(pool, graph, node); };
  return s;
}

const OpRegistrar registrar{poolSchema("MaxPool", Pool::Max), poolSchema("AveragePool", Pool::Average)};

}  // namespace

}  // namespace deeploy
