#include "ops/npu_conv.h"

#include <algorithm>
#include <limits>

#include "ops/linalg.h"

namespace deeploy {

namespace {

int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

bool fitsInt32Value(int64_t v) {
  return v >= std::numeric_limits<int32_t>::min() && v <= std::numeric_limits<int32_t>::max();
}

bool isByteType(DType t) { return t == DType::Int8 || t == DType::UInt8; }

// Bit n of a block is bit n % 8 of its byte n / 8.
void setBit(std::vector<uint8_t>& bytes, size_t block, int64_t bit) {
  bytes[block + static_cast<size_t>(bit / 8)] |= static_cast<uint8_t>(1u << (bit % 8));
}

// The value of a requantization parameter per output column, or nullopt when it varies along the rows
// or batches (the NPU scales per output channel only).
std::optional<std::vector<int64_t>> perColumn(const TensorData& param, const Shape& out, int64_t columns, bool hasColumnAxis) {
  const std::vector<int64_t> strides = broadcastStrides(param.shape(), out);
  std::vector<std::optional<int64_t>> values(static_cast<size_t>(columns));
  const int64_t count = elementCount(out);
  for (int64_t i = 0; i < count; ++i) {
    const int64_t value = param.getInt(broadcastOffset(i, out, strides));
    std::optional<int64_t>& column = values[static_cast<size_t>(hasColumnAxis ? i % columns : 0)];
    if (column && *column != value) return std::nullopt;
    column = value;
  }
  std::vector<int64_t> result;
  for (const auto& v : values) {
    if (!v || !fitsInt32Value(*v)) return std::nullopt;
    result.push_back(*v);
  }
  return result;
}

// Rows and columns of pixels for `pixels` contiguous rows of A: the widest row of at most 6 pixels that
// divides them, so that the NPU's 6x6 subtiles are as full as the count allows.
std::pair<int64_t, int64_t> pixelGrid(int64_t pixels) {
  for (int64_t width = std::min<int64_t>(6, pixels); width > 1; --width) {
    if (pixels % width == 0) return {pixels / width, width};
  }
  return {pixels, 1};
}

MatMulGeometry productGeometry(const Graph& graph, const Node& node) {
  const Shape &a = graph.tensor(node.inputs.at(0)).shape, &b = graph.tensor(node.inputs.at(1)).shape;
  const FailFn fail = failWithError(node);
  if (node.op == "RQGemm") return gemmGeometry(a, b, node.attrs.getInt("transA", 0) != 0, node.attrs.getInt("transB", 0) != 0, fail);
  return matmulGeometry(a, b, fail);
}

}  // namespace

int64_t npuWeightBytes(const NpuConvGeometry& g) {
  const int64_t bits = g.weightBits;
  switch (g.mode) {
    case NpuMode::Pointwise:
      return g.outChannels * ceilDiv(g.inChannels, 32) * bits * 4;
    case NpuMode::Dense3x3:
      return g.outChannels * ceilDiv(g.inChannels, 28) * bits * 32;
    case NpuMode::Depthwise3x3:
      return ceilDiv(g.outChannels, 28) * bits * 32;
  }
  return 0;
}

int64_t npuMacs(const NpuConvGeometry& g) {
  const int64_t k = g.kernelSize();
  return g.outHeight * g.outWidth * g.outChannels * k * k * (g.mode == NpuMode::Depthwise3x3 ? 1 : g.inChannels);
}

std::optional<NpuWeightRange> npuWeightRange(const std::vector<int64_t>& weights) {
  if (weights.empty()) return NpuWeightRange{};
  const auto [low, high] = std::minmax_element(weights.begin(), weights.end());
  const int64_t span = *high - *low;
  if (span > 255) return std::nullopt;
  NpuWeightRange range{*low, 1};
  while ((int64_t{1} << range.bits) <= span) ++range.bits;
  return range;
}

std::vector<uint8_t> encodeNpuWeights(const NpuConv& conv, const NpuWeightRange& range) {
  NpuConvGeometry g = conv.geometry;
  g.weightBits = range.bits;
  std::vector<uint8_t> bytes(static_cast<size_t>(npuWeightBytes(g)), 0);
  const int64_t k = g.kernelSize(), ci = g.inChannels, co = g.outChannels;
  auto stored = [&](int64_t index, int bit) { return ((conv.weights[static_cast<size_t>(index)] - range.offset) >> bit) & 1; };
  size_t block = 0;
  if (g.mode == NpuMode::Pointwise) {
    for (int64_t o = 0; o < co; ++o)
      for (int64_t j = 0; j < ceilDiv(ci, 32); ++j)
        for (int b = 0; b < g.weightBits; ++b, block += 4)
          for (int64_t i = 0; i < 32 && 32 * j + i < ci; ++i)
            if (stored(o * ci + 32 * j + i, b)) setBit(bytes, block, i);
  } else if (g.mode == NpuMode::Dense3x3) {
    for (int64_t o = 0; o < co; ++o)
      for (int64_t j = 0; j < ceilDiv(ci, 28); ++j)
        for (int b = 0; b < g.weightBits; ++b, block += 32)
          for (int64_t s = 0; s < k * k; ++s)
            for (int64_t i = 0; i < 28 && 28 * j + i < ci; ++i)
              if (stored((o * k * k + s) * ci + 28 * j + i, b)) setBit(bytes, block, 28 * s + i);
  } else {
    for (int64_t j = 0; j < ceilDiv(co, 28); ++j)
      for (int b = 0; b < g.weightBits; ++b, block += 32)
        for (int64_t s = 0; s < 9; ++s)
          for (int64_t i = 0; i < 28 && 28 * j + i < co; ++i)
            if (stored((28 * j + i) * 9 + s, b)) setBit(bytes, block, 28 * s + i);
  }
  return bytes;
}

std::optional<NpuConv> productAsNpuConv(const Graph& graph, const Node& node) {
  const Tensor &a = graph.tensor(node.inputs.at(0)), &b = graph.tensor(node.inputs.at(1));
  const Tensor &mul = graph.tensor(node.inputs.at(2)), &add = graph.tensor(node.inputs.at(3));
  const Tensor& y = graph.tensor(node.outputs.at(0));
  if (!b.isConstant() || !mul.isConstant() || !add.isConstant()) return std::nullopt;
  if (!isByteType(a.dtype) || !isByteType(b.dtype) || !isByteType(y.dtype) || y.elementCount() == 0) return std::nullopt;
  if (graph.kvCache && (graph.kvCache->hasRuntimeLength(node.inputs[0]) || graph.kvCache->hasRuntimeLength(node.outputs[0]))) {
    return std::nullopt;
  }
  const MatMulGeometry g = productGeometry(graph, node);
  if (!g.aRowMajor() || g.k == 0) return std::nullopt;
  for (size_t i = 0; i < g.bOffsets.size(); ++i) {
    if (g.bOffsets[i] != g.bOffsets[0]) return std::nullopt;  // a B matrix per batch: not one weight set
    if (g.aOffsets[i % g.aOffsets.size()] != static_cast<int64_t>(i) * g.m * g.k) return std::nullopt;
  }
  const RequantAttributes rq = readKernelRequant(node.attrs, failWithError(node));
  const bool signedOutput = rq.lo == -128 && rq.hi == 127;
  if (!signedOutput && !(rq.lo == 0 && rq.hi == 255)) return std::nullopt;
  const bool hasColumnAxis = g.colAxis >= 0;
  auto scale = perColumn(*mul.constant, g.outShape, g.n, hasColumnAxis);
  auto bias = perColumn(*add.constant, g.outShape, g.n, hasColumnAxis);
  if (!scale || !bias) return std::nullopt;

  NpuConv conv;
  const auto [rows, columns] = pixelGrid(g.batch * g.m);
  NpuConvGeometry& geometry = conv.geometry;
  geometry.height = geometry.outHeight = rows;
  geometry.width = geometry.outWidth = columns;
  geometry.inChannels = g.k;
  geometry.outChannels = g.n;
  conv.input = node.inputs[0];
  conv.output = node.outputs[0];
  conv.inPixelStride = g.k;
  conv.inRowStride = columns * g.k;
  conv.outPixelStride = g.n;
  conv.outRowStride = columns * g.n;
  const TensorData& weights = *b.constant;
  conv.weights.reserve(static_cast<size_t>(g.n * g.k));
  for (int64_t j = 0; j < g.n; ++j)
    for (int64_t kk = 0; kk < g.k; ++kk) conv.weights.push_back(weights.getInt(g.bOffsets[0] + kk * g.bRowStride + j * g.bColStride));
  const auto range = npuWeightRange(conv.weights);
  if (!range) return std::nullopt;
  geometry.weightBits = range->bits;
  conv.scale = std::move(*scale);
  conv.bias = std::move(*bias);
  conv.shift = rq.shift;
  conv.signedInput = a.dtype == DType::Int8;
  conv.signedOutput = signedOutput;
  return conv;
}

}  // namespace deeploy
