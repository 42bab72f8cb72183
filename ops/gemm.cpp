// Gemm: Y = alpha * op(A) * op(B) + beta * C, op = optional transpose (transA, transB), C optional and
// unidirectionally broadcast to [M, N]. Beyond ONNX (Deeploy's exporter): A and B may carry a leading
// batch axis ([batch, rows, columns], broadcast like MatMul's), giving Y [batch, M, N] with C broadcast
// to it; the kernel then runs once per batch. Integer operands need integral alpha and beta and accumulate in
// int32 (wrapping; the result is int32 unless the model declares another integer type); floats compute
// in float32. Kernels: runtime/kernels/gemm.h.
#include <cmath>

#include "ops/fused_activation.h"
#include "ops/linalg.h"

namespace deeploy {

namespace {

struct GemmAttributes {
  bool transA = false, transB = false;
  double alpha = 1, beta = 1;
};

GemmAttributes readGemmAttributes(const Attributes& attrs, const FailFn& fail) {
  return readAttributes(fail, [&] {
    GemmAttributes g;
    g.transA = attrs.getInt("transA", 0) != 0;
    g.transB = attrs.getInt("transB", 0) != 0;
    g.alpha = attrs.getFloat("alpha", 1.0);
    g.beta = attrs.getFloat("beta", 1.0);
    return g;
  });
}

MatMulGeometry geometryOf(const Shape& a, const Shape& b, const GemmAttributes& attrs, const FailFn& fail) {
  return gemmGeometry(a, b, attrs.transA, attrs.transB, fail);
}

void inferGemm(InferContext& ctx) {
  ctx.requireInputs(2, 3);
  requireNumeric(ctx, ctx.inputType(0), "A");
  requireNumeric(ctx, ctx.inputType(1), "B");
  GemmAttributes attrs = readGemmAttributes(ctx.attrs(), failThrough(ctx));
  MatMulGeometry g = geometryOf(ctx.inputShape(0), ctx.inputShape(1), attrs, failThrough(ctx));
  DType result = productResultType(ctx, ctx.inputType(0), ctx.inputType(1));
  if (isInteger(result)) {
    ctx.require(std::nearbyint(attrs.alpha) == attrs.alpha && std::nearbyint(attrs.beta) == attrs.beta,
                "alpha and beta must be integers when A and B are integers");
  }
  if (ctx.hasInput(2)) {
    const Shape& c = ctx.inputShape(2);
    const size_t rank = g.outShape.size();
    bool broadcasts = c.size() <= rank;
    for (size_t d = 0; broadcasts && d < c.size(); ++d) {
      int64_t target = g.outShape[rank - c.size() + d];
      broadcasts = c[d] == 1 || c[d] == target;
    }
    ctx.require(broadcasts, "C of shape " + shapeToString(c) + " does not broadcast to the output " + shapeToString(g.outShape));
    requireNumeric(ctx, ctx.inputType(2), "C");
    if (isInteger(result) && !isInteger(ctx.inputType(2))) {
      const TensorData* value = ctx.constantInput(2);
      ctx.require(value && value->allIntegral(), "C must hold integers when A and B are integers");
    }
  }
  ctx.setOutput(0, result, g.outShape);
}

void evaluateGemm(const EvalArgs& args) {
  const TensorData &a = args.in(0), &b = args.in(1);
  TensorData& y = args.out(0);
  GemmAttributes attrs = readGemmAttributes(args.attrs(), failWithError(args.node));
  MatMulGeometry g = geometryOf(a.shape(), b.shape(), attrs, failWithError(args.node));
  std::vector<int64_t> cStrides = args.has(2) ? broadcastStrides(args.in(2).shape(), g.outShape) : std::vector<int64_t>{};
  auto cOffset = [&](int64_t index) { return broadcastOffset(index, g.outShape, cStrides); };
  if (isInteger(y.dtype())) {
    auto sums = integerProducts(a, b, g);
    uint64_t alpha = static_cast<uint64_t>(static_cast<int64_t>(attrs.alpha));
    uint64_t beta = static_cast<uint64_t>(static_cast<int64_t>(attrs.beta));
    for (size_t i = 0; i < sums.size(); ++i) {
      int64_t index = static_cast<int64_t>(i);
      uint64_t c = args.has(2) ? static_cast<uint64_t>(args.in(2).getInt(cOffset(index))) : 0;
      y.setInt(index, static_cast<int64_t>(alpha * static_cast<uint64_t>(sums[i]) + beta * c));
    }
  } else {
    auto sums = floatProducts(a, b, g);
    for (size_t i = 0; i < sums.size(); ++i) {
      int64_t index = static_cast<int64_t>(i);
      double c = args.has(2) ? args.in(2).getDouble(cOffset(index)) : 0.0;
      y.setDouble(index, attrs.alpha * sums[i] + attrs.beta * c);
    }
  }
}

// The C operand as the kernel reads it (elements of the output type) with its row and column strides.
std::vector<std::string> emitBiasOperand(KernelEmitter& e, const MatMulGeometry& g, double& beta) {
  DType y = e.output(0).dtype;
  if (!e.hasInput(2)) {
    beta = 0;
    return {e.constant(TensorData(y, {1}), "gemm_no_c"), "0", "0"};
  }
  const Tensor& c = e.input(2);
  std::string pointer;
  if (c.isConstant()) {
    pointer = e.constant(c.constant->castTo(y), c.name);
  } else if (c.dtype == y) {
    pointer = e.inputPtr(2);
  } else {
    throw Error(e.node().describe() + ": a runtime C must have the output type " + std::string(dtypeName(y)));
  }
  auto strides = broadcastStrides(c.shape, g.outShape);
  const size_t rank = strides.size();
  return {pointer, std::to_string(strides[rank - 2]), std::to_string(strides[rank - 1])};
}

// C's element step from one batch of the output to the next (0 without a batch axis or when C is shared).
int64_t biasBatchStride(const KernelEmitter& e, const MatMulGeometry& g) {
  if (!e.hasInput(2) || g.outShape.size() < 3) return 0;
  return broadcastStrides(e.input(2).shape, g.outShape)[0];
}

// `pointer` advanced by `offset` elements (the pointer itself at 0).
std::string advanced(const std::string& pointer, int64_t offset) {
  return offset == 0 ? pointer : "(" + pointer + " + " + std::to_string(offset) + ")";
}

void emitGemm(KernelEmitter& e) {
  const Tensor &a = e.input(0), &b = e.input(1), &y = e.output(0);
  requireKernelTypes(e, {a.dtype, b.dtype, y.dtype});
  if (y.elementCount() == 0) return;
  GemmAttributes attrs = readGemmAttributes(e.attrs(), failWithError(e.node()));
  MatMulGeometry g = geometryOf(a.shape, b.shape, attrs, failWithError(e.node()));
  double beta = attrs.beta;
  std::vector<std::string> c = emitBiasOperand(e, g, beta);
  MatMulOperands ops = prepareMatMulOperands(e, g);
  ProductKernel kernel{productKernelHeader(ops.layout, "kernels/gemm.h"), "DP_DEFINE_GEMM_" + productMacroLayout(ops.layout),
                       "dp_gemm_" + ops.layout + "_" + typeSuffix({a.dtype, b.dtype, y.dtype}),
                       {std::string(cTypeName(a.dtype)), std::string(cTypeName(b.dtype)), accumulatorCType(y.dtype),
                        std::string(cTypeName(y.dtype))}};
  const std::vector<std::string> activationArgs = addActivationEpilogue(e, kernel);
  useKernel(e, kernel.header, kernel.macro, kernel.name, kernel.macroArgs);
  const std::vector<int64_t> bOffsets = bOperandOffsets(g, ops);
  const int64_t cBatchStride = biasBatchStride(e, g);
  for (int64_t bi = 0; bi < g.batch; ++bi) {  // one call per batch
    std::vector<std::string> args = {advanced(ops.a, g.aOffsets[bi]), advanced(ops.b, bOffsets[bi]),
                                     advanced(c[0], bi * cBatchStride), advanced(e.outputPtr(0), bi * g.m * g.n),
                                     std::to_string(g.m), std::to_string(g.n), std::to_string(g.k),
                                     accumulatorLiteral(attrs.alpha, y.dtype), accumulatorLiteral(beta, y.dtype), c[1], c[2]};
    args.insert(args.end(), activationArgs.begin(), activationArgs.end());
    e.statement(cCall(kernel.name, args));
  }
}

// See gemmTiling: op(A) follows the batch and M, op(B) the batch and N, C broadcasts against the output.
TilingGeometry gemmTilingOf(const Graph& graph, const Node& node) {
  GemmAttributes attrs = readGemmAttributes(node.attrs, failWithError(node));
  return gemmTiling(graph, node, attrs.transA, attrs.transB);
}

size_t gemmScratchBytes(const Graph& graph, const Node& node) {
  GemmAttributes attrs = readGemmAttributes(node.attrs, failWithError(node));
  const Shape &a = graph.tensor(node.inputs.at(0)).shape, &b = graph.tensor(node.inputs.at(1)).shape;
  return matmulScratchBytes(graph, node, geometryOf(a, b, attrs, failWithError(node)));
}

OpSchema gemmSchema() {
  OpSchema s;
  s.name = "Gemm";
  s.infer = inferGemm;
  s.evaluate = evaluateGemm;
  s.emit = emitGemm;
  s.scratchBytes = gemmScratchBytes;
  s.tiling = gemmTilingOf;
  s.fusesActivation = true;
  return s;
}

const OpRegistrar registrar{gemmSchema()};

}  // namespace

}  // namespace deeploy
