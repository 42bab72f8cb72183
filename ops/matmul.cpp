// MatMul (ONNX / NumPy matmul): batched matrix products with broadcasting batch dimensions; 1-D operands
// are promoted to matrices and the promoted dimension removed. Integer operands accumulate in int32
// (wrapping; the result type is int32 unless the model declares another integer type), floats in
// float32. Kernels: runtime/kernels/matmul.h.
#include "ops/kernel_calls.h"
#include "ops/linalg.h"

namespace deeploy {

namespace {

void inferMatMul(InferContext& ctx) {
  ctx.requireInputs(2, 2);
  requireNumeric(ctx, ctx.inputType(0), "A");
  requireNumeric(ctx, ctx.inputType(1), "B");
  MatMulGeometry g = matmulGeometry(ctx.inputShape(0), ctx.inputShape(1), failThrough(ctx));
  ctx.setOutput(0, productResultType(ctx, ctx.inputType(0), ctx.inputType(1)), g.outShape);
}

void evaluateMatMul(const EvalArgs& args) {
  const TensorData &a = args.in(0), &b = args.in(1);
  TensorData& y = args.out(0);
  MatMulGeometry g = matmulGeometry(a.shape(), b.shape(), failWithError(args.node));
  if (isInteger(y.dtype())) {
    auto sums = integerProducts(a, b, g);
    for (size_t i = 0; i < sums.size(); ++i) y.setInt(static_cast<int64_t>(i), sums[i]);
  } else {
    auto sums = floatProducts(a, b, g);
    for (size_t i = 0; i < sums.size(); ++i) y.setDouble(static_cast<int64_t>(i), sums[i]);
  }
}

void emitMatMul(KernelEmitter& e) {
  const Tensor &a = e.input(0), &b = e.input(1), &y = e.output(0);
  requireKernelTypes(e, {a.dtype, b.dtype, y.dtype});
  if (y.elementCount() == 0) return;
  MatMulGeometry g = matmulGeometry(a.shape, b.shape, failWithError(e.node()));
  e.statement(productCall(e, g, prepareMatMulOperands(e, g)).text());
}

OpSchema matmulSchema() {
  OpSchema s;
  s.name = "MatMul";
  s.infer = inferMatMul;
  s.evaluate = evaluateMatMul;
  s.emit = emitMatMul;
  s.tiling = matmulTiling;
  s.fusesActivation = true;
  return s;
}

const OpRegistrar registrar{matmulSchema()};

}  // namespace

}  // namespace deeploy
