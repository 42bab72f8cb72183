// iSiLU: int8 SiLU by a 256-entry table (semantics in ops/integer_silu.h).
#include "ops/integer_silu.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>

#include "ops/op_helpers.h"

namespace deeploy {

namespace {

// ONNX stores float attributes as float32: a bound that also keeps v * scale_in finite in double.
double readScale(const Attributes& attrs, const std::string& name) {
  double scale = attrs.getFloat(name);
  if (!(scale > 0 && scale <= std::numeric_limits<float>::max())) {
    std::ostringstream message;
    message << "attribute '" << name << "' must be a positive finite float, got " << scale;
    throw Error(message.str());
  }
  return scale;
}

double silu(double t) { return t / (1 + std::exp(-t)); }

}  // namespace

SiLUScales readSiLUScales(const Attributes& attrs) { return {readScale(attrs, "scale_in"), readScale(attrs, "scale_out")}; }

std::array<int8_t, 256> siluTable(const SiLUScales& scales) {
  std::array<int8_t, 256> table{};
  for (int v = -128; v <= 127; ++v) {
    // std::round rounds halves away from zero; an infinite quotient (a tiny scale_out) clamps like any other.
    double q = std::clamp(std::round(silu(v * scales.in) / scales.out), -128.0, 127.0);
    table[static_cast<size_t>(v + 128)] = static_cast<int8_t>(q);
  }
  return table;
}

namespace {

void inferISiLU(InferContext& ctx) {
  ctx.requireInputs(1, 1);
  readAttributes(ctx, [&] { return readSiLUScales(ctx.attrs()); });
  DType x = ctx.inputType(0);
  ctx.require(x == DType::Int8, "input 0 must be int8, got " + std::string(dtypeName(x)));
  ctx.setOutput(0, DType::Int8, ctx.inputShape(0));
}

void evaluateISiLU(const EvalArgs& args) {
  const std::array<int8_t, 256> table = siluTable(readSiLUScales(args.attrs()));
  const TensorData& x = args.in(0);
  TensorData& y = args.out(0);
  for (int64_t i = 0; i < x.size(); ++i) y.setInt(i, table[static_cast<size_t>(x.getInt(i) + 128)]);
}

void emitISiLU(KernelEmitter& e) {
  const int64_t n = e.output(0).elementCount();
  if (n == 0) return;
  const std::array<int8_t, 256> table = siluTable(readSiLUScales(e.attrs()));
  const std::vector<int64_t> values(table.begin(), table.end());
  const std::string name = e.constant(TensorData::fromInts(DType::Int8, {256}, values), "isilu_table");
  e.include("kernels/lut.h");
  e.statement(cCall("dp_lut_s8", {e.inputPtr(0), e.outputPtr(0), std::to_string(n), name}));
}

// Element-wise: tiles and core chunks cut it anywhere; every call reads the whole table.
TilingGeometry iSiLUGeometry(const Graph& graph, const Node& node) { return elementwiseGeometry(graph, node); }

const OpRegistrar registrar{{"iSiLU", inferISiLU, evaluateISiLU, emitISiLU, nullptr, false, iSiLUGeometry}};

}  // namespace

}  // namespace deeploy
