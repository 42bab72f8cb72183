// RQMatMul and RQGemm: an integer MatMul / Gemm whose int32 result is requantized in the kernel's
// epilogue, y = clamp((acc * mul + add + 2^(s-1)) >> s, lo, hi) with RequantShift's attributes div = 2^s,
// n_levels and signed; mul and add broadcast against the output like RequantShift's. Created by the
// requantization fusion pass (passes/requant_fusion.h), which folds Gemm's alpha, beta and C and a
// constant bias Add into mul and add, so RQGemm has no C:
//   RQMatMul(A, B, mul, add)                           MatMul semantics for A and B
//   RQGemm(A, B, mul, add), attributes transA, transB  y = requant(op(A) * op(B))
// Kernels: the dp_rqmatmul_* kernels of runtime/kernels/matmul.h; with a constant B, the NPU as a
// pointwise convolution (ops/npu_conv.h).
#include "ops/kernel_calls.h"
#include "ops/linalg.h"
#include "ops/npu_conv.h"

namespace deeploy {

namespace {

enum class Product { MatMul, Gemm };

struct Transposes {
  bool a = false, b = false;
};

Transposes readTransposes(const Attributes& attrs, const FailFn& fail) {
  return readAttributes(fail, [&] { return Transposes{attrs.getInt("transA", 0) != 0, attrs.getInt("transB", 0) != 0}; });
}

MatMulGeometry geometryOf(Product p, const Shape& a, const Shape& b, const Attributes& attrs, const FailFn& fail) {
  if (p == Product::MatMul) return matmulGeometry(a, b, fail);
  Transposes t = readTransposes(attrs, fail);
  return gemmGeometry(a, b, t.a, t.b, fail);
}

TilingGeometry tilingOf(Product p, const Graph& graph, const Node& node) {
  if (p == Product::MatMul) return matmulTiling(graph, node);
  Transposes t = readTransposes(node.attrs, failWithError(node));
  return gemmTiling(graph, node, t.a, t.b);
}

void inferRequantized(Product p, InferContext& ctx) {
  ctx.requireInputs(4, 4);
  for (size_t i : {0, 1}) {
    ctx.require(isInteger(ctx.inputType(i)) && ctx.inputType(i) != DType::Bool,
                std::string(i == 0 ? "A" : "B") + " must be an integer tensor, got " + std::string(dtypeName(ctx.inputType(i))));
  }
  MatMulGeometry g = geometryOf(p, ctx.inputShape(0), ctx.inputShape(1), ctx.attrs(), failThrough(ctx));
  RequantAttributes rq = readKernelRequant(ctx.attrs(), failThrough(ctx));
  checkRequantParams(ctx, 2, g.outShape);
  ctx.setOutput(0, rq.outputType(), g.outShape);
}

void evaluateRequantized(Product p, const EvalArgs& args) {
  FailFn fail = failWithError(args.node);
  MatMulGeometry g = geometryOf(p, args.in(0).shape(), args.in(1).shape(), args.attrs(), fail);
  requantizeInto(integerProducts(args.in(0), args.in(1), g), args.in(2), args.in(3), readKernelRequant(args.attrs(), fail),
                 args.out(0));
}

void emitRequantized(Product p, KernelEmitter& e) {
  const Tensor &a = e.input(0), &b = e.input(1), &y = e.output(0);
  requireKernelTypes(e, {a.dtype, b.dtype, y.dtype});
  if (y.elementCount() == 0) return;
  FailFn fail = failWithError(e.node());
  MatMulGeometry g = geometryOf(p, a.shape, b.shape, e.attrs(), fail);
  e.statement(productCall(e, g, prepareMatMulOperands(e, g)).text());
}

OpSchema requantizedSchema(const std::string& name, Product p) {
  OpSchema s;
  s.name = name;
  s.infer = [p](InferContext& ctx) { inferRequantized(p, ctx); };
  s.evaluate = [p](const EvalArgs& args) { evaluateRequantized(p, args); };
  s.emit = [p](KernelEmitter& e) { emitRequantized(p, e); };
  s.scratchBytes = [p](const Graph& graph, const Node& node) {
    const Shape &a = graph.tensor(node.inputs.at(0)).shape, &b = graph.tensor(node.inputs.at(1)).shape;
    return matmulScratchBytes(graph, node, geometryOf(p, a, b, node.attrs, failWithError(node)));
  };
  s.tiling = [p](const Graph& graph, const Node& node) { return tilingOf(p, graph, node); };
  s.npu = productAsNpuConv;
  return s;
}

const OpRegistrar registrar{requantizedSchema("RQMatMul", Product::MatMul), requantizedSchema("RQGemm", Product::Gemm)};

}  // namespace

}  // namespace deeploy
