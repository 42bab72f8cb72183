// Cast: element type conversion with convertElements' semantics (ops/data_movement.h).
// Float to integer truncates toward zero and saturates (NaN gives 0): ONNX leaves out-of-range results
// undefined, and saturating keeps the C kernel free of undefined behaviour.
#include <array>
#include <tuple>

#include "ops/data_movement.h"
#include "ops/op_helpers.h"

namespace deeploy {

namespace {

// ONNX TensorProto.DataType codes and the names Cast-1 used for them.
constexpr std::array<std::tuple<int64_t, const char*, DType>, 12> kOnnxTypes{{
    {1, "FLOAT", DType::Float32},
    {2, "UINT8", DType::UInt8},
    {3, "INT8", DType::Int8},
    {4, "UINT16", DType::UInt16},
    {5, "INT16", DType::Int16},
    {6, "INT32", DType::Int32},
    {7, "INT64", DType::Int64},
    {9, "BOOL", DType::Bool},
    {11, "DOUBLE", DType::Float64},
    {12, "UINT32", DType::UInt32},
    {13, "UINT64", DType::UInt64},
    {16, "BFLOAT16", DType::BFloat16},
}};

DType targetType(const InferContext& ctx) {
  const Attributes& a = ctx.attrs();
  ctx.require(a.has("to"), "needs the 'to' attribute");
  if (auto* name = std::get_if<std::string>(&a.all().at("to"))) {
    for (const auto& [code, onnxName, type] : kOnnxTypes) {
      if (*name == onnxName) return type;
    }
    ctx.fail("cannot cast to '" + *name + "': supported are the integer types, bool, float, double and bfloat16");
  }
  int64_t to = a.getInt("to");
  for (const auto& [code, onnxName, type] : kOnnxTypes) {
    if (to == code) return type;
  }
  ctx.fail("cannot cast to ONNX type " + std::to_string(to) +
           ": supported are the integer types, bool, float, double and bfloat16 (not float16, strings or complex)");
}

void inferCast(InferContext& ctx) {
  ctx.requireInputs(1, 1);
  ctx.setOutput(0, targetType(ctx), ctx.inputShape(0));
}

void evaluateCast(const EvalArgs& args) { args.out(0) = convertElements(args.in(0), args.out(0).dtype()); }

void emitCast(KernelEmitter& e) {
  const Tensor &x = e.input(0), &y = e.output(0);
  if (y.elementCount() == 0) return;
  if (x.dtype == y.dtype) {
    e.include("kernels/copy.h");
    e.statement(cCall("dp_copy_bytes", {e.outputPtr(0), e.inputPtr(0), std::to_string(y.byteSize()) + "u"}));
    return;
  }
  emitConvertingCopy(e, e.outputPtr(0), e.inputPtr(0), x.dtype, y.dtype, 1, y.elementCount(), 0);
}

OpSchema castSchema() {
  OpSchema s;
  s.name = "Cast";
  s.infer = inferCast;
  s.evaluate = evaluateCast;
  s.emit = emitCast;
  s.tiling = [](const Graph& graph, const Node& node) { return elementwiseGeometry(graph, node); };
  return s;
}

const OpRegistrar registrar{castSchema()};

}  // namespace

}  // namespace deeploy
