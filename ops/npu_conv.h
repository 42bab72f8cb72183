// A node as the NPU runs it (emulator/NPU.md): one convolution task over NHWC int8/uint8 activations
// (1x1, 3x3 dense or 3x3 depthwise), with constant weights in the NPU's bit-plane layout and per-output-
// channel requantization. Operators that the NPU can run describe themselves so (OpSchema::npu); the
// engine mapping pass costs the task and code generation emits it.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "ir/graph.h"

namespace deeploy {

enum class NpuMode { Pointwise = 0, Dense3x3 = 1, Depthwise3x3 = 2 };  // CONF0's MODE values

struct NpuConvGeometry {
  NpuMode mode = NpuMode::Pointwise;
  int64_t stride = 1;
  int64_t height = 1, width = 1, outHeight = 1, outWidth = 1, inChannels = 1, outChannels = 1;
  int weightBits = 8;   // bits of the stored weights (weight - offset), 1..8
  bool requant = true;  // 8-bit requantized output; false: int32 accumulators

  int64_t kernelSize() const { return mode == NpuMode::Pointwise ? 1 : 3; }
};

struct NpuConv {
  NpuConvGeometry geometry;
  TensorId input = kNoTensor, output = kNoTensor;
  int64_t inRowStride = 0, inPixelStride = 0, outRowStride = 0, outPixelStride = 0;  // bytes
  int64_t top = 0, left = 0;
  // The weights as the node computes with them, [Co][K][K][Ci] (depthwise [Co][3][3]).
  std::vector<int64_t> weights;
  std::vector<int64_t> scale, bias;  // per output channel, int32
  int shift = 0;                     // 0..31 (div <= 2^31), with RequantShift's rounding
  bool signedInput = true, signedOutput = true;
};

// Bytes of the encoded weights, multiply-accumulates of the task (padding included).
int64_t npuWeightBytes(const NpuConvGeometry& g);
int64_t npuMacs(const NpuConvGeometry& g);
// The smallest weight (the task's WEIGHT_OFFSET) and the bits the others need above it (1..8); nullopt
// when they span more than 256 values.
struct NpuWeightRange {
  int64_t offset = 0;
  int bits = 1;
};
std::optional<NpuWeightRange> npuWeightRange(const std::vector<int64_t>& weights);
// The weights in the NPU's layout, stored as weight - offset in `bits` bit planes.
std::vector<uint8_t> encodeNpuWeights(const NpuConv& conv, const NpuWeightRange& range);

// Describes a product with a constant B (RQMatMul, RQGemm) as a pointwise convolution: A's rows are the
// pixels, K the input and N the output channels, requantized per column. nullopt when the NPU cannot run
// it: B not constant or not one matrix for all batches, A's rows not contiguous, other than 8-bit operands
// and output, requantization varying along the rows, or parameters beyond int32. (Shifts are at most 31
// and the reference wraps the sums to int32 as the NPU does.)
std::optional<NpuConv> productAsNpuConv(const Graph& graph, const Node& node);

}  // namespace deeploy
