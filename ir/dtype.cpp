#include "ir/dtype.h"

#include <array>
#include <limits>

namespace deeploy {

namespace {

struct DTypeInfo {
  DType type;
  std::string_view name;
  std::string_view cType;
  std::string_view suffix;
  size_t size;
  bool isInt;
  bool isSigned;
};

constexpr std::array<DTypeInfo, 13> kInfo{{
    {DType::Undefined, "undefined", "void", "undef", 0, false, false},
    {DType::Bool, "bool", "uint8_t", "b8", 1, true, false},
    {DType::Int8, "int8", "int8_t", "s8", 1, true, true},
    {DType::UInt8, "uint8", "uint8_t", "u8", 1, true, false},
    {DType::Int16, "int16", "int16_t", "s16", 2, true, true},
    {DType::UInt16, "uint16", "uint16_t", "u16", 2, true, false},
    {DType::Int32, "int32", "int32_t", "s32", 4, true, true},
    {DType::UInt32, "uint32", "uint32_t", "u32", 4, true, false},
    {DType::Int64, "int64", "int64_t", "s64", 8, true, true},
    {DType::UInt64, "uint64", "uint64_t", "u64", 8, true, false},
    {DType::BFloat16, "bfloat16", "uint16_t", "bf16", 2, false, true},
    {DType::Float32, "float32", "float", "f32", 4, false, true},
    {DType::Float64, "float64", "double", "f64", 8, false, true},
}};

const DTypeInfo& info(DType t) { return kInfo[static_cast<size_t>(t)]; }

}  // namespace

size_t dtypeSize(DType t) { return info(t).size; }
bool isInteger(DType t) { return info(t).isInt; }
bool isSignedInteger(DType t) { return info(t).isInt && info(t).isSigned; }
bool isFloat(DType t) { return t == DType::BFloat16 || t == DType::Float32 || t == DType::Float64; }
int dtypeBits(DType t) { return static_cast<int>(info(t).size * 8); }
std::string_view dtypeName(DType t) { return info(t).name; }
std::string_view cTypeName(DType t) { return info(t).cType; }
std::string_view kernelSuffix(DType t) { return info(t).suffix; }

int64_t integerMin(DType t) {
  switch (t) {
    case DType::Int8: return std::numeric_limits<int8_t>::min();
    case DType::Int16: return std::numeric_limits<int16_t>::min();
    case DType::Int32: return std::numeric_limits<int32_t>::min();
    case DType::Int64: return std::numeric_limits<int64_t>::min();
    default: return 0;
  }
}

int64_t integerMax(DType t) {
  switch (t) {
    case DType::Bool: return 1;
    case DType::Int8: return std::numeric_limits<int8_t>::max();
    case DType::UInt8: return std::numeric_limits<uint8_t>::max();
    case DType::Int16: return std::numeric_limits<int16_t>::max();
    case DType::UInt16: return std::numeric_limits<uint16_t>::max();
    case DType::Int32: return std::numeric_limits<int32_t>::max();
    case DType::UInt32: return std::numeric_limits<uint32_t>::max();
    case DType::Int64:
    case DType::UInt64: return std::numeric_limits<int64_t>::max();
    default: return 0;
  }
}

DType smallestIntegerType(int64_t lo, int64_t hi) {
  for (DType t : {DType::Int8, DType::UInt8, DType::Int16, DType::UInt16, DType::Int32, DType::UInt32}) {
    if (lo >= integerMin(t) && hi <= integerMax(t)) return t;
  }
  return DType::Int64;
}

DType parseDType(std::string_view name) {
  for (const auto& i : kInfo) {
    if (i.name == name) return i.type;
  }
  return DType::Undefined;
}

}  // namespace deeploy
