// RQConv(X, W, mul, add): an integer Conv (Conv's attributes, no bias) whose int32 result is requantized in
// the kernel's epilogue, y = clamp((acc * mul + add + 2^(s-1)) >> s, lo, hi) with RequantShift's attributes
// div = 2^s, n_levels and signed; mul and add broadcast against the output and must be per tensor or per
// output channel (axis 1). Created by the requantization fusion pass (passes/requant_fusion.h), which
// folds Conv's bias and a constant bias Add into add. Kernels: the dp_rqconv_* kernels of conv.h.
#include "ops/linalg.h"

namespace deeploy {

namespace {

void inferRequantizedConv(InferContext& ctx) {
  ctx.requireInputs(4, 4);
  for (size_t i : {0, 1}) {
    ctx.require(isInteger(ctx.inputType(i)) && ctx.inputType(i) != DType::Bool,
                std::string(i == 0 ? "X" : "W") + " must be an integer tensor, got " + std::string(dtypeName(ctx.inputType(i))));
  }
  ConvGeometry g = convGeometry(ctx.inputShape(0), ctx.inputShape(1), ctx.attrs(), failThrough(ctx));
  RequantAttributes rq = readKernelRequant(ctx.attrs(), failThrough(ctx));
  Shape out = g.outputShape();
  checkRequantParams(ctx, 2, out);
  for (size_t i : {2, 3}) {
    ctx.require(isPerChannel(ctx.inputShape(i), out), std::string(i == 2 ? "mul" : "add") + " of shape " +
                                                          shapeToString(ctx.inputShape(i)) +
                                                          " must be per tensor or per output channel");
  }
  ctx.setOutput(0, rq.outputType(), out);
}

void evaluateRequantizedConv(const EvalArgs& args) {
  FailFn fail = failWithError(args.node);
  ConvGeometry g = convGeometry(args.in(0).shape(), args.in(1).shape(), args.attrs(), fail);
  requantizeInto(integerConv(args.in(0), args.in(1), g), args.in(2), args.in(3), readKernelRequant(args.attrs(), fail),
                 args.out(0));
}

void emitRequantizedConv(KernelEmitter& e) {
  const Tensor &x = e.input(0), &w = e.input(1), &y = e.output(0);
  requireKernelTypes(e, {x.dtype, w.dtype, y.dtype});
  if (y.elementCount() == 0) return;
  FailFn fail = failWithError(e.node());
  ConvGeometry g = convGeometry(x.shape, w.shape, e.attrs(), fail);
  RequantAttributes rq = readKernelRequant(e.attrs(), fail);
  bool direct = g.oneInputChannelPerGroup();
  std::string name = std::string("dp_rqconv_") + (direct ? "direct_" : "im2col_") + typeSuffix({x.dtype, w.dtype, y.dtype});
  useKernel(e, "kernels/conv.h", direct ? "DP_DEFINE_RQCONV_DIRECT" : "DP_DEFINE_RQCONV_IM2COL", name,
            {std::string(cTypeName(x.dtype)), std::string(cTypeName(w.dtype)), std::string(cTypeName(y.dtype))});
  std::vector<std::string> args = {e.inputPtr(0), e.inputPtr(1), e.outputPtr(0),
                                   offsetArray(e, g.kernelArray(), "conv_geometry")};
  for (auto& arg : convRequantArgs(e, g, rq, 2)) args.push_back(arg);
  if (!direct) args.push_back(im2colColumn(e));
  e.statement(cCall(name, args));
}

// mul and add, per tensor or per output channel, broadcast against the output.
TilingGeometry requantizedConvTiling(const Graph& graph, const Node& node) {
  TilingGeometry g = convTiling(graph, node);
  for (size_t i : {2, 3}) g.inputs.at(i) = broadcastAxisMaps(graph.tensor(node.inputs.at(i)).shape, g.iteration);
  return g;
}

OpSchema requantizedConvSchema() {
  OpSchema s;
  s.name = "RQConv";
  s.infer = inferRequantizedConv;
  s.evaluate = evaluateRequantizedConv;
  s.emit = emitRequantizedConv;
  s.scratchBytes = convScratchBytes;
  s.tiling = requantizedConvTiling;
  return s;
}

const OpRegistrar registrar{requantizedConvSchema()};

}  // namespace

}  // namespace deeploy
