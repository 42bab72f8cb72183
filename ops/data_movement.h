// Pieces shared by the data-movement operators (Transpose, Slice, Expand, Concat, Pad, Gather, Cast and
// the reshape family) and the questions the no-op removal pass asks about their nodes.
#pragma once

#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include "ops/op_schema.h"

namespace deeploy {

// Cast's element conversion, the reference for every op that changes element types: integers wrap
// (two's complement), integers and floats round to the nearest float of the target (bfloat16 through
// float32, as the C kernel does), floats to integers truncate toward zero and saturate to the target's
// range with NaN giving 0, and anything becomes bool as `value != 0`.
TensorData convertElements(const TensorData& value, DType target);

// Copies element `from` of src to element `to` of dst (same element type), whatever the type.
void copyElement(TensorData& dst, int64_t to, const TensorData& src, int64_t from);

// The values of a node's inputs that are constants (nullptr for absent and run-time inputs), in the
// form EvalArgs::inputs has, so parameter readers serve inference, evaluation and emission alike.
std::vector<const TensorData*> constantInputsOf(const Graph& graph, const Node& node);
// Fails unless each of these inputs is absent or a constant (they determine static shapes).
void requireConstantInputs(const InferContext& ctx, std::initializer_list<size_t> indices);

// An integer list given as input `input` (newer opsets) or else as an attribute (older opsets);
// nullopt when neither is present.
std::optional<std::vector<int64_t>> intsFromInputOrAttribute(const std::vector<const TensorData*>& inputs, size_t input,
                                                             const Attributes& attrs, const std::string& attribute);

// Highest rank the kernels' index arithmetic handles (DP_MAX_DIMS of runtime/kernels/dp_common.h).
constexpr size_t kKernelMaxDims = 8;

// Emits dp_strided_copy for: for every index i of `shape`,
//   dst[sum_d i_d * dstStrides[d]] = src[sum_d i_d * srcStrides[d]]   (strides in elements).
// Merges dimensions and orders them so the innermost loop is long and contiguous.
void emitStridedCopy(KernelEmitter& e, const std::string& dst, const std::string& src, DType type, const Shape& shape,
                     const std::vector<int64_t>& dstStrides, const std::vector<int64_t>& srcStrides);

// Emits a converting copy of `blocks` runs of blockLength elements (run b reads src + b * blockLength and
// writes dst + b * dstStride) with convertElements' semantics.
void emitConvertingCopy(KernelEmitter& e, const std::string& dst, const std::string& src, DType from, DType to,
                        int64_t blocks, int64_t blockLength, int64_t dstStride);

// Fails with a clear message when a value handed to the 32-bit kernels does not fit in int32.
void requireInt32(const KernelEmitter& e, const std::vector<int64_t>& values);

// Questions about type-inferred nodes from the no-op removal pass.
// The Transpose moves only dimensions of size 1: the elements keep their order (a reshape).
bool transposeKeepsOrder(const Graph& graph, const Node& node);
// The Slice takes every element, in order.
bool sliceTakesEverything(const Graph& graph, const Node& node);
// The Pad adds and removes nothing.
bool padIsEmpty(const Graph& graph, const Node& node);
// The begin and end amounts per data axis of a Pad that fills with +0 in constant mode (its pads, axes
// and fill value constants); nullopt for any other Pad.
struct PadAmounts {
  std::vector<int64_t> begin, end;
};
std::optional<PadAmounts> zeroFillPadAmounts(const Graph& graph, const Node& node);

}  // namespace deeploy
