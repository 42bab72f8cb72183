#include "ops/integer_common.h"

#include <algorithm>
#include <cstdlib>
#include <limits>

namespace deeploy {

int log2OfPowerOfTwo(const std::string& attribute, int64_t value) {
  if (value < 1 || value > (int64_t{1} << 62) || (value & (value - 1)) != 0) {
    throw Error("attribute '" + attribute + "' must be a positive power of two, got " + std::to_string(value));
  }
  int k = 0;
  while ((int64_t{1} << k) < value) ++k;
  return k;
}

void requireByteInput(const InferContext& ctx, size_t i) {
  DType t = ctx.inputType(i);
  ctx.require(t == DType::Int8 || t == DType::UInt8,
              "input " + std::to_string(i) + " must be int8 or uint8, got " + std::string(dtypeName(t)));
}

void requireByteRows(const InferContext& ctx, const std::string& axisName) {
  requireByteInput(ctx, 0);
  ctx.require(!ctx.inputShape(0).empty(), "the input must have at least one dimension (the " + axisName + ")");
}

void requireIntegerInput(const InferContext& ctx, size_t i) {
  DType t = ctx.inputType(i);
  ctx.require(
      isInteger(t) && dtypeBits(t) <= 32,
      "input " + std::to_string(i) + " must be an integer tensor of at most 32 bits, got " + std::string(dtypeName(t)));
}

std::vector<int64_t> requireIntegerConstant(const InferContext& ctx, size_t i, const std::string& what) {
  const TensorData* value = ctx.constantInput(i);
  ctx.require(value != nullptr, what + " (input " + std::to_string(i) + ") must be a constant");
  ctx.require(value->allIntegral(), what + " (input " + std::to_string(i) + ") must hold integer values");
  return value->toInts();
}

int64_t integerMagnitude(DType t) { return std::max(std::abs(integerMin(t)), integerMax(t)); }

int64_t tensorMagnitude(const Tensor& t) {
  if (!t.constant || !t.constant->allIntegral()) return integerMagnitude(t.dtype);
  int64_t m = 0;
  for (int64_t v : t.constant->toInts()) m = std::max(m, std::abs(v));
  return m;
}

int64_t valueMagnitude(const Graph& graph, TensorId id) {
  const Tensor& t = graph.tensor(id);
  int64_t typeBound = tensorMagnitude(t);
  if (t.magnitudeBound) return std::min(typeBound, *t.magnitudeBound);
  int producer = graph.producerOf(id);
  if (t.constant || !isInteger(t.dtype) || producer < 0) return typeBound;
  const Node& node = graph.nodes[static_cast<size_t>(producer)];
  bool arithmetic = node.op == "Add" || node.op == "Sub" || node.op == "Mul";
  if (!arithmetic || node.inputs.size() != 2 || node.inputs[0] == kNoTensor || node.inputs[1] == kNoTensor) {
    return typeBound;
  }
  const Tensor &a = graph.tensor(node.inputs[0]), &b = graph.tensor(node.inputs[1]);
  if (!isInteger(a.dtype) || !isInteger(b.dtype)) return typeBound;
  __int128 ma = tensorMagnitude(a), mb = tensorMagnitude(b);
  __int128 bound = node.op == "Mul" ? ma * mb : ma + mb;
  return bound < typeBound ? static_cast<int64_t>(bound) : typeBound;
}

bool productFitsInt32(int64_t a, int64_t b, int64_t c) {
  __int128 bound = static_cast<__int128>(std::abs(a)) * std::abs(b) + std::abs(c);
  return bound <= std::numeric_limits<int32_t>::max();
}

RowView rowsOf(const Shape& shape) {
  RowView v;
  v.length = shape.back();
  v.rows = v.length == 0 ? 0 : elementCount(shape) / v.length;
  return v;
}

int64_t floorSqrt(int64_t v) {
  if (v <= 0) return 0;
  uint64_t remainder = static_cast<uint64_t>(v), root = 0, bit = uint64_t{1} << 62;
  while (bit > remainder) bit >>= 2;
  for (; bit != 0; bit >>= 2) {
    if (remainder >= root + bit) {
      remainder -= root + bit;
      root = (root >> 1) + bit;
    } else {
      root >>= 1;
    }
  }
  return static_cast<int64_t>(root);
}

int64_t floorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

Accumulator accumulator(bool wide) {
  return wide ? Accumulator{"int64_t", "dp_asr64", "a64"} : Accumulator{"int32_t", "dp_asr32", "a32"};
}

std::string cInteger(int64_t v) {
  if (v == std::numeric_limits<int64_t>::min()) return "INT64_MIN";
  if (v == std::numeric_limits<int32_t>::min()) return "INT32_MIN";
  if (v >= std::numeric_limits<int32_t>::min() && v <= std::numeric_limits<int32_t>::max()) return std::to_string(v);
  return std::to_string(v) + "LL";
}

}  // namespace deeploy
