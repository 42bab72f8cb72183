// A dense, row-major, typed N-d array: constants in the IR, values in the reference interpreter,
// arrays read from and written to npz files.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "ir/dtype.h"

namespace deeploy {

using Shape = std::vector<int64_t>;

int64_t elementCount(const Shape& shape);
// The most elements a tensor may have: more is taken for a corrupt or malicious model (no target holds it).
constexpr int64_t kMaxTensorElements = int64_t{1} << 32;
// Whether a shape of non-negative dimensions has more than kMaxTensorElements elements (without computing
// a product that may not fit int64_t).
bool exceedsMaxElements(const Shape& shape);
std::string shapeToString(const Shape& shape);  // "[1, 16, 0, 4]"
// Row-major strides in elements.
std::vector<int64_t> rowMajorStrides(const Shape& shape);

// Rounds a float to the nearest bfloat16 (ties to even) and back.
uint16_t floatToBFloat16(float v);
float bfloat16ToFloat(uint16_t v);

class TensorData {
 public:
  TensorData() = default;
  TensorData(DType dtype, Shape shape);  // zero-filled

  static TensorData fromInts(DType dtype, Shape shape, std::span<const int64_t> values);
  static TensorData fromDoubles(DType dtype, Shape shape, std::span<const double> values);
  static TensorData scalarInt(DType dtype, int64_t v) { return fromInts(dtype, {}, std::vector<int64_t>{v}); }

  DType dtype() const { return dtype_; }
  const Shape& shape() const { return shape_; }
  int64_t size() const { return static_cast<int64_t>(elementCount(shape_)); }
  size_t byteSize() const { return bytes_.size(); }
  const std::byte* data() const { return bytes_.data(); }
  std::byte* data() { return bytes_.data(); }

  // Element access with conversion. Integer reads of float data truncate toward zero;
  // writes wrap integers to the element type (two's complement) and round floats to the type.
  int64_t getInt(int64_t i) const;
  double getDouble(int64_t i) const;
  void setInt(int64_t i, int64_t v);
  void setDouble(int64_t i, double v);

  std::vector<int64_t> toInts() const;
  std::vector<double> toDoubles() const;

  // Same values, other element type (integers wrap, floats round to the target type; float to
  // integer truncates toward zero as C does).
  TensorData castTo(DType target) const;
  // Same bytes, other shape (element count must match).
  TensorData reshaped(Shape shape) const;

  // True if every element is an integer value (always true for integer types).
  bool allIntegral() const;
  // Minimum and maximum as integers (requires allIntegral(); {0, 0} for an empty tensor).
  std::pair<int64_t, int64_t> integerRange() const;

  bool operator==(const TensorData& other) const = default;

 private:
  DType dtype_ = DType::Undefined;
  Shape shape_;
  std::vector<std::byte> bytes_;
};

// `src` placed at the origin of a zero tensor of `shape` (no axis shorter than src's), and the reverse:
// the region of `src` at its origin of `shape`. They move KV caches between fixed-length networks and
// caches of a larger capacity.
TensorData placedAtOrigin(const TensorData& src, const Shape& shape);
TensorData regionAtOrigin(const TensorData& src, const Shape& shape);

}  // namespace deeploy
