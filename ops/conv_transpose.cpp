// ConvTranspose (1-D and 2-D, NCHW): groups, strides, dilations, pads or auto_pad, output_padding,
// output_shape, optional per-channel bias. Integer input and weight accumulate in int32 (wrapping),
// floats compute in float32. Kernel: runtime/kernels/conv_transpose.h.
#include "ops/linalg.h"

namespace deeploy {

namespace {

// y[n][m][oh][ow] += x[n][c][ih][iw] * w[c][m % (M/group)][kh][kw] for oh = ih * stride - pad + kh * dilation
// (and likewise for ow), the scatter form of the definition.
template <class Acc>
std::vector<Acc> transposedConvolve(const ConvGeometry& g, const TensorData& x, const TensorData& w) {
  int64_t groupIn = g.inChannels / g.group, groupOut = g.outChannels / g.group, pixels = g.outputPixels();
  std::vector<Acc> out(static_cast<size_t>(g.batch * g.outChannels * pixels), Acc{0});
  for (int64_t n = 0; n < g.batch; ++n) {
    for (int64_t c = 0; c < g.inChannels; ++c) {
      for (int64_t mi = 0; mi < groupOut; ++mi) {
        int64_t m = (c / groupIn) * groupOut + mi;
        for (int64_t ih = 0; ih < g.in[0]; ++ih) {
          for (int64_t iw = 0; iw < g.in[1]; ++iw) {
            Acc v = valueAs<Acc>(x, ((n * g.inChannels + c) * g.in[0] + ih) * g.in[1] + iw);
            for (int64_t kh = 0; kh < g.kernel[0]; ++kh) {
              int64_t oh = ih * g.stride[0] - g.padBegin[0] + kh * g.dilation[0];
              if (oh < 0 || oh >= g.out[0]) continue;
              for (int64_t kw = 0; kw < g.kernel[1]; ++kw) {
                int64_t ow = iw * g.stride[1] - g.padBegin[1] + kw * g.dilation[1];
                if (ow < 0 || ow >= g.out[1]) continue;
                out[static_cast<size_t>((n * g.outChannels + m) * pixels + oh * g.out[1] + ow)] +=
                    v * valueAs<Acc>(w, ((c * groupOut + mi) * g.kernel[0] + kh) * g.kernel[1] + kw);
              }
            }
          }
        }
      }
    }
  }
  return out;
}

void inferConvTranspose(InferContext& ctx) { inferConvolution(ctx, convTransposeGeometry); }

void evaluateConvTranspose(const EvalArgs& args) {
  const TensorData &x = args.in(0), &w = args.in(1);
  ConvGeometry g = convTransposeGeometry(x.shape(), w.shape(), args.attrs(), failWithError(args.node));
  if (isInteger(args.out(0).dtype())) {
    storeWithChannelBias(args, g, asInt64(transposedConvolve<uint64_t>(g, x, w)));
  } else {
    storeWithChannelBias(args, g, transposedConvolve<double>(g, x, w));
  }
}

void emitConvTranspose(KernelEmitter& e) {
  const Tensor &x = e.input(0), &w = e.input(1), &y = e.output(0);
  requireKernelTypes(e, {x.dtype, w.dtype, y.dtype});
  if (y.elementCount() == 0) return;
  ConvGeometry g = convTransposeGeometry(x.shape, w.shape, e.attrs(), failWithError(e.node()));
  std::string name = "dp_conv_transpose_" + typeSuffix({x.dtype, w.dtype, y.dtype});
  useKernel(e, "kernels/conv_transpose.h", "DP_DEFINE_CONV_TRANSPOSE", name,
            {std::string(cTypeName(x.dtype)), std::string(cTypeName(w.dtype)), accumulatorCType(y.dtype),
             std::string(cTypeName(y.dtype))});
  e.statement(cCall(name, {e.inputPtr(0), e.inputPtr(1), channelBiasOperand(e), e.outputPtr(0),
                           offsetArray(e, g.kernelArray(), "conv_transpose_geometry")}));
}

// Batches split, and without groups output channels (W's second axis, the bias); the spatial axes stay
// whole: each input pixel scatters into a window of outputs, and output_shape / output_padding would
// not hold for a tile.
TilingGeometry convTransposeTiling(const Graph& graph, const Node& node) {
  const Shape &x = graph.tensor(node.inputs.at(0)).shape, &w = graph.tensor(node.inputs.at(1)).shape;
  ConvGeometry c = convTransposeGeometry(x, w, node.attrs, failWithError(node));
  TilingGeometry g = outputTiling(graph, node);
  for (size_t a = 2; a < g.iteration.size(); ++a) g.splittable[a] = false;
  g.splittable[1] = c.group == 1;
  g.inputs[0][0] = AxisMap::follow(0);
  g.inputs[1][1] = AxisMap::follow(1);
  if (node.inputs.size() > 2 && node.inputs[2] != kNoTensor) g.inputs[2] = {AxisMap::follow(1)};
  return g;
}

OpSchema convTransposeSchema() {
  OpSchema s;
  s.name = "ConvTranspose";
  s.infer = inferConvTranspose;
  s.evaluate = evaluateConvTranspose;
  s.emit = emitConvTranspose;
  s.tiling = convTransposeTiling;
  return s;
}

const OpRegistrar registrar{convTransposeSchema()};

}  // namespace

}  // namespace deeploy
