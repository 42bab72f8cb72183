// Max, Min, Sum, Mean: element-wise over one or more inputs with multidirectional (NumPy) broadcasting,
// all inputs of one type (ONNX opset 13). Max and Min take floats and integers and propagate NaN (a NaN
// in any input gives NaN); Sum and Mean take floats only, as the spec says. Floats compute in the
// inputs' precision in input order: ((x0 + x1) + x2) ..., Mean then divides by the input count.
// Kernels: the binary kernels of runtime/kernels/elementwise.h folded over the inputs: y = op(x0, x1)
// over the output's shape, then y = op(y, xi) in place, and for Mean y = y / n; one input is copied.
// Tiling: element-wise over the output; a broadcast input is read whole along its size-1 axes.
#include <cmath>
#include <type_traits>

#include "ops/op_helpers.h"

namespace deeploy {

namespace {

enum class VariadicOp { Max, Min, Sum, Mean };

bool acceptsIntegers(VariadicOp op) { return op == VariadicOp::Max || op == VariadicOp::Min; }

void inferVariadic(VariadicOp op, InferContext& ctx) {
  ctx.require(ctx.inputCount() >= 1, "needs at least one input");
  const DType type = ctx.inputType(0);
  Shape shape = ctx.inputShape(0);
  for (size_t i = 0; i < ctx.inputCount(); ++i) {
    ctx.require(ctx.hasInput(i), "input " + std::to_string(i) + " is omitted; every input is required");
    ctx.require(ctx.inputType(i) == type, "input " + std::to_string(i) + " is " + std::string(dtypeName(ctx.inputType(i))) +
                                              " but input 0 is " + std::string(dtypeName(type)) + "; all inputs must have one type");
    if (i > 0) shape = broadcastShapes(ctx, shape, ctx.inputShape(i));
  }
  const bool integer = isInteger(type) && type != DType::Bool;
  ctx.require(isFloat(type) || (integer && acceptsIntegers(op)),
              std::string(dtypeName(type)) + " inputs are not allowed: " +
                  (acceptsIntegers(op) ? "Max and Min take float or integer tensors" : "Sum and Mean take float tensors only (ONNX)"));
  ctx.setOutput(0, type, shape);
}

template <class T>
bool isNaN(T v) {
  if constexpr (std::is_floating_point_v<T>) return std::isnan(v);
  return false;
}

// The kernels' operations (elementwise.h's DP_FMAX_NAN, DP_IMAX, ...): a NaN accumulator stays, a NaN
// input replaces it.
template <class T>
T combine(VariadicOp op, T acc, T x) {
  switch (op) {
    case VariadicOp::Max: return isNaN(acc) || acc > x ? acc : x;
    case VariadicOp::Min: return isNaN(acc) || acc < x ? acc : x;
    case VariadicOp::Sum:
    case VariadicOp::Mean: return acc + x;
  }
  return acc;
}

// Folds the inputs for every output element in accumulator type T (the inputs' own precision).
template <class T>
void foldInputs(VariadicOp op, const EvalArgs& args, T (*read)(const TensorData&, int64_t), void (*write)(TensorData&, int64_t, T)) {
  TensorData& y = args.out(0);
  std::vector<std::vector<int64_t>> strides;
  for (const TensorData* in : args.inputs) strides.push_back(broadcastStrides(in->shape(), y.shape()));
  const T count = static_cast<T>(args.inputs.size());
  for (int64_t i = 0; i < y.size(); ++i) {
    T acc = read(args.in(0), broadcastOffset(i, y.shape(), strides[0]));
    for (size_t k = 1; k < args.inputs.size(); ++k) acc = combine(op, acc, read(args.in(k), broadcastOffset(i, y.shape(), strides[k])));
    write(y, i, op == VariadicOp::Mean ? acc / count : acc);
  }
}

void evaluateVariadic(VariadicOp op, const EvalArgs& args) {
  const DType type = args.out(0).dtype();
  if (type == DType::UInt64) {
    foldInputs<uint64_t>(
        op, args, [](const TensorData& t, int64_t i) { return static_cast<uint64_t>(t.getInt(i)); },
        [](TensorData& t, int64_t i, uint64_t v) { t.setInt(i, static_cast<int64_t>(v)); });
  } else if (isInteger(type)) {
    foldInputs<int64_t>(
        op, args, [](const TensorData& t, int64_t i) { return t.getInt(i); }, [](TensorData& t, int64_t i, int64_t v) { t.setInt(i, v); });
  } else if (type == DType::Float64) {
    foldInputs<double>(
        op, args, [](const TensorData& t, int64_t i) { return t.getDouble(i); }, [](TensorData& t, int64_t i, double v) { t.setDouble(i, v); });
  } else {  // float32, and bfloat16 computed in float and rounded when stored
    foldInputs<float>(
        op, args, [](const TensorData& t, int64_t i) { return static_cast<float>(t.getDouble(i)); },
        [](TensorData& t, int64_t i, float v) { t.setDouble(i, v); });
  }
}

// ---- Emission ----

std::string kernelStem(VariadicOp op) {
  switch (op) {
    case VariadicOp::Max: return "max";
    case VariadicOp::Min: return "min";
    case VariadicOp::Sum:
    case VariadicOp::Mean: return "sum";
  }
  return "";
}

std::string opMacro(VariadicOp op, DType type) {
  switch (op) {
    case VariadicOp::Max: return isInteger(type) ? "DP_IMAX" : "DP_FMAX_NAN";
    case VariadicOp::Min: return isInteger(type) ? "DP_IMIN" : "DP_FMIN_NAN";
    case VariadicOp::Sum:
    case VariadicOp::Mean: return "DP_SUM";
  }
  return "";
}

// Defines y = `macro`(a, b) for operands of `type` and returns the kernel's name.
std::string defineKernel(KernelEmitter& e, const std::string& stem, const std::string& macro, DType type) {
  const std::string name = "dp_" + stem + "_" + typeSuffix({type, type, type});
  const std::string c(cTypeName(type));
  e.include("kernels/elementwise.h");
  e.definition(name, "DP_DEFINE_BINARY(" + name + ", " + c + ", " + c + ", " + c + ", " + macro + ")");
  return name;
}

// Merges adjacent output dimensions over which every operand advances contiguously, and drops size-1
// dimensions, so the kernel loops over as few dimensions as possible.
void collapseDims(Shape& shape, std::vector<std::vector<int64_t>>& strides) {
  Shape merged;
  std::vector<std::vector<int64_t>> mergedStrides(strides.size());
  for (size_t d = 0; d < shape.size(); ++d) {
    if (shape[d] == 1) continue;
    bool contiguous = !merged.empty();
    for (size_t k = 0; contiguous && k < strides.size(); ++k) contiguous = mergedStrides[k].back() == strides[k][d] * shape[d];
    if (contiguous) {
      merged.back() *= shape[d];
      for (size_t k = 0; k < strides.size(); ++k) mergedStrides[k].back() = strides[k][d];
      continue;
    }
    merged.push_back(shape[d]);
    for (size_t k = 0; k < strides.size(); ++k) mergedStrides[k].push_back(strides[k][d]);
  }
  if (merged.empty()) {
    merged = {1};
    for (auto& s : mergedStrides) s = {0};
  }
  shape = merged;
  strides = mergedStrides;
}

// One call y = kernel(a, b) over the output, with a and b broadcast from their shapes.
void emitStep(KernelEmitter& e, const std::string& kernel, const std::string& a, const Shape& aShape, const std::string& b,
              const Shape& bShape) {
  Shape shape = e.output(0).shape;
  std::vector<std::vector<int64_t>> strides = {broadcastStrides(aShape, shape), broadcastStrides(bShape, shape)};
  collapseDims(shape, strides);
  e.statement(cCall(kernel, {a, b, e.outputPtr(0), std::to_string(shape.size()), int32Array(e, shape, "shape"),
                             int32Array(e, strides[0], "a_strides"), int32Array(e, strides[1], "b_strides")}));
}

void emitVariadic(VariadicOp op, KernelEmitter& e) {
  const Tensor& y = e.output(0);
  if (y.elementCount() == 0) return;
  if (y.dtype != DType::Float32 && y.dtype != DType::Float64 && !isInteger(y.dtype)) {
    throw Error(e.node().describe() + ": " + std::string(dtypeName(y.dtype)) + " has no host kernel; convert the model to float32");
  }
  const size_t n = e.node().inputs.size();
  if (n == 1) {
    e.include("kernels/copy.h");
    e.statement(cCall("dp_copy", {e.outputPtr(0), e.inputPtr(0), std::to_string(y.byteSize())}));
    return;
  }
  const std::string kernel = defineKernel(e, kernelStem(op), opMacro(op, y.dtype), y.dtype);
  // The running result is y itself, read back as the first operand (const) of every later step.
  const std::string result = "((const " + std::string(cTypeName(y.dtype)) + " *)" + e.outputPtr(0) + ")";
  emitStep(e, kernel, e.inputPtr(0), e.input(0).shape, e.inputPtr(1), e.input(1).shape);
  for (size_t i = 2; i < n; ++i) emitStep(e, kernel, result, y.shape, e.inputPtr(i), e.input(i).shape);
  if (op == VariadicOp::Mean) {
    TensorData count(y.dtype, {1});
    count.setDouble(0, static_cast<double>(n));
    emitStep(e, defineKernel(e, "quotient", "DP_QUOTIENT", y.dtype), result, y.shape, e.constant(count, "mean_count"), {1});
  }
}

OpSchema variadicSchema(const std::string& name, VariadicOp op) {
  OpSchema s;
  s.name = name;
  s.infer = [op](InferContext& ctx) { inferVariadic(op, ctx); };
  s.evaluate = [op](const EvalArgs& args) { evaluateVariadic(op, args); };
  s.emit = [op](KernelEmitter& e) { emitVariadic(op, e); };
  s.tiling = [](const Graph& graph, const Node& node) { return elementwiseGeometry(graph, node); };
  return s;
}

const OpRegistrar registrar{variadicSchema("Max", VariadicOp::Max), variadicSchema("Min", VariadicOp::Min),
                            variadicSchema("Sum", VariadicOp::Sum), variadicSchema("Mean", VariadicOp::Mean)};

}  // namespace

}  // namespace deeploy
