#include "ops/linalg.h"

#include "ops/fused_activation.h"
#include "ops/integer_common.h"
#include "ops/kernel_calls.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <limits>
#include <set>

namespace deeploy {

namespace {

bool fitsInt32(int64_t v) {
  return v >= std::numeric_limits<int32_t>::min() && v <= std::numeric_limits<int32_t>::max();
}

// data viewed as [slices][rows][cols] -> [slices][cols][rows].
TensorData transposeSlices(const TensorData& data, int64_t rows, int64_t cols) {
  TensorData out(data.dtype(), data.shape());
  if (rows * cols == 0) return out;
  int64_t slices = data.size() / (rows * cols);
  size_t bytes = dtypeSize(data.dtype());
  for (int64_t s = 0; s < slices; ++s) {
    for (int64_t r = 0; r < rows; ++r) {
      for (int64_t c = 0; c < cols; ++c) {
        int64_t from = (s * rows + r) * cols + c, to = (s * cols + c) * rows + r;
        std::copy_n(data.data() + from * bytes, bytes, out.data() + to * bytes);
      }
    }
  }
  return out;
}

// The value of a parameter broadcast against `outShape`, at output element `index`.
int64_t broadcastValue(const TensorData& param, const Shape& outShape, int64_t index) {
  return param.getInt(broadcastOffset(index, outShape, broadcastStrides(param.shape(), outShape)));
}

const TensorData& constantParam(const KernelEmitter& e, size_t index) {
  const Tensor& t = e.input(index);
  if (!t.isConstant()) {
    throw Error(e.node().describe() + ": requantization input '" + t.name + "' must be a constant for the host kernel");
  }
  return *t.constant;
}

std::vector<std::string> requantScalars(const RequantAttributes& rq) {
  return {std::to_string(rq.shift), cInteger(rq.lo), cInteger(rq.hi)};
}

// Requantization parameters sampled at the given output elements, rounding folded into add.
std::pair<std::vector<int64_t>, std::vector<int64_t>> sampleRequant(const KernelEmitter& e, size_t mulIndex,
                                                                      const Shape& outShape, const RequantAttributes& rq,
                                                                      const std::vector<int64_t>& indices) {
  const TensorData &mul = constantParam(e, mulIndex), &add = constantParam(e, mulIndex + 1);
  std::vector<int64_t> muls, adds;
  for (int64_t index : indices) {
    int64_t m = broadcastValue(mul, outShape, index), a = broadcastValue(add, outShape, index) + rq.rounding();
    if (!fitsInt32(m) || !fitsInt32(a)) {
      throw Error(e.node().describe() + ": requantization mul " + std::to_string(m) + " or add " + std::to_string(a) +
                  " does not fit the kernel's int32 parameters");
    }
    muls.push_back(m);
    adds.push_back(a);
  }
  return {muls, adds};
}

// The kernels' 32-bit requantization test (matmul.h: dp_requantize_mul_limit, dp_requantize_is_bounded),
// passed on every parameter at compile time: the magnitudes of A's and B's types (8 or 16 bits; wider
// types have no useful bound) over k products bound the accumulators.
uint32_t requantMulLimit(int64_t k, DType a, DType b) {
  auto magnitude = [](DType t) -> uint64_t { return dtypeBits(t) <= 16 ? static_cast<uint64_t>(integerMagnitude(t)) : 0; };
  const uint64_t budget = uint64_t{1} << 30, accMax = static_cast<uint64_t>(std::max<int64_t>(k, 0)) * magnitude(a) * magnitude(b);
  if (magnitude(a) == 0 || magnitude(b) == 0 || accMax > budget) return 0;
  return static_cast<uint32_t>(accMax == 0 ? budget : budget / accMax);
}

bool requantAllBounded(int64_t k, DType a, DType b, const std::vector<int64_t>& muls, const std::vector<int64_t>& adds) {
  const int64_t limit = requantMulLimit(k, a, b), addLimit = (int64_t{1} << 30) - 1;
  for (size_t i = 0; i < muls.size(); ++i) {
    if (std::abs(muls[i]) > limit || std::abs(adds[i]) > addLimit) return false;
  }
  return true;
}

}  // namespace

DType productResultType(const InferContext& ctx, DType a, DType b) {
  if (isInteger(a) && isInteger(b)) return integerResultType(ctx, 0);
  if (a == DType::Float64 || b == DType::Float64) return DType::Float64;
  return DType::Float32;
}

void requireNumeric(const InferContext& ctx, DType t, const std::string& what) {
  ctx.require(t != DType::Bool && t != DType::Undefined, what + " must be numeric, got " + std::string(dtypeName(t)));
}

// ---- Matrix products --------------------------------------------------------------------------------

MatMulGeometry matmulGeometry(const Shape& a, const Shape& b, const FailFn& fail) {
  if (a.empty() || b.empty()) fail("MatMul operands must have rank 1 or more, got " + shapeToString(a) + " and " + shapeToString(b));
  bool aVector = a.size() == 1, bVector = b.size() == 1;
  Shape am = aVector ? Shape{1, a[0]} : a, bm = bVector ? Shape{b[0], 1} : b;
  MatMulGeometry g;
  g.m = am[am.size() - 2];
  g.k = am.back();
  g.n = bm.back();
  if (bm[bm.size() - 2] != g.k) {
    fail("inner dimensions differ: A " + shapeToString(a) + " has " + std::to_string(g.k) + " columns, B " +
         shapeToString(b) + " has " + std::to_string(bm[bm.size() - 2]) + " rows");
  }
  Shape aBatch(am.begin(), am.end() - 2), bBatch(bm.begin(), bm.end() - 2);
  Shape outBatch = broadcastShapes(aBatch, bBatch, fail, "the batch dimensions");
  g.outShape = outBatch;
  if (!aVector) g.rowAxis = static_cast<int>(g.outShape.size()), g.outShape.push_back(g.m);
  if (!bVector) g.colAxis = static_cast<int>(g.outShape.size()), g.outShape.push_back(g.n);
  g.batch = elementCount(outBatch);
  auto aStrides = broadcastStrides(aBatch, outBatch), bStrides = broadcastStrides(bBatch, outBatch);
  g.aOffsets.clear();
  g.bOffsets.clear();
  for (int64_t bi = 0; bi < g.batch; ++bi) {
    g.aOffsets.push_back(broadcastOffset(bi, outBatch, aStrides) * g.m * g.k);
    g.bOffsets.push_back(broadcastOffset(bi, outBatch, bStrides) * g.k * g.n);
  }
  g.aRowStride = g.k;
  g.bRowStride = g.n;
  return g;
}

MatMulGeometry gemmGeometry(const Shape& a, const Shape& b, bool transA, bool transB, const FailFn& fail) {
  const bool aBatched = a.size() == 3, bBatched = b.size() == 3;
  if ((a.size() != 2 && !aBatched) || (b.size() != 2 && !bBatched)) {
    fail("Gemm operands must be matrices or batches of matrices ([batch, rows, columns]), got A " + shapeToString(a) +
         " and B " + shapeToString(b));
  }
  const Shape am(a.end() - 2, a.end()), bm(b.end() - 2, b.end());
  MatMulGeometry g;
  g.m = transA ? am[1] : am[0];
  g.k = transA ? am[0] : am[1];
  g.n = transB ? bm[0] : bm[1];
  int64_t kb = transB ? bm[1] : bm[0];
  if (kb != g.k) {
    fail("inner dimensions differ: op(A) has " + std::to_string(g.k) + " columns, op(B) has " + std::to_string(kb) +
         " rows (A " + shapeToString(a) + ", B " + shapeToString(b) + ")");
  }
  g.outShape = {g.m, g.n};
  g.rowAxis = 0;
  g.colAxis = 1;
  if (aBatched || bBatched) {
    // A leading batch axis (Deeploy's exporter): one product per batch, a matrix operand shared by all.
    const Shape aBatch = aBatched ? Shape{a[0]} : Shape{}, bBatch = bBatched ? Shape{b[0]} : Shape{};
    const Shape outBatch = broadcastShapes(aBatch, bBatch, fail, "the batch dimensions");
    g.outShape.insert(g.outShape.begin(), outBatch[0]);
    g.rowAxis = 1;
    g.colAxis = 2;
    g.batch = outBatch[0];
    const bool aSteps = aBatched && a[0] != 1, bSteps = bBatched && b[0] != 1;
    g.aOffsets.clear();
    g.bOffsets.clear();
    for (int64_t bi = 0; bi < g.batch; ++bi) {
      g.aOffsets.push_back(aSteps ? bi * g.m * g.k : 0);
      g.bOffsets.push_back(bSteps ? bi * g.k * g.n : 0);
    }
  }
  g.aRowStride = transA ? 1 : g.k;
  g.aColStride = transA ? g.m : 1;
  g.bRowStride = transB ? 1 : g.n;
  g.bColStride = transB ? g.k : 1;
  return g;
}

namespace {

template <class Acc>
std::vector<Acc> products(const MatMulGeometry& g, const TensorData& a, const TensorData& b) {
  std::vector<Acc> out;
  out.reserve(static_cast<size_t>(g.batch * g.m * g.n));
  for (int64_t bi = 0; bi < g.batch; ++bi) {
    for (int64_t i = 0; i < g.m; ++i) {
      for (int64_t j = 0; j < g.n; ++j) {
        Acc sum = 0;
        for (int64_t t = 0; t < g.k; ++t) {
          sum += valueAs<Acc>(a, g.aOffsets[bi] + i * g.aRowStride + t * g.aColStride) *
                 valueAs<Acc>(b, g.bOffsets[bi] + t * g.bRowStride + j * g.bColStride);
        }
        out.push_back(sum);
      }
    }
  }
  return out;
}

}  // namespace

std::vector<int64_t> asInt64(const std::vector<uint64_t>& sums) { return {sums.begin(), sums.end()}; }

std::vector<int64_t> integerProducts(const TensorData& a, const TensorData& b, const MatMulGeometry& g) {
  return asInt64(products<uint64_t>(g, a, b));
}

std::vector<double> floatProducts(const TensorData& a, const TensorData& b, const MatMulGeometry& g) {
  return products<double>(g, a, b);
}

// ---- Convolutions -----------------------------------------------------------------------------------

Shape ConvGeometry::outputShape() const {
  Shape s{batch, outChannels};
  if (spatialRank == 2) s.push_back(out[0]);
  s.push_back(out[1]);
  return s;
}

std::vector<int64_t> ConvGeometry::kernelArray() const {
  return {batch,     inChannels, in[0],       in[1],       outChannels, out[0],      out[1],      kernel[0],
          kernel[1], stride[0],  stride[1],   dilation[0], dilation[1], padBegin[0], padBegin[1], group};
}

namespace {

struct SpatialAttributes {
  std::vector<int64_t> kernel, strides, dilations, pads;  // kernel: the weight's spatial shape
  std::string autoPad;
};

// Reads and validates the attributes shared by Conv and ConvTranspose, whose weight `w` is
// [.., .., kernel...].
SpatialAttributes readSpatialAttributes(const Attributes& attrs, const Shape& w, const FailFn& fail) {
  SpatialAttributes s;
  s.kernel.assign(w.begin() + 2, w.end());
  size_t rank = s.kernel.size();
  std::vector<int64_t> kernelShape;
  readAttributes(fail, [&] {
    s.strides = attrs.getInts("strides", std::vector<int64_t>(rank, 1));
    s.dilations = attrs.getInts("dilations", std::vector<int64_t>(rank, 1));
    s.pads = attrs.getInts("pads", std::vector<int64_t>(2 * rank, 0));
    s.autoPad = attrs.getString("auto_pad", "NOTSET");
    kernelShape = attrs.getInts("kernel_shape", s.kernel);
    return 0;
  });
  if (kernelShape != s.kernel) {
    fail("kernel_shape " + shapeToString(kernelShape) + " differs from the weight's " + shapeToString(s.kernel));
  }
  if (s.strides.size() != rank || s.dilations.size() != rank || s.pads.size() != 2 * rank) {
    fail("strides and dilations need " + std::to_string(rank) + " values and pads " + std::to_string(2 * rank));
  }
  for (size_t d = 0; d < rank; ++d) {
    if (s.strides[d] < 1 || s.dilations[d] < 1) fail("strides and dilations must be positive");
    if (s.pads[d] < 0 || s.pads[d + rank] < 0) fail("pads must not be negative");
  }
  if (s.autoPad != "NOTSET" && s.autoPad != "VALID" && s.autoPad != "SAME_UPPER" && s.autoPad != "SAME_LOWER") {
    fail("unknown auto_pad '" + s.autoPad + "'");
  }
  return s;
}

// The shape checks Conv and ConvTranspose share; fills in the rank, group, batch and input channels.
ConvGeometry commonGeometry(const Shape& x, const Shape& w, const Attributes& attrs, const FailFn& fail,
                            const std::string& op) {
  if (x.size() != 3 && x.size() != 4) {
    fail(op + " supports 1-D and 2-D inputs ([N, C, W] or [N, C, H, W]), got " + shapeToString(x));
  }
  if (w.size() != x.size()) fail("weight " + shapeToString(w) + " must have the input's rank " + std::to_string(x.size()));
  int64_t group = readAttributes(fail, [&] { return attrs.getInt("group", 1); });
  if (group < 1) fail("group must be positive, got " + std::to_string(group));
  if (x[1] % group != 0) fail("input channels " + std::to_string(x[1]) + " are not divisible by group " + std::to_string(group));
  ConvGeometry g;
  g.group = group;
  g.spatialRank = static_cast<int>(x.size() - 2);
  g.batch = x[0];
  g.inChannels = x[1];
  return g;
}

// Stores spatial axis d of a 1-D or 2-D operation in the 2-D geometry (1-D: height 1).
void placeAxis(ConvGeometry& g, const SpatialAttributes& s, size_t d, int64_t in, int64_t out, int64_t padBegin) {
  size_t at = 2 - static_cast<size_t>(g.spatialRank) + d;
  g.in[at] = in;
  g.kernel[at] = s.kernel[d];
  g.out[at] = out;
  g.stride[at] = s.strides[d];
  g.dilation[at] = s.dilations[d];
  g.padBegin[at] = padBegin;
}

}  // namespace

ConvGeometry convGeometry(const Shape& x, const Shape& w, const Attributes& attrs, const FailFn& fail) {
  ConvGeometry g = commonGeometry(x, w, attrs, fail, "Conv");
  size_t rank = x.size() - 2;
  g.outChannels = w[0];
  if (w[1] * g.group != x[1]) {
    fail("weight " + shapeToString(w) + " expects " + std::to_string(w[1]) + " input channels per group, the input has " +
         std::to_string(x[1]) + " channels in " + std::to_string(g.group) + " groups");
  }
  if (g.outChannels % g.group != 0) {
    fail("output channels " + std::to_string(g.outChannels) + " are not divisible by group " + std::to_string(g.group));
  }
  SpatialAttributes s = readSpatialAttributes(attrs, w, fail);
  for (size_t d = 0; d < rank; ++d) {
    int64_t in = x[2 + d], effective = (s.kernel[d] - 1) * s.dilations[d] + 1;
    int64_t begin = s.pads[d], end = s.pads[d + rank], out = 0;
    if (s.autoPad == "VALID") begin = end = 0;
    if (s.autoPad == "SAME_UPPER" || s.autoPad == "SAME_LOWER") {
      out = (in + s.strides[d] - 1) / s.strides[d];
      int64_t total = std::max<int64_t>(0, (out - 1) * s.strides[d] + effective - in);
      begin = s.autoPad == "SAME_UPPER" ? total / 2 : total - total / 2;
    } else {
      if (in + begin + end < effective) {
        fail("the kernel (extent " + std::to_string(effective) + ") is larger than the padded input (" +
             std::to_string(in + begin + end) + ") along spatial axis " + std::to_string(d));
      }
      out = (in + begin + end - effective) / s.strides[d] + 1;
    }
    placeAxis(g, s, d, in, out, begin);
  }
  return g;
}

ConvGeometry convTransposeGeometry(const Shape& x, const Shape& w, const Attributes& attrs, const FailFn& fail) {
  ConvGeometry g = commonGeometry(x, w, attrs, fail, "ConvTranspose");
  size_t rank = x.size() - 2;
  if (w[0] != x[1]) {
    fail("weight " + shapeToString(w) + " must have the input's " + std::to_string(x[1]) + " channels first");
  }
  g.outChannels = w[1] * g.group;
  SpatialAttributes s = readSpatialAttributes(attrs, w, fail);
  std::vector<int64_t> outputPadding, outputShape;
  readAttributes(fail, [&] {
    outputPadding = attrs.getInts("output_padding", std::vector<int64_t>(rank, 0));
    outputShape = attrs.getInts("output_shape", {});
    return 0;
  });
  if (outputShape.size() == rank + 2) outputShape.erase(outputShape.begin(), outputShape.begin() + 2);
  if (outputPadding.size() != rank || (!outputShape.empty() && outputShape.size() != rank)) {
    fail("output_padding and output_shape need " + std::to_string(rank) + " values");
  }
  for (size_t d = 0; d < rank; ++d) {
    int64_t in = x[2 + d], effective = (s.kernel[d] - 1) * s.dilations[d] + 1;
    int64_t full = s.strides[d] * (in - 1) + outputPadding[d] + effective;  // output size without padding
    int64_t begin = s.pads[d], out = 0;
    bool same = s.autoPad == "SAME_UPPER" || s.autoPad == "SAME_LOWER";
    if (!outputShape.empty() || same) {
      out = !outputShape.empty() ? outputShape[d] : in * s.strides[d];
      int64_t total = full - out;
      if (total < 0) fail("output_shape " + std::to_string(out) + " is larger than the transposed convolution produces");
      begin = s.autoPad == "SAME_UPPER" ? total / 2 : total - total / 2;
    } else if (s.autoPad == "VALID") {
      begin = 0;
      out = full;
    } else {
      out = full - s.pads[d] - s.pads[d + rank];
    }
    if (outputPadding[d] < 0 || out < 0) fail("the padding leaves no output along spatial axis " + std::to_string(d));
    placeAxis(g, s, d, in, out, begin);
  }
  return g;
}

namespace {

template <class Acc>
std::vector<Acc> convolve(const ConvGeometry& g, const TensorData& x, const TensorData& w) {
  int64_t groupIn = g.inChannels / g.group, groupOut = g.outChannels / g.group;
  std::vector<Acc> out;
  out.reserve(static_cast<size_t>(g.batch * g.outChannels * g.outputPixels()));
  for (int64_t n = 0; n < g.batch; ++n) {
    for (int64_t m = 0; m < g.outChannels; ++m) {
      int64_t firstChannel = (m / groupOut) * groupIn;
      for (int64_t oh = 0; oh < g.out[0]; ++oh) {
        for (int64_t ow = 0; ow < g.out[1]; ++ow) {
          Acc sum = 0;
          for (int64_t c = 0; c < groupIn; ++c) {
            for (int64_t kh = 0; kh < g.kernel[0]; ++kh) {
              int64_t ih = oh * g.stride[0] - g.padBegin[0] + kh * g.dilation[0];
              if (ih < 0 || ih >= g.in[0]) continue;
              for (int64_t kw = 0; kw < g.kernel[1]; ++kw) {
                int64_t iw = ow * g.stride[1] - g.padBegin[1] + kw * g.dilation[1];
                if (iw < 0 || iw >= g.in[1]) continue;
                sum += valueAs<Acc>(x, ((n * g.inChannels + firstChannel + c) * g.in[0] + ih) * g.in[1] + iw) *
                       valueAs<Acc>(w, ((m * groupIn + c) * g.kernel[0] + kh) * g.kernel[1] + kw);
              }
            }
          }
          out.push_back(sum);
        }
      }
    }
  }
  return out;
}

}  // namespace

std::vector<int64_t> integerConv(const TensorData& x, const TensorData& w, const ConvGeometry& g) {
  return asInt64(convolve<uint64_t>(g, x, w));
}

std::vector<double> floatConv(const TensorData& x, const TensorData& w, const ConvGeometry& g) {
  return convolve<double>(g, x, w);
}

size_t convScratchBytes(const Graph& graph, const Node& node) {
  const Tensor &x = graph.tensor(node.inputs.at(0)), &w = graph.tensor(node.inputs.at(1));
  ConvGeometry g = convGeometry(x.shape, w.shape, node.attrs, failWithError(node));
  if (g.oneInputChannelPerGroup()) return 0;
  return static_cast<size_t>(g.inChannels / g.group * g.kernel[0] * g.kernel[1]) * dtypeSize(x.dtype);
}

std::string im2colColumn(KernelEmitter& e) {
  if (convScratchBytes(e.graph(), e.node()) == 0) return "NULL";
  return "(" + std::string(cTypeName(e.input(0).dtype)) + " *)" + e.scratchPtr();
}

namespace {

// Reads the optional per-channel bias (input 2): absent, or 1-D of `channels`.
void checkChannelBias(const InferContext& ctx, int64_t channels, bool integerResult) {
  if (!ctx.hasInput(2)) return;
  const Shape& shape = ctx.inputShape(2);
  ctx.require(shape == Shape{channels}, "bias must have shape [" + std::to_string(channels) + "], got " + shapeToString(shape));
  DType t = ctx.inputType(2);
  requireNumeric(ctx, t, "bias");
  if (integerResult && !isInteger(t)) {
    const TensorData* value = ctx.constantInput(2);
    ctx.require(value && value->allIntegral(), "bias must hold integers when input and weight are integers");
  }
}

}  // namespace

void inferConvolution(InferContext& ctx, ConvGeometryFn geometry) {
  ctx.requireInputs(2, 3);
  requireNumeric(ctx, ctx.inputType(0), "X");
  requireNumeric(ctx, ctx.inputType(1), "W");
  ConvGeometry g = geometry(ctx.inputShape(0), ctx.inputShape(1), ctx.attrs(), failThrough(ctx));
  DType result = productResultType(ctx, ctx.inputType(0), ctx.inputType(1));
  checkChannelBias(ctx, g.outChannels, isInteger(result));
  ctx.setOutput(0, result, g.outputShape());
}

void storeWithChannelBias(const EvalArgs& args, const ConvGeometry& g, const std::vector<int64_t>& sums) {
  TensorData& y = args.out(0);
  for (size_t i = 0; i < sums.size(); ++i) {
    int64_t index = static_cast<int64_t>(i);
    uint64_t bias = args.has(2) ? static_cast<uint64_t>(args.in(2).getInt(g.channelOf(index))) : 0;
    y.setInt(index, static_cast<int64_t>(static_cast<uint64_t>(sums[i]) + bias));
  }
}

void storeWithChannelBias(const EvalArgs& args, const ConvGeometry& g, const std::vector<double>& sums) {
  TensorData& y = args.out(0);
  for (size_t i = 0; i < sums.size(); ++i) {
    int64_t index = static_cast<int64_t>(i);
    y.setDouble(index, sums[i] + (args.has(2) ? args.in(2).getDouble(g.channelOf(index)) : 0.0));
  }
}

// ---- Requantization ---------------------------------------------------------------------------------

RequantAttributes readKernelRequant(const Attributes& attrs, const FailFn& fail) {
  RequantAttributes rq = readAttributes(fail, [&] { return readRequantAttributes(attrs); });
  if (!fitsInt32(rq.lo) || !fitsInt32(rq.hi)) {
    fail("the requantized kernels clamp in int32; the output range [" + std::to_string(rq.lo) + ", " +
         std::to_string(rq.hi) + "] does not fit");
  }
  return rq;
}

int64_t wrapToInt32(int64_t v) { return static_cast<int32_t>(static_cast<uint32_t>(v)); }

void requantizeInto(const std::vector<int64_t>& sums, const TensorData& mul, const TensorData& add,
                    const RequantAttributes& rq, TensorData& y) {
  auto mulStrides = broadcastStrides(mul.shape(), y.shape()), addStrides = broadcastStrides(add.shape(), y.shape());
  for (size_t i = 0; i < sums.size(); ++i) {
    int64_t index = static_cast<int64_t>(i);
    int64_t m = mul.getInt(broadcastOffset(index, y.shape(), mulStrides));
    int64_t a = add.getInt(broadcastOffset(index, y.shape(), addStrides));
    y.setInt(index, rq.apply(wrapToInt32(sums[i]), m, a));
  }
}

void checkRequantParams(const InferContext& ctx, size_t mulIndex, const Shape& outShape) {
  for (size_t i : {mulIndex, mulIndex + 1}) {
    std::string what = i == mulIndex ? "mul" : "add";
    ctx.require(isInteger(ctx.inputType(i)), what + " must be an integer tensor, got " + std::string(dtypeName(ctx.inputType(i))));
    const Shape& shape = ctx.inputShape(i);
    Shape joint = broadcastShapes(shape, outShape, failThrough(ctx), "the " + what + " and output shapes");
    ctx.require(joint == outShape,
                what + " of shape " + shapeToString(shape) + " does not broadcast into the output shape " + shapeToString(outShape));
  }
}

bool isPerChannel(const Shape& shape, const Shape& outShape) {
  if (shape.size() > outShape.size()) return false;
  size_t lead = outShape.size() - shape.size();
  for (size_t d = lead; d < outShape.size(); ++d) {
    if (d != 1 && shape[d - lead] != 1) return false;
  }
  return true;
}

// ---- Emission ---------------------------------------------------------------------------------------

void requireKernelTypes(const KernelEmitter& e, std::initializer_list<DType> types) {
  for (DType t : types) {
    if ((isInteger(t) && t != DType::Bool) || t == DType::Float32) continue;
    throw Error(e.node().describe() + ": the host kernels support integer and float32 tensors, not " +
                std::string(dtypeName(t)));
  }
}

std::string accumulatorCType(DType out) {
  if (isFloat(out)) return "float";
  return dtypeSize(out) == 8 ? "uint64_t" : "uint32_t";
}

bool useKernel(KernelEmitter& e, const std::string& header, const std::string& macro, const std::string& name,
               const std::vector<std::string>& macroArgs) {
  // The variants compiled by runtime/kernels/{matmul,gemm,conv,conv_transpose}.c.
  static const std::set<std::string> compiled = {
      "dp_matmul_nt_s8_s8_s32",     "dp_matmul_nn_s8_s8_s32",     "dp_matmul_nt_u8_s8_s32",     "dp_matmul_nn_u8_s8_s32",
      "dp_matmul_nt_f32_f32_f32",   "dp_matmul_nn_f32_f32_f32",   "dp_rqmatmul_nt_s8_s8_s8",    "dp_rqmatmul_nn_s8_s8_s8",
      "dp_rqmatmul_nt_s8_s8_u8",    "dp_rqmatmul_nn_s8_s8_u8",    "dp_rqmatmul_nt_u8_s8_s8",    "dp_rqmatmul_nn_u8_s8_s8",
      "dp_rqmatmul_nt_u8_s8_u8",    "dp_rqmatmul_nn_u8_s8_u8",    "dp_gemm_nt_s8_s8_s32",       "dp_gemm_nn_s8_s8_s32",
      "dp_gemm_nt_u8_s8_s32",       "dp_gemm_nn_u8_s8_s32",       "dp_gemm_nt_f32_f32_f32",     "dp_gemm_nn_f32_f32_f32",
      "dp_conv_im2col_s8_s8_s32",   "dp_conv_direct_s8_s8_s32",   "dp_conv_im2col_u8_s8_s32",   "dp_conv_direct_u8_s8_s32",
      "dp_conv_im2col_f32_f32_f32", "dp_conv_direct_f32_f32_f32", "dp_rqconv_im2col_s8_s8_s8",  "dp_rqconv_direct_s8_s8_s8",
      "dp_rqconv_im2col_s8_s8_u8",  "dp_rqconv_direct_s8_s8_u8",  "dp_rqconv_im2col_u8_s8_s8",  "dp_rqconv_direct_u8_s8_s8",
      "dp_rqconv_im2col_u8_s8_u8",  "dp_rqconv_direct_u8_s8_u8",  "dp_conv_transpose_f32_f32_f32"};
  e.include(header);
  if (compiled.count(name)) return true;
  std::string code = macro + "(DP_INSTANCE, " + name;
  for (const auto& arg : macroArgs) code += ", " + arg;
  e.definition(name, code + ")");
  return false;
}

std::string offsetArray(KernelEmitter& e, const std::vector<int64_t>& values, const std::string& hint) {
  for (int64_t v : values) {
    if (!fitsInt32(v)) throw Error(e.node().describe() + ": tensor offsets exceed the kernels' 32-bit indices");
  }
  return int32Array(e, values, hint);
}

std::string accumulatorLiteral(double value, DType out) {
  if (isFloat(out)) {
    if (!std::isfinite(value)) throw Error("a non-finite scalar parameter has no C literal");
    char text[40];
    std::snprintf(text, sizeof text, "%.9g", value);
    std::string s = text;
    if (s.find_first_of(".e") == std::string::npos) s += ".0";
    return s + "f";
  }
  return "(" + accumulatorCType(out) + ")(" + std::to_string(static_cast<int64_t>(value)) + "LL)";
}

std::string channelBiasOperand(KernelEmitter& e) {
  DType y = e.output(0).dtype;
  if (!e.hasInput(2)) return "NULL";
  const Tensor& bias = e.input(2);
  if (bias.isConstant()) return e.constant(bias.constant->castTo(y), bias.name);
  if (bias.dtype == y) return e.inputPtr(2);
  throw Error(e.node().describe() + ": a runtime bias must have the output type " + std::string(dtypeName(y)));
}

namespace {

// Words of one [n][k] matrix in the nt16 layout (runtime/kernels/matmul_nt16.h): column pairs of
// ceil(k / 4) groups of four words.
int64_t int16WeightMatrixWords(int64_t n, int64_t k) { return (n + 1) / 2 * ((k + 3) / 4) * 4; }

// bt ([slices][n][k] int8) in the nt16 layout: words of two int16 lanes, low half first, zeros past k and n.
TensorData int16LanePairWeights(const TensorData& bt, int64_t n, int64_t k) {
  const int64_t slices = bt.size() / (n * k), matrixWords = int16WeightMatrixWords(n, k), groups = (k + 3) / 4;
  std::vector<uint32_t> words(static_cast<size_t>(slices * matrixWords), 0);
  for (int64_t s = 0; s < slices; ++s) {
    for (int64_t j = 0; j < n; ++j) {
      for (int64_t t = 0; t < k; ++t) {
        const auto lane = static_cast<uint16_t>(bt.getInt((s * n + j) * k + t));
        const int64_t word = s * matrixWords + j / 2 * 4 * groups + t / 4 * 4 + j % 2 * 2 + t % 2;
        words[static_cast<size_t>(word)] |= static_cast<uint32_t>(lane) << (t / 2 % 2 * 16);
      }
    }
  }
  std::vector<int64_t> values(words.begin(), words.end());
  for (int64_t& v : values) v = static_cast<int32_t>(static_cast<uint32_t>(v));
  return TensorData::fromInts(DType::Int32, {slices * matrixWords}, values);
}

// Whether the product's B is stored in the nt16 layout: the platform chooses it, B is a constant int8
// matrix whose batch slices are whole [n][k] matrices, A is int8 or uint8 and the sums 32-bit.
bool usesInt16Weights(const KernelEmitter& e, const MatMulGeometry& g) {
  const Tensor &a = e.input(0), &b = e.input(1);
  if (!e.choices().int16Weights || !b.isConstant() || b.dtype != DType::Int8 || g.n * g.k == 0) return false;
  if ((a.dtype != DType::Int8 && a.dtype != DType::UInt8) || accumulatorCType(e.output(0).dtype) != "uint32_t") return false;
  return std::all_of(g.bOffsets.begin(), g.bOffsets.end(), [&](int64_t offset) { return offset % (g.n * g.k) == 0; });
}

// B's batch offsets in words of the nt16 layout.
std::vector<int64_t> int16WeightOffsets(const MatMulGeometry& g) {
  std::vector<int64_t> offsets;
  for (int64_t offset : g.bOffsets) offsets.push_back(offset / (g.n * g.k) * int16WeightMatrixWords(g.n, g.k));
  return offsets;
}

}  // namespace

std::vector<int64_t> bOperandOffsets(const MatMulGeometry& g, const MatMulOperands& operands) {
  return operands.layout == "nt16" ? int16WeightOffsets(g) : g.bOffsets;
}

std::string productKernelHeader(const std::string& layout, const std::string& header) {
  return layout == "nt16" ? "kernels/matmul_nt16.h" : header;
}

std::string productMacroLayout(const std::string& layout) {
  std::string upper;
  for (char c : layout) upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return upper;
}

MatMulOperands prepareMatMulOperands(KernelEmitter& e, const MatMulGeometry& g) {
  const Tensor &a = e.input(0), &b = e.input(1);
  MatMulOperands ops;
  if (g.aRowMajor()) {
    ops.a = e.inputPtr(0);
  } else if (a.isConstant()) {  // stored [K, M] (Gemm transA)
    ops.a = e.constant(transposeSlices(*a.constant, g.k, g.m), a.name + "_t");
  } else {  // each [K, M] slice transposed into scratch at its own offset, so g.aOffsets still apply
    e.include("kernels/gemm.h");
    const std::string scratch = "((" + std::string(cTypeName(a.dtype)) + " *)" + e.scratchPtr() + ")";
    for (int64_t offset = 0; offset < a.elementCount(); offset += g.m * g.k) {
      const std::string at = " + " + std::to_string(offset);
      e.statement(cCall("dp_transpose_2d", {"(" + e.inputPtr(0) + at + ")", "(" + scratch + at + ")", std::to_string(g.k),
                                            std::to_string(g.m), std::to_string(dtypeSize(a.dtype))}));
    }
    ops.a = "((const " + std::string(cTypeName(a.dtype)) + " *)" + e.scratchPtr() + ")";
  }
  if (usesInt16Weights(e, g)) {
    const TensorData& data = *b.constant;
    ops.b = e.constant(int16LanePairWeights(g.bTransposed() ? data : transposeSlices(data, g.k, g.n), g.n, g.k),
                       b.name + "_i16");
    ops.layout = "nt16";
  } else if (g.bTransposed()) {
    ops.b = e.inputPtr(1);
    ops.layout = "nt";
  } else if (b.isConstant()) {  // [.., K, N] slices transposed once, at compile time
    ops.b = e.constant(transposeSlices(*b.constant, g.k, g.n), b.name + "_t");
    ops.layout = "nt";
  } else {
    ops.b = e.inputPtr(1);
    ops.layout = "nn";
  }
  return ops;
}

size_t matmulScratchBytes(const Graph& graph, const Node& node, const MatMulGeometry& g) {
  const Tensor& a = graph.tensor(node.inputs.at(0));
  return g.aRowMajor() || a.isConstant() ? 0 : a.byteSize();
}

std::vector<std::string> matmulRequantArgs(KernelEmitter& e, const MatMulGeometry& g, const RequantAttributes& rq,
                                           size_t mulIndex) {
  const Shape& out = g.outShape;
  auto varies = [&](int axis) {
    if (axis < 0) return false;
    for (size_t i : {mulIndex, mulIndex + 1}) {
      if (broadcastStrides(e.input(i).shape, out)[static_cast<size_t>(axis)] != 0) return true;
    }
    return false;
  };
  bool byBatch = false;
  for (int axis = 0; axis < static_cast<int>(out.size()); ++axis) {
    if (axis != g.rowAxis && axis != g.colAxis) byBatch = byBatch || varies(axis);
  }
  int64_t batches = byBatch ? g.batch : 1, rows = varies(g.rowAxis) ? g.m : 1, cols = varies(g.colAxis) ? g.n : 1;
  std::vector<int64_t> indices;
  for (int64_t bi = 0; bi < batches; ++bi) {
    for (int64_t i = 0; i < rows; ++i) {
      for (int64_t j = 0; j < cols; ++j) indices.push_back((bi * g.m + i) * g.n + j);
    }
  }
  auto [muls, adds] = sampleRequant(e, mulIndex, out, rq, indices);
  const bool bounded = requantAllBounded(g.k, e.input(0).dtype, e.input(1).dtype, muls, adds);
  std::vector<int64_t> strides = {batches > 1 ? rows * cols : 0, rows > 1 ? cols : 0, cols > 1 ? 1 : 0, bounded ? 1 : 0};
  std::vector<std::string> args = {int32Array(e, muls, "rq_mul"), int32Array(e, adds, "rq_add"),
                                   int32Array(e, strides, "rq_strides")};
  for (auto& s : requantScalars(rq)) args.push_back(s);
  return args;
}

KernelCall productCall(KernelEmitter& e, const MatMulGeometry& g, const MatMulOperands& operands) {
  const Tensor &a = e.input(0), &b = e.input(1), &y = e.output(0);
  bool requantized = e.node().op.rfind("RQ", 0) == 0;
  std::string types = typeSuffix({a.dtype, b.dtype, y.dtype});
  std::string name = (requantized ? "dp_rqmatmul_" : "dp_matmul_") + operands.layout + "_" + types;
  std::string macro = (requantized ? "DP_DEFINE_RQMATMUL_" : "DP_DEFINE_MATMUL_") + productMacroLayout(operands.layout);
  ProductKernel kernel{productKernelHeader(operands.layout, "kernels/matmul.h"), macro, name,
                       {std::string(cTypeName(a.dtype)), std::string(cTypeName(b.dtype))}};
  if (!requantized) kernel.macroArgs.push_back(accumulatorCType(y.dtype));
  kernel.macroArgs.push_back(std::string(cTypeName(y.dtype)));
  const std::vector<std::string> activationArgs = addActivationEpilogue(e, kernel);
  const bool compiled = useKernel(e, kernel.header, kernel.macro, kernel.name, kernel.macroArgs);
  // The compiled requantized products are called through their inline picker (matmul.h's *_call).
  KernelCall call{requantized && compiled ? kernel.name + "_call" : kernel.name,
                  {operands.a, operands.b, e.outputPtr(0), std::to_string(g.batch), std::to_string(g.m),
                   std::to_string(g.n), std::to_string(g.k), offsetArray(e, g.aOffsets, "a_offsets"),
                   offsetArray(e, bOperandOffsets(g, operands), "b_offsets")}};
  if (requantized) {
    for (auto& arg : matmulRequantArgs(e, g, readKernelRequant(e.attrs(), failWithError(e.node())), 2)) {
      call.args.push_back(arg);
    }
  }
  call.args.insert(call.args.end(), activationArgs.begin(), activationArgs.end());
  return call;
}

std::vector<std::string> convRequantArgs(KernelEmitter& e, const ConvGeometry& g, const RequantAttributes& rq,
                                         size_t mulIndex) {
  Shape out = g.outputShape();
  bool perChannel = false;
  for (size_t i : {mulIndex, mulIndex + 1}) {
    const Shape& shape = e.input(i).shape;
    if (!isPerChannel(shape, out)) {
      throw Error(e.node().describe() + ": requantization parameters of shape " + shapeToString(shape) +
                  " must be per tensor or per output channel");
    }
    perChannel = perChannel || broadcastStrides(shape, out)[1] != 0;
  }
  std::vector<int64_t> indices;
  for (int64_t c = 0; c < (perChannel ? g.outChannels : 1); ++c) indices.push_back(c * g.outputPixels());
  auto [muls, adds] = sampleRequant(e, mulIndex, out, rq, indices);
  std::vector<std::string> args = {int32Array(e, muls, "rq_mul"), int32Array(e, adds, "rq_add"), perChannel ? "1" : "0"};
  for (auto& s : requantScalars(rq)) args.push_back(s);
  return args;
}

// ---- Tiling -----------------------------------------------------------------------------------------

std::vector<AxisMap> broadcastAxisMaps(const Shape& operand, const Shape& out) {
  std::vector<AxisMap> axes(operand.size(), AxisMap::whole());
  const size_t lead = out.size() - operand.size();
  for (size_t a = 0; a < operand.size(); ++a) {
    if (operand[a] == out[lead + a] && operand[a] != 1) axes[a] = AxisMap::follow(static_cast<int>(lead + a));
  }
  return axes;
}

namespace {

const Shape& inputShape(const Graph& graph, const Node& node, size_t i) { return graph.tensor(node.inputs.at(i)).shape; }

// A and B as given; inputs from 2 on broadcast against the output.
TilingGeometry productTiling(const Graph& graph, const Node& node, std::vector<AxisMap> a, std::vector<AxisMap> b) {
  TilingGeometry g = outputTiling(graph, node);
  g.inputs.at(0) = std::move(a);
  g.inputs.at(1) = std::move(b);
  for (size_t i = 2; i < node.inputs.size(); ++i) {
    if (node.inputs[i] != kNoTensor) g.inputs[i] = broadcastAxisMaps(inputShape(graph, node, i), g.iteration);
  }
  return g;
}

// A matrix operand of MatMul: its batch axes broadcast against the output's, then its rows and columns
// (a 1-D operand is one vector, read whole).
std::vector<AxisMap> matmulOperandAxes(const Shape& operand, const Shape& outBatch, AxisMap rows, AxisMap cols) {
  if (operand.size() == 1) return {AxisMap::whole()};
  std::vector<AxisMap> axes = broadcastAxisMaps(Shape(operand.begin(), operand.end() - 2), outBatch);
  axes.push_back(rows);
  axes.push_back(cols);
  return axes;
}

}  // namespace

TilingGeometry matmulTiling(const Graph& graph, const Node& node) {
  const Shape &a = inputShape(graph, node, 0), &b = inputShape(graph, node, 1);
  MatMulGeometry m = matmulGeometry(a, b, failWithError(node));
  size_t batchRank = m.outShape.size() - (m.rowAxis >= 0 ? 1 : 0) - (m.colAxis >= 0 ? 1 : 0);
  Shape outBatch(m.outShape.begin(), m.outShape.begin() + static_cast<std::ptrdiff_t>(batchRank));
  return productTiling(graph, node, matmulOperandAxes(a, outBatch, AxisMap::follow(m.rowAxis), AxisMap::whole()),
                       matmulOperandAxes(b, outBatch, AxisMap::whole(), AxisMap::follow(m.colAxis)));
}

TilingGeometry gemmTiling(const Graph& graph, const Node& node, bool transA, bool transB) {
  const Shape &a = inputShape(graph, node, 0), &b = inputShape(graph, node, 1);
  const MatMulGeometry m = gemmGeometry(a, b, transA, transB, failWithError(node));
  const Shape outBatch(m.outShape.begin(), m.outShape.end() - 2);
  const AxisMap rows = AxisMap::follow(m.rowAxis), cols = AxisMap::follow(m.colAxis), k = AxisMap::whole();
  return productTiling(graph, node, matmulOperandAxes(a, outBatch, transA ? k : rows, transA ? rows : k),
                       matmulOperandAxes(b, outBatch, transB ? cols : k, transB ? k : cols));
}

TilingGeometry convTiling(const Graph& graph, const Node& node) {
  const Shape &x = inputShape(graph, node, 0), &w = inputShape(graph, node, 1);
  ConvGeometry c = convGeometry(x, w, node.attrs, failWithError(node));
  TilingGeometry g = outputTiling(graph, node);
  // Output channels split when every group has one (depthwise and the like): a tile of them reads
  // their groups' input channels and is a grouped convolution of that many groups.
  const int64_t outChannels = w[0];
  const bool oneChannelPerGroup = c.group > 1 && outChannels == c.group;
  const int64_t groupInputs = x[1] / c.group;
  g.splittable[1] = c.group == 1 || oneChannelPerGroup;
  g.inputs[0][0] = AxisMap::follow(0);
  if (oneChannelPerGroup) g.inputs[0][1] = AxisMap{1, groupInputs, 0, groupInputs};
  g.inputs[1][0] = AxisMap::follow(1);
  std::vector<SlidingWindow> windows;
  for (size_t at = static_cast<size_t>(2 - c.spatialRank); at < 2; ++at) {
    SlidingWindow s;
    s.in = c.in[at];
    s.out = c.out[at];
    s.stride = c.stride[at];
    s.padBegin = c.padBegin[at];
    s.extent = (c.kernel[at] - 1) * c.dilation[at] + 1;
    // The end padding the last window uses (the attribute's may be larger without changing anything).
    s.padEnd = std::max<int64_t>(0, s.stride * (s.out - 1) + s.extent - s.in - s.padBegin);
    windows.push_back(s);
  }
  declareSlidingWindows(g, windows, 2);
  if (oneChannelPerGroup) {
    auto windowAttributes = g.adjustAttributes;
    g.adjustAttributes = [windowAttributes](Attributes& attrs, const Box& tile, const std::vector<std::vector<AxisClip>>& clips) {
      windowAttributes(attrs, tile, clips);
      attrs.set("group", tile.at(1).size());
    };
  }
  return g;
}

}  // namespace deeploy
