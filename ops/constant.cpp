// Constant and Shape: values known at compile time. Constant nodes fold away (no inputs); Shape's
// output is set as a constant during inference, because shapes are static, so the node never reaches
// code generation and chains like Shape -> Gather -> Concat -> Reshape fold too.
#include <algorithm>

#include "ops/data_movement.h"
#include "ops/op_helpers.h"

namespace deeploy {

namespace {

// The value of a Constant node from whichever attribute form it uses.
TensorData constantValue(const InferContext& ctx) {
  const Attributes& a = ctx.attrs();
  std::vector<std::string> present;
  for (const char* name : {"value", "value_float", "value_floats", "value_int", "value_ints", "value_string",
                           "value_strings", "sparse_value"}) {
    if (a.has(name)) present.push_back(name);
  }
  ctx.require(present.size() == 1, "needs exactly one value attribute, has " + std::to_string(present.size()));
  const std::string& which = present[0];
  if (which == "value") return a.getTensor("value");
  if (which == "value_float")
    return TensorData::fromDoubles(DType::Float32, {}, std::vector<double>{a.getFloat(which)});
  if (which == "value_int") return TensorData::scalarInt(DType::Int64, a.getInt(which));
  if (which == "value_floats") {
    auto v = a.getFloats(which);
    return TensorData::fromDoubles(DType::Float32, {static_cast<int64_t>(v.size())}, v);
  }
  if (which == "value_ints") {
    auto v = a.getInts(which);
    return TensorData::fromInts(DType::Int64, {static_cast<int64_t>(v.size())}, v);
  }
  ctx.fail("attribute '" + which + "' is not supported (string and sparse constants)");
}

void inferConstant(InferContext& ctx) {
  ctx.requireInputs(0, 0);
  TensorData value = constantValue(ctx);
  ctx.setOutput(0, value.dtype(), value.shape());
}

void evaluateConstant(const EvalArgs& args) {
  const Attributes& a = args.attrs();
  TensorData& y = args.out(0);
  if (a.has("value")) {
    y = a.getTensor("value");
  } else if (a.has("value_float") || a.has("value_floats")) {
    auto v = a.getFloats(a.has("value_float") ? "value_float" : "value_floats");
    for (size_t i = 0; i < v.size(); ++i) y.setDouble(static_cast<int64_t>(i), v[i]);
  } else {
    auto v = a.getInts(a.has("value_int") ? "value_int" : "value_ints");
    for (size_t i = 0; i < v.size(); ++i) y.setInt(static_cast<int64_t>(i), v[i]);
  }
}

// Shape's [start, end) range of dimensions (opset 15), clamped like Python slicing.
std::pair<int64_t, int64_t> shapeRange(const Attributes& attrs, int64_t rank) {
  auto clampIndex = [rank](int64_t i) { return std::clamp(i < 0 ? i + rank : i, int64_t{0}, rank); };
  int64_t start = clampIndex(attrs.getInt("start", 0)), end = clampIndex(attrs.getInt("end", rank));
  return {start, std::max(start, end)};
}

TensorData shapeValue(const Shape& shape, const Attributes& attrs) {
  auto [start, end] = shapeRange(attrs, static_cast<int64_t>(shape.size()));
  std::vector<int64_t> dims(shape.begin() + start, shape.begin() + end);
  return TensorData::fromInts(DType::Int64, {end - start}, dims);
}

void inferShape(InferContext& ctx) {
  ctx.requireInputs(1, 1);
  TensorData value = shapeValue(ctx.inputShape(0), ctx.attrs());
  ctx.setOutput(0, DType::Int64, value.shape());
  TensorId out = ctx.outputCount() > 0 ? ctx.node().outputs[0] : kNoTensor;
  if (out != kNoTensor) ctx.graph().tensor(out).constant = std::move(value);
}

void evaluateShape(const EvalArgs& args) { args.out(0) = shapeValue(args.in(0).shape(), args.attrs()); }

const OpRegistrar registrar{
    {"Constant", inferConstant, evaluateConstant, nullptr, nullptr, false},
    {"Shape", inferShape, evaluateShape, nullptr, nullptr, false},
};

}  // namespace

}  // namespace deeploy
