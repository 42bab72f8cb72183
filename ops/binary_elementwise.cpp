// Add, Sub, Mul, Div, Pow: element-wise with NumPy broadcasting.
// Integers: exact 64-bit arithmetic, converted (wrapping) to the result type, int32 unless the model
// declares an integer output type. Floats: IEEE single precision; bfloat16 computes in float and rounds.
// Mixed integer and float operands compute in float.
// Tiling: element-wise over the output; a broadcast operand is read whole along its size-1 axes.
#include <cmath>
#include <map>

#include "ops/kernel_calls.h"
#include "ops/op_helpers.h"

namespace deeploy {

namespace {

enum class BinaryOp { Add, Sub, Mul, Div, Pow };

DType resultType(const InferContext& ctx) {
  DType a = ctx.inputType(0), b = ctx.inputType(1);
  if (isInteger(a) && isInteger(b)) return integerResultType(ctx, 0);
  if (a == DType::BFloat16 && b == DType::BFloat16) return DType::BFloat16;
  if (a == DType::Float64 || b == DType::Float64) return DType::Float64;
  return DType::Float32;
}

void inferBinary(InferContext& ctx) {
  ctx.requireInputs(2, 2);
  ctx.setOutput(0, resultType(ctx), broadcastShapes(ctx, ctx.inputShape(0), ctx.inputShape(1)));
}

int64_t integerPower(int64_t base, int64_t e) {
  if (e < 0) return base == 1 ? 1 : (base == -1 ? ((-e) % 2 ? -1 : 1) : 0);
  int64_t r = 1;
  for (; e; e >>= 1, base *= base) {
    if (e & 1) r *= base;
  }
  return r;
}

int64_t applyInteger(BinaryOp op, int64_t a, int64_t b) {
  switch (op) {
    case BinaryOp::Add: return a + b;
    case BinaryOp::Sub: return a - b;
    case BinaryOp::Mul: return a * b;
    case BinaryOp::Div: return b == 0 ? 0 : a / b;
    case BinaryOp::Pow: return integerPower(a, b);
  }
  return 0;
}

double applyFloat(BinaryOp op, double a, double b, bool single) {
  switch (op) {
    case BinaryOp::Add: return a + b;
    case BinaryOp::Sub: return a - b;
    case BinaryOp::Mul: return a * b;
    case BinaryOp::Div: return a / b;
    case BinaryOp::Pow: return single ? std::pow(static_cast<float>(a), static_cast<float>(b)) : std::pow(a, b);
  }
  return 0;
}

void evaluateBinary(BinaryOp op, const EvalArgs& args) {
  const TensorData &a = args.in(0), &b = args.in(1);
  TensorData& y = args.out(0);
  auto as = broadcastStrides(a.shape(), y.shape()), bs = broadcastStrides(b.shape(), y.shape());
  bool integer = isInteger(y.dtype());
  bool single = y.dtype() != DType::Float64;
  for (int64_t i = 0; i < y.size(); ++i) {
    int64_t ia = broadcastOffset(i, y.shape(), as), ib = broadcastOffset(i, y.shape(), bs);
    if (integer) {
      y.setInt(i, applyInteger(op, a.getInt(ia), b.getInt(ib)));
    } else {
      y.setDouble(i, applyFloat(op, a.getDouble(ia), b.getDouble(ib), single));
    }
  }
}

std::string opMacro(BinaryOp op, DType y) {
  static const char* names[] = {"ADD", "SUB", "MUL", "DIV", "POW"};
  std::string name = names[static_cast<int>(op)];
  if (isInteger(y)) return "DP_I" + name;
  if (y == DType::BFloat16) {
    if (op == BinaryOp::Pow) throw Error("bfloat16 Pow has no host kernel");
    return "DP_BF16_" + name;
  }
  if (y == DType::Float64) throw Error("float64 arithmetic has no host kernel; convert the model to float32");
  return "DP_F" + name;
}

// Merges adjacent output dimensions over which both operands advance contiguously, so kernels
// loop over as few dimensions as possible.
void collapseDims(Shape& shape, std::vector<int64_t>& as, std::vector<int64_t>& bs) {
  Shape s;
  std::vector<int64_t> na, nb;
  for (size_t d = 0; d < shape.size(); ++d) {
    if (shape[d] == 1 && shape.size() > 1) continue;
    if (!s.empty() && na.back() == as[d] * shape[d] && nb.back() == bs[d] * shape[d]) {
      s.back() *= shape[d];
      na.back() = as[d];
      nb.back() = bs[d];
      continue;
    }
    s.push_back(shape[d]);
    na.push_back(as[d]);
    nb.push_back(bs[d]);
  }
  if (s.empty()) s = {1}, na = {0}, nb = {0};
  shape = s, as = na, bs = nb;
}

std::string defineBinaryKernel(BinaryOp op, KernelEmitter& e) {
  const Tensor &a = e.input(0), &b = e.input(1), &y = e.output(0);
  std::string name = "dp_" + std::string(std::initializer_list<const char*>{"add", "sub", "mul", "div", "pow"}.begin()[static_cast<int>(op)]) +
                     "_" + typeSuffix({a.dtype, b.dtype, y.dtype});
  e.include("kernels/elementwise.h");
  e.definition(name, "DP_DEFINE_BINARY(" + name + ", " + std::string(cTypeName(a.dtype)) + ", " +
                         std::string(cTypeName(b.dtype)) + ", " + std::string(cTypeName(y.dtype)) + ", " +
                         opMacro(op, y.dtype) + ")");
  return name;
}

void emitBinary(BinaryOp op, KernelEmitter& e) {
  const Tensor &a = e.input(0), &b = e.input(1), &y = e.output(0);
  if (y.elementCount() == 0) return;
  std::string name = defineBinaryKernel(op, e);
  Shape shape = y.shape;
  auto as = broadcastStrides(a.shape, shape), bs = broadcastStrides(b.shape, shape);
  collapseDims(shape, as, bs);
  e.statement(cCall(name, {e.inputPtr(0), e.inputPtr(1), e.outputPtr(0), std::to_string(shape.size()),
                           int32Array(e, shape, "shape"), int32Array(e, as, "a_strides"), int32Array(e, bs, "b_strides")}));
}

OpSchema binarySchema(const std::string& name, BinaryOp op) {
  OpSchema s;
  s.name = name;
  s.infer = inferBinary;
  s.evaluate = [op](const EvalArgs& args) { evaluateBinary(op, args); };
  s.emit = [op](KernelEmitter& e) { emitBinary(op, e); };
  s.tiling = [](const Graph& graph, const Node& node) { return elementwiseGeometry(graph, node); };
  s.computesInPlace = true;  // y[i] is stored after reading the operands' elements for it
  return s;
}

const OpRegistrar registrar{binarySchema("Add", BinaryOp::Add), binarySchema("Sub", BinaryOp::Sub),
                            binarySchema("Mul", BinaryOp::Mul), binarySchema("Div", BinaryOp::Div),
                            binarySchema("Pow", BinaryOp::Pow)};

}  // namespace

std::string binaryKernel(KernelEmitter& e) {
  static const std::map<std::string, BinaryOp> ops = {
      {"Add", BinaryOp::Add}, {"Sub", BinaryOp::Sub}, {"Mul", BinaryOp::Mul}, {"Div", BinaryOp::Div}, {"Pow", BinaryOp::Pow}};
  auto it = ops.find(e.node().op);
  if (it == ops.end()) throw Error(e.node().describe() + ": not a binary element-wise operator");
  return defineBinaryKernel(it->second, e);
}

}  // namespace deeploy
