#include "ir/tensor_data.h"

#include "ir/error.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>

namespace deeploy {

int64_t elementCount(const Shape& shape) {
  int64_t n = 1;
  for (int64_t d : shape) {
    // Shapes come from model files: a product beyond int64_t is a corrupt model, not undefined behaviour.
    if (__builtin_mul_overflow(n, d, &n)) throw Error("the shape " + shapeToString(shape) + " has too many elements to count");
  }
  return n;
}

bool exceedsMaxElements(const Shape& shape) {
  if (std::find(shape.begin(), shape.end(), 0) != shape.end()) return false;
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0) return false;  // not a shape of elements (dynamic), reported where it matters
    if (d > kMaxTensorElements / n) return true;
    n *= d;
  }
  return false;
}

std::string shapeToString(const Shape& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) s += ", ";
    s += std::to_string(shape[i]);
  }
  return s + "]";
}

std::vector<int64_t> rowMajorStrides(const Shape& shape) {
  std::vector<int64_t> strides(shape.size(), 1);
  for (size_t i = shape.size(); i-- > 1;) strides[i - 1] = strides[i] * shape[i];
  return strides;
}

uint16_t floatToBFloat16(float v) {
  uint32_t bits;
  std::memcpy(&bits, &v, 4);
  if (std::isnan(v)) return static_cast<uint16_t>((bits >> 16) | 0x40);
  uint32_t roundingBias = 0x7FFF + ((bits >> 16) & 1);
  return static_cast<uint16_t>((bits + roundingBias) >> 16);
}

float bfloat16ToFloat(uint16_t v) {
  uint32_t bits = static_cast<uint32_t>(v) << 16;
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

TensorData::TensorData(DType dtype, Shape shape)
    : dtype_(dtype), shape_(std::move(shape)), bytes_(static_cast<size_t>(elementCount(shape_)) * dtypeSize(dtype)) {
  for (int64_t d : shape_) {
    if (d < 0) throw std::invalid_argument("negative dimension in tensor shape " + shapeToString(shape_));
  }
}

TensorData TensorData::fromInts(DType dtype, Shape shape, std::span<const int64_t> values) {
  TensorData t(dtype, std::move(shape));
  if (static_cast<int64_t>(values.size()) != t.size()) throw std::invalid_argument("value count does not match shape");
  for (int64_t i = 0; i < t.size(); ++i) t.setInt(i, values[i]);
  return t;
}

TensorData TensorData::fromDoubles(DType dtype, Shape shape, std::span<const double> values) {
  TensorData t(dtype, std::move(shape));
  if (static_cast<int64_t>(values.size()) != t.size()) throw std::invalid_argument("value count does not match shape");
  for (int64_t i = 0; i < t.size(); ++i) t.setDouble(i, values[i]);
  return t;
}

namespace {

template <typename T>
T load(const std::byte* p, int64_t i) {
  T v;
  std::memcpy(&v, p + i * static_cast<int64_t>(sizeof(T)), sizeof(T));
  return v;
}

template <typename T>
void store(std::byte* p, int64_t i, T v) {
  std::memcpy(p + i * static_cast<int64_t>(sizeof(T)), &v, sizeof(T));
}

// Float to integer as C converts: truncation toward zero, saturated to int64 to stay defined.
int64_t truncateToInt(double v) {
  if (std::isnan(v)) return 0;
  if (v >= 9.2233720368547758e18) return std::numeric_limits<int64_t>::max();
  if (v <= -9.2233720368547758e18) return std::numeric_limits<int64_t>::min();
  return static_cast<int64_t>(v);
}

}  // namespace

int64_t TensorData::getInt(int64_t i) const {
  const std::byte* p = bytes_.data();
  switch (dtype_) {
    case DType::Bool:
    case DType::UInt8: return load<uint8_t>(p, i);
    case DType::Int8: return load<int8_t>(p, i);
    case DType::Int16: return load<int16_t>(p, i);
    case DType::UInt16: return load<uint16_t>(p, i);
    case DType::Int32: return load<int32_t>(p, i);
    case DType::UInt32: return load<uint32_t>(p, i);
    case DType::Int64: return load<int64_t>(p, i);
    case DType::UInt64: return static_cast<int64_t>(load<uint64_t>(p, i));
    case DType::BFloat16:
    case DType::Float32:
    case DType::Float64: return truncateToInt(getDouble(i));
    case DType::Undefined: break;
  }
  throw std::logic_error("element read from a tensor of undefined type");
}

double TensorData::getDouble(int64_t i) const {
  const std::byte* p = bytes_.data();
  switch (dtype_) {
    case DType::BFloat16: return bfloat16ToFloat(load<uint16_t>(p, i));
    case DType::Float32: return load<float>(p, i);
    case DType::Float64: return load<double>(p, i);
    case DType::UInt64: return static_cast<double>(load<uint64_t>(p, i));
    default: return static_cast<double>(getInt(i));
  }
}

void TensorData::setInt(int64_t i, int64_t v) {
  std::byte* p = bytes_.data();
  switch (dtype_) {
    case DType::Bool: store<uint8_t>(p, i, v != 0); return;
    case DType::UInt8: store<uint8_t>(p, i, static_cast<uint8_t>(v)); return;
    case DType::Int8: store<int8_t>(p, i, static_cast<int8_t>(v)); return;
    case DType::Int16: store<int16_t>(p, i, static_cast<int16_t>(v)); return;
    case DType::UInt16: store<uint16_t>(p, i, static_cast<uint16_t>(v)); return;
    case DType::Int32: store<int32_t>(p, i, static_cast<int32_t>(v)); return;
    case DType::UInt32: store<uint32_t>(p, i, static_cast<uint32_t>(v)); return;
    case DType::Int64: store<int64_t>(p, i, v); return;
    case DType::UInt64: store<uint64_t>(p, i, static_cast<uint64_t>(v)); return;
    case DType::BFloat16:
    case DType::Float32:
    case DType::Float64: setDouble(i, static_cast<double>(v)); return;
    case DType::Undefined: break;
  }
  throw std::logic_error("element write to a tensor of undefined type");
}

void TensorData::setDouble(int64_t i, double v) {
  std::byte* p = bytes_.data();
  switch (dtype_) {
    case DType::BFloat16: store<uint16_t>(p, i, floatToBFloat16(static_cast<float>(v))); return;
    case DType::Float32: store<float>(p, i, static_cast<float>(v)); return;
    case DType::Float64: store<double>(p, i, v); return;
    default: setInt(i, truncateToInt(v)); return;
  }
}

std::vector<int64_t> TensorData::toInts() const {
  std::vector<int64_t> out(static_cast<size_t>(size()));
  for (int64_t i = 0; i < size(); ++i) out[static_cast<size_t>(i)] = getInt(i);
  return out;
}

std::vector<double> TensorData::toDoubles() const {
  std::vector<double> out(static_cast<size_t>(size()));
  for (int64_t i = 0; i < size(); ++i) out[static_cast<size_t>(i)] = getDouble(i);
  return out;
}

TensorData TensorData::castTo(DType target) const {
  TensorData out(target, shape_);
  bool exactInts = isInteger(dtype_) && isInteger(target);
  for (int64_t i = 0; i < size(); ++i) {
    if (exactInts) {
      out.setInt(i, getInt(i));
    } else {
      out.setDouble(i, getDouble(i));
    }
  }
  return out;
}

TensorData TensorData::reshaped(Shape shape) const {
  if (elementCount(shape) != size()) {
    throw std::invalid_argument("cannot reshape " + shapeToString(shape_) + " to " + shapeToString(shape));
  }
  TensorData out = *this;
  out.shape_ = std::move(shape);
  return out;
}

bool TensorData::allIntegral() const {
  if (isInteger(dtype_)) return true;
  for (int64_t i = 0; i < size(); ++i) {
    double v = getDouble(i);
    if (!std::isfinite(v) || std::nearbyint(v) != v || std::fabs(v) > 9.0e18) return false;
  }
  return true;
}

std::pair<int64_t, int64_t> TensorData::integerRange() const {
  if (size() == 0) return {0, 0};
  int64_t lo = std::numeric_limits<int64_t>::max();
  int64_t hi = std::numeric_limits<int64_t>::min();
  for (int64_t i = 0; i < size(); ++i) {
    int64_t v = getInt(i);
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  return {lo, hi};
}

namespace {

// Copies every element of the smaller of the two tensors between its position and the same index of
// the larger one.
void copyCommonRegion(const TensorData& from, TensorData& to, const Shape& small) {
  const Shape &fromShape = from.shape(), &toShape = to.shape();
  if (fromShape.size() != toShape.size()) throw Error("a region needs tensors of the same rank");
  std::vector<int64_t> index(small.size(), 0);
  for (int64_t i = 0; i < elementCount(small); ++i) {
    int64_t rest = i, fromOffset = 0, toOffset = 0;
    for (size_t d = small.size(); d-- > 0;) {
      index[d] = rest % small[d];
      rest /= small[d];
    }
    for (size_t d = 0; d < small.size(); ++d) {
      fromOffset = fromOffset * fromShape[d] + index[d];
      toOffset = toOffset * toShape[d] + index[d];
    }
    std::memcpy(to.data() + toOffset * static_cast<int64_t>(dtypeSize(to.dtype())),
                from.data() + fromOffset * static_cast<int64_t>(dtypeSize(from.dtype())), dtypeSize(to.dtype()));
  }
}

bool fitsWithin(const Shape& small, const Shape& big) {
  if (small.size() != big.size()) return false;
  for (size_t d = 0; d < small.size(); ++d) {
    if (small[d] > big[d]) return false;
  }
  return true;
}

}  // namespace

TensorData placedAtOrigin(const TensorData& src, const Shape& shape) {
  if (!fitsWithin(src.shape(), shape)) {
    throw Error("a tensor of shape " + shapeToString(src.shape()) + " does not fit in " + shapeToString(shape));
  }
  TensorData out(src.dtype(), shape);
  copyCommonRegion(src, out, src.shape());
  return out;
}

TensorData regionAtOrigin(const TensorData& src, const Shape& shape) {
  if (!fitsWithin(shape, src.shape())) {
    throw Error("no region of shape " + shapeToString(shape) + " in a tensor of shape " + shapeToString(src.shape()));
  }
  TensorData out(src.dtype(), shape);
  copyCommonRegion(src, out, shape);
  return out;
}

}  // namespace deeploy
