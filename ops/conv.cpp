// Conv (1-D and 2-D, NCHW): groups (depthwise included), strides, dilations, explicit pads or auto_pad,
// optional per-channel bias. Integer input and weight accumulate in int32 (wrapping; the result is int32
// unless the model declares another integer type), floats compute in float32.
// Kernels: runtime/kernels/conv.h (im2col per output pixel, or direct loops for one input channel per group),
// with a fused float activation those of kernels/activation_epilogue.h.
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
  return s;
}

const OpRegistrar registrar{convSchema()};

}  // namespace

}  // namespace deeploy
