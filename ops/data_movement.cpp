#include "ops/data_movement.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>

#include "ops/op_helpers.h"

namespace deeploy {

namespace {

// Float to integer: truncation toward zero, saturated to the type's range, NaN to 0.
void storeSaturated(TensorData& y, int64_t j, double v) {
  DType t = y.dtype();
  int bits = dtypeBits(t);
  double lo = isSignedInteger(t) ? -std::ldexp(1.0, bits - 1) : 0.0;
  double hi = isSignedInteger(t) ? std::ldexp(1.0, bits - 1) : std::ldexp(1.0, bits);
  if (std::isnan(v)) {
    y.setInt(j, 0);
  } else if (v <= lo) {
    y.setInt(j, isSignedInteger(t) ? integerMin(t) : 0);
  } else if (v >= hi) {
    y.setInt(j, isSignedInteger(t) ? integerMax(t) : -1);  // -1 wraps to the unsigned maximum
  } else if (t == DType::UInt64) {
    y.setInt(j, static_cast<int64_t>(static_cast<uint64_t>(v)));
  } else {
    y.setInt(j, static_cast<int64_t>(v));
  }
}

// Integer to float converts straight to the target precision (no rounding through double first).
void storeIntegerAsFloat(TensorData& y, int64_t j, int64_t bits, bool isUnsigned64) {
  if (y.dtype() == DType::Float64) {
    y.setDouble(j, isUnsigned64 ? static_cast<double>(static_cast<uint64_t>(bits)) : static_cast<double>(bits));
  } else {
    float f = isUnsigned64 ? static_cast<float>(static_cast<uint64_t>(bits)) : static_cast<float>(bits);
    y.setDouble(j, f);  // exact for float32; bfloat16 rounds the float as the C kernel does
  }
}

}  // namespace

TensorData convertElements(const TensorData& value, DType target) {
  TensorData y(target, value.shape());
  DType from = value.dtype();
  for (int64_t i = 0; i < value.size(); ++i) {
    if (target == DType::Bool) {
      y.setInt(i, isFloat(from) ? value.getDouble(i) != 0 : value.getInt(i) != 0);
    } else if (isFloat(from) && isFloat(target)) {
      y.setDouble(i, value.getDouble(i));
    } else if (isFloat(from)) {
      storeSaturated(y, i, value.getDouble(i));
    } else if (isFloat(target)) {
      storeIntegerAsFloat(y, i, value.getInt(i), from == DType::UInt64);
    } else {
      y.setInt(i, value.getInt(i));
    }
  }
  return y;
}

void copyElement(TensorData& dst, int64_t to, const TensorData& src, int64_t from) {
  size_t size = dtypeSize(src.dtype());
  std::memcpy(dst.data() + static_cast<size_t>(to) * size, src.data() + static_cast<size_t>(from) * size, size);
}

std::vector<const TensorData*> constantInputsOf(const Graph& graph, const Node& node) {
  std::vector<const TensorData*> values;
  for (TensorId in : node.inputs) {
    values.push_back(in != kNoTensor && graph.tensor(in).isConstant() ? &*graph.tensor(in).constant : nullptr);
  }
  return values;
}

void requireConstantInputs(const InferContext& ctx, std::initializer_list<size_t> indices) {
  for (size_t i : indices) {
    if (ctx.hasInput(i) && !ctx.constantInput(i)) {
      ctx.fail("input " + std::to_string(i) + " ('" + ctx.input(i).name +
               "') must be a constant: it determines the output shape");
    }
  }
}

std::optional<std::vector<int64_t>> intsFromInputOrAttribute(const std::vector<const TensorData*>& inputs, size_t input,
                                                             const Attributes& attrs, const std::string& attribute) {
  if (input < inputs.size() && inputs[input]) {
    if (!inputs[input]->allIntegral()) throw std::invalid_argument("input '" + attribute + "' must hold integers");
    return inputs[input]->toInts();
  }
  if (attrs.has(attribute)) return attrs.getInts(attribute);
  return std::nullopt;
}

void requireInt32(const KernelEmitter& e, const std::vector<int64_t>& values) {
  for (int64_t v : values) {
    if (v < std::numeric_limits<int32_t>::min() || v > std::numeric_limits<int32_t>::max()) {
      throw Error(e.node().describe() + ": the tensor is too large for the 32-bit kernels (value " + std::to_string(v) +
                  ")");
    }
  }
}

namespace {

struct CopyDim {
  int64_t size, dst, src;  // extent and strides in elements
};

// Merges neighbours that both tensors step through as one run (outer stride = inner stride * inner size).
std::vector<CopyDim> mergeContiguous(const std::vector<CopyDim>& dims) {
  std::vector<CopyDim> merged;
  for (const CopyDim& d : dims) {
    if (!merged.empty()) {
      CopyDim& outer = merged.back();
      if (outer.dst == d.dst * d.size && outer.src == d.src * d.size) {
        outer = {outer.size * d.size, d.dst, d.src};
        continue;
      }
    }
    merged.push_back(d);
  }
  return merged;
}

// Moves the longest dimension that is contiguous in either tensor to the innermost loop.
void chooseInnermost(std::vector<CopyDim>& dims) {
  auto score = [](const CopyDim& d) { return d.dst == 1 || d.src == 1 ? d.size : 0; };
  size_t best = dims.size() - 1;
  for (size_t i = 0; i < dims.size(); ++i) {
    if (score(dims[i]) > score(dims[best])) best = i;
  }
  CopyDim chosen = dims[best];
  dims.erase(dims.begin() + static_cast<std::ptrdiff_t>(best));
  dims.push_back(chosen);
}

}  // namespace

void emitStridedCopy(KernelEmitter& e, const std::string& dst, const std::string& src, DType type, const Shape& shape,
                     const std::vector<int64_t>& dstStrides, const std::vector<int64_t>& srcStrides) {
  if (elementCount(shape) == 0) return;
  std::vector<CopyDim> dims;
  for (size_t d = 0; d < shape.size(); ++d) {
    if (shape[d] != 1) dims.push_back({shape[d], dstStrides[d], srcStrides[d]});
  }
  if (dims.empty()) dims.push_back({1, 1, 1});
  dims = mergeContiguous(dims);
  chooseInnermost(dims);
  dims = mergeContiguous(dims);
  if (dims.size() > kKernelMaxDims) {
    throw Error(e.node().describe() + ": the copy still spans " + std::to_string(dims.size()) +
                " dimensions after merging; the kernels handle at most " + std::to_string(kKernelMaxDims));
  }
  std::vector<int64_t> sizes, dsts, srcs;
  for (const CopyDim& d : dims) sizes.push_back(d.size), dsts.push_back(d.dst), srcs.push_back(d.src);
  requireInt32(e, {elementCount(shape)});
  requireInt32(e, dsts);
  requireInt32(e, srcs);
  e.include("kernels/data_movement.h");
  e.statement(cCall("dp_strided_copy", {dst, src, std::to_string(dtypeSize(type)), std::to_string(dims.size()),
                                        int32Array(e, sizes, "copy_shape"), int32Array(e, dsts, "dst_strides"),
                                        int32Array(e, srcs, "src_strides")}));
}

void emitConvertingCopy(KernelEmitter& e, const std::string& dst, const std::string& src, DType from, DType to,
                        int64_t blocks, int64_t blockLength, int64_t dstStride) {
  if (blocks == 0 || blockLength == 0) return;
  requireInt32(e, {blocks, blockLength, dstStride, blocks * blockLength});
  std::string name = "dp_cast_" + typeSuffix({from, to});
  std::string load = from == DType::BFloat16 ? "dp_bf16_to_f32" : "DP_CAST_SAME";
  std::string store = "DP_CAST_SAME";
  if (to == DType::Bool) {
    store = "DP_CAST_TO_BOOL";
  } else if (to == DType::BFloat16) {
    store = "dp_f32_to_bf16";
  } else if (isInteger(to) && isFloat(from)) {
    store = std::string(from == DType::Float64 ? "dp_f64_to_" : "dp_f32_to_") + std::string(kernelSuffix(to));
  }
  e.include("kernels/cast.h");
  e.definition(name, "DP_DEFINE_CAST(" + name + ", " + std::string(cTypeName(from)) + ", " +
                         std::string(cTypeName(to)) + ", " + load + ", " + store + ")");
  e.statement(cCall(name, {src, dst, std::to_string(blocks), std::to_string(blockLength), std::to_string(dstStride)}));
}

}  // namespace deeploy
