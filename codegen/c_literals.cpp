#include "codegen/c_literals.h"

#include <cmath>
#include <cstdio>
#include <cstring>

namespace deeploy {

namespace {

std::string integerLiteral(DType type, int64_t v) {
  if (type == DType::Int64 && v == INT64_MIN) return "INT64_MIN";
  if (type == DType::Int32 && v == INT32_MIN) return "INT32_MIN";
  if (type == DType::UInt32) return std::to_string(static_cast<uint32_t>(v)) + "u";
  if (type == DType::UInt64) return std::to_string(static_cast<uint64_t>(v)) + "ull";
  if (type == DType::Int64) return std::to_string(v) + "ll";
  return std::to_string(v);
}

std::string floatLiteral(double v, bool single) {
  if (std::isnan(v)) return "NAN";
  if (std::isinf(v)) return v > 0 ? "INFINITY" : "-INFINITY";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%a%s", v, single ? "f" : "");
  return buf;
}

std::string elementLiteral(const TensorData& value, int64_t i) {
  switch (value.dtype()) {
    case DType::Float32: return floatLiteral(value.getDouble(i), true);
    case DType::Float64: return floatLiteral(value.getDouble(i), false);
    case DType::BFloat16: {
      uint16_t bits;
      std::memcpy(&bits, value.data() + 2 * i, 2);
      return std::to_string(bits);
    }
    default: return integerLiteral(value.dtype(), value.getInt(i));
  }
}

}  // namespace

std::string cInitializerList(const TensorData& value) {
  std::string out;
  out.reserve(static_cast<size_t>(value.size()) * 6);
  size_t lineStart = 0;
  for (int64_t i = 0; i < value.size(); ++i) {
    if (i) out += ",";
    if (out.size() - lineStart > 100) {
      out += "\n  ";
      lineStart = out.size();
    } else if (i) {
      out += " ";
    }
    out += elementLiteral(value, i);
  }
  if (value.size() == 0) out = "0";
  return out;
}

}  // namespace deeploy
