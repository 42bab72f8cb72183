// Element types of tensors and their properties.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace deeploy {

enum class DType : uint8_t {
  Undefined,
  Bool,
  Int8,
  UInt8,
  Int16,
  UInt16,
  Int32,
  UInt32,
  Int64,
  UInt64,
  BFloat16,
  Float32,
  Float64,
};

size_t dtypeSize(DType t);
bool isInteger(DType t);  // Bool counts as an (unsigned) integer
bool isSignedInteger(DType t);
bool isFloat(DType t);
int dtypeBits(DType t);

// Lower-case short name used in messages and reports: "int8", "float32".
std::string_view dtypeName(DType t);
// The C99 type that stores one element ("int8_t", "float"; bfloat16 is "uint16_t").
std::string_view cTypeName(DType t);
// Short suffix used in runtime kernel names: "s8", "u8", "s32", "f32".
std::string_view kernelSuffix(DType t);

// Smallest integer type holding every value in [lo, hi]; signed types are preferred at equal width
// (int8 before uint8), which is how Deeploy types its test inputs.
DType smallestIntegerType(int64_t lo, int64_t hi);
// Value range of an integer type.
int64_t integerMin(DType t);
int64_t integerMax(DType t);

// Parses dtypeName() back; returns Undefined for unknown names.
DType parseDType(std::string_view name);

}  // namespace deeploy
