#include "ops/quantization.h"

#include <cmath>

namespace deeploy {

bool isQuantizedType(DType t, bool sixteenBit) {
  if (t == DType::Int8 || t == DType::UInt8) return true;
  return sixteenBit && (t == DType::Int16 || t == DType::UInt16);
}

void requireFloatScale(InferContext& ctx, size_t i, const std::string& what) {
  if (ctx.constantInput(i) && isInteger(ctx.inputType(i))) ctx.convertConstantInput(i, DType::Float32);
  ctx.require(ctx.inputType(i) == DType::Float32,
              what + " must be float32, got " + std::string(dtypeName(ctx.inputType(i))));
}

void requirePerTensor(const InferContext& ctx, size_t i, const std::string& what) {
  ctx.require(ctx.input(i).elementCount() == 1,
              what + " must hold one value (per tensor), got shape " + shapeToString(ctx.inputShape(i)));
}

int64_t saturateIntegral(float v, DType t) {
  if (std::isnan(v)) return 0;
  const int64_t lo = integerMin(t), hi = integerMax(t);
  if (v <= static_cast<float>(lo)) return lo;
  if (v >= static_cast<float>(hi)) return hi;
  return static_cast<int64_t>(v);
}

std::string saturateFunction(DType t) {
  switch (t) {
    case DType::Int8: return "dp_f32_to_s8";
    case DType::UInt8: return "dp_f32_to_u8";
    case DType::Int16: return "dp_f32_to_s16";
    case DType::UInt16: return "dp_f32_to_u16";
    default: throw Error("no saturating conversion from float to " + std::string(dtypeName(t)));
  }
}

float scaleAt(const TensorData& scale, int64_t i) { return static_cast<float>(scale.getDouble(i)); }

std::string optionalInputPtr(const KernelEmitter& e, size_t i) { return e.hasInput(i) ? e.inputPtr(i) : "NULL"; }

int64_t parameterStride(const Shape& parameter) { return elementCount(parameter) == 1 ? 0 : 1; }

}  // namespace deeploy
