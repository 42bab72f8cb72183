// Conv (1-D and 2-D, NCHW): groups (depthwise included), strides, dilations, explicit pads or auto_pad,
// optional per-channel bias. Integer input and weight accumulate in int32 (wrapping; the result is int32
// unless the model declares another integer type), floats compute in float32.
// Kernels: runtime/kernels/conv.h (im2col per output pixel, or direct loops for one input channel per group),
// with a fused float activation those of kernels/activation_epilogue.h.
#include <limits>
#include <optional>

#include "ops/fused_activation.h"
#include "ops/linalg.h"

namespace deeploy {

namespace {

void inferConv(InferContext& ctx) { inferConvolution(ctx, convGeometry); }

void evaluateConv(const EvalArgs& args) {
  const TensorData &x = args.in(0), &w = args.in(1);
  ConvGeometry g = convGeometry(x.shape(), w.shape(), args.attrs(), failWithError(args.node));
  if (isInteger(args.out(0).dtype())) {
    storeWithChannelBias(args, g, integerConv(x, w, g));
  } else {
    storeWithChannelBias(args, g, floatConv(x, w, g));
  }
}

void emitConv(KernelEmitter& e) {
  const Tensor &x = e.input(0), &w = e.input(1), &y = e.output(0);
  requireKernelTypes(e, {x.dtype, w.dtype, y.dtype});
  if (y.elementCount() == 0) return;
  ConvGeometry g = convGeometry(x.shape, w.shape, e.attrs(), failWithError(e.node()));
  bool direct = g.oneInputChannelPerGroup();
  ProductKernel kernel{"kernels/conv.h", direct ? "DP_DEFINE_CONV_DIRECT" : "DP_DEFINE_CONV_IM2COL",
                       std::string("dp_conv_") + (direct ? "direct_" : "im2col_") + typeSuffix({x.dtype, w.dtype, y.dtype}),
                       {std::string(cTypeName(x.dtype)), std::string(cTypeName(w.dtype)), accumulatorCType(y.dtype),
                        std::string(cTypeName(y.dtype))}};
  std::vector<std::string> activationArgs = addActivationEpilogue(e, kernel);
  useKernel(e, kernel.header, kernel.macro, kernel.name, kernel.macroArgs);
  std::vector<std::string> args = {e.inputPtr(0), e.inputPtr(1), channelBiasOperand(e), e.outputPtr(0),
                                   offsetArray(e, g.kernelArray(), "conv_geometry")};
  if (!direct) args.push_back(im2colColumn(e));
  args.insert(args.end(), activationArgs.begin(), activationArgs.end());
  e.statement(cCall(kernel.name, args));
}

// The first element of the direct loops' input that output (channel m, row oh, column ow) reads, as conv.h
// clips its window; -1 when the window lies wholly in the padding.
int64_t firstReadOfDirectOutput(const ConvGeometry& g, int64_t bn, int64_t m, int64_t oh, int64_t ow) {
  auto firstTap = [&](int axis, int64_t start) -> std::optional<int64_t> {
    for (int64_t k = 0; k < g.kernel[axis]; ++k) {
      const int64_t at = start + k * g.dilation[axis];
      if (at >= 0 && at < g.in[axis]) return at;
    }
    return std::nullopt;
  };
  auto row = firstTap(0, oh * g.stride[0] - g.padBegin[0]);
  auto column = firstTap(1, ow * g.stride[1] - g.padBegin[1]);
  if (!row || !column) return -1;
  const int64_t channel = bn * g.inChannels + m / (g.outChannels / g.group);
  return (channel * g.in[0] + *row) * g.in[1] + *column;
}

// The float direct loops (conv.h, no SIMD hook for floats) store the outputs in NCHW order, each after
// reading its window: with the output over the input from its start, output element i may only overwrite
// input elements that no later output reads, i < the first element any later output reads.
bool directConvStoresBehindReads(const Graph& graph, const Node& node) {
  const Tensor &x = graph.tensor(node.inputs[0]), &w = graph.tensor(node.inputs[1]), &y = graph.tensor(node.outputs[0]);
  if (x.dtype != DType::Float32 || y.dtype != DType::Float32) return false;
  const ConvGeometry g = convGeometry(x.shape, w.shape, node.attrs, failWithError(node));
  if (!g.oneInputChannelPerGroup()) return false;
  int64_t laterReads = std::numeric_limits<int64_t>::max();
  int64_t index = y.elementCount();
  for (int64_t bn = g.batch - 1; bn >= 0; --bn) {
    for (int64_t m = g.outChannels - 1; m >= 0; --m) {
      for (int64_t oh = g.out[0] - 1; oh >= 0; --oh) {
        for (int64_t ow = g.out[1] - 1; ow >= 0; --ow) {
          if (--index >= laterReads) return false;
          const int64_t first = firstReadOfDirectOutput(g, bn, m, oh, ow);
          if (first >= 0) laterReads = std::min(laterReads, first);
        }
      }
    }
  }
  return true;
}

// Conv's bias follows the output channels.
TilingGeometry convWithBiasTiling(const Graph& graph, const Node& node) {
  TilingGeometry g = convTiling(graph, node);
  if (node.inputs.size() > 2 && node.inputs[2] != kNoTensor) g.inputs[2] = {AxisMap::follow(1)};
  return g;
}

OpSchema convSchema() {
  OpSchema s;
  s.name = "Conv";
  s.infer = inferConv;
  s.evaluate = evaluateConv;
  s.emit = emitConv;
  s.scratchBytes = convScratchBytes;
  s.tiling = convWithBiasTiling;
  s.fusesActivation = true;
  s.storesBehindReads = directConvStoresBehindReads;
  return s;
}

const OpRegistrar registrar{convSchema()};

}  // namespace

}  // namespace deeploy
