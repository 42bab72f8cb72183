// Shared by MatMul, Gemm, Conv, ConvTranspose and their requantized forms (RQMatMul, RQGemm, RQConv):
// shape geometry, the exact reference arithmetic, requantization, and emission helpers for the kernels
// of runtime/kernels/{matmul,gemm,conv,conv_transpose}.h.
#pragma once

#include <array>
#include <string>
#include <type_traits>
#include <vector>

#include "ops/op_helpers.h"
#include "ops/requant_shift.h"

namespace deeploy {

// The element type of a product of `a` and `b`: integers give integerResultType (int32 unless the model
// declares an integer output), anything else float32 (float64 if an operand is float64).
DType productResultType(const InferContext& ctx, DType a, DType b);
// Fails unless `t` is a numeric (integer or floating-point, not bool) type.
void requireNumeric(const InferContext& ctx, DType t, const std::string& what);

// Element i of t in the arithmetic of the reference sums of type Acc: integers as uint64 (unsigned
// arithmetic wraps modulo 2^64 without undefined behaviour), floats as double.
template <class Acc>
Acc valueAs(const TensorData& t, int64_t i) {
  if constexpr (std::is_floating_point_v<Acc>) {
    return t.getDouble(i);
  } else {
    return static_cast<Acc>(t.getInt(i));
  }
}
// Sums wrapped modulo 2^64, as int64.
std::vector<int64_t> asInt64(const std::vector<uint64_t>& sums);

// ---- Matrix products --------------------------------------------------------------------------------

// A batch of products out[bi][i][j] = sum_t A(bi, i, t) * B(bi, t, j), where
// A(bi, i, t) = a[aOffsets[bi] + i * aRowStride + t * aColStride] and likewise for B; outputs are
// contiguous in (bi, i, j) order, which is the row-major order of outShape.
struct MatMulGeometry {
  Shape outShape;
  int64_t batch = 1, m = 1, n = 1, k = 0;
  std::vector<int64_t> aOffsets{0}, bOffsets{0};
  int64_t aRowStride = 0, aColStride = 1, bRowStride = 0, bColStride = 1;
  int rowAxis = -1, colAxis = -1;  // output axes of i and j; -1 where a 1-D operand removed the axis

  // A's rows are contiguous [M][K] matrices; B is stored transposed, [N][K] (its K axis contiguous).
  bool aRowMajor() const { return (aColStride == 1 || k <= 1) && (aRowStride == k || m <= 1); }
  bool bTransposed() const { return (bRowStride == 1 || k <= 1) && (bColStride == k || n <= 1); }
};

// ONNX MatMul (NumPy matmul semantics): batch dimensions broadcast, a 1-D operand is promoted to a
// matrix and its promoted dimension removed from the output.
MatMulGeometry matmulGeometry(const Shape& a, const Shape& b, const FailFn& fail);
// Gemm: 2-D operands, optionally transposed; either may also be a batch [batch, rows, columns] (the
// batch axes broadcast like MatMul's), giving an output [batch, M, N].
MatMulGeometry gemmGeometry(const Shape& a, const Shape& b, bool transA, bool transB, const FailFn& fail);

// The products, exact modulo 2^64 for integers (wrapped to the result type by the caller's setInt),
// in double precision for floats.
std::vector<int64_t> integerProducts(const TensorData& a, const TensorData& b, const MatMulGeometry& g);
std::vector<double> floatProducts(const TensorData& a, const TensorData& b, const MatMulGeometry& g);

// ---- Convolutions -----------------------------------------------------------------------------------

// 1-D and 2-D convolutions; a 1-D one is described as 2-D with height 1.
struct ConvGeometry {
  int spatialRank = 2;
  int64_t batch = 0, inChannels = 0, outChannels = 0, group = 1;
  std::array<int64_t, 2> in{1, 1}, kernel{1, 1}, out{1, 1}, stride{1, 1}, dilation{1, 1}, padBegin{0, 0};

  Shape outputShape() const;
  int64_t outputPixels() const { return out[0] * out[1]; }
  // The output channel of element `index` of the NCHW output.
  int64_t channelOf(int64_t index) const { return (index / outputPixels()) % outChannels; }
  bool oneInputChannelPerGroup() const { return inChannels == group; }
  // The int32 geometry array of runtime/kernels/conv.h (DP_CONV_* order).
  std::vector<int64_t> kernelArray() const;
};

// Conv: x [N, C, spatial...], w [M, C/group, kernel...]; attributes auto_pad, pads, strides, dilations,
// group, kernel_shape.
ConvGeometry convGeometry(const Shape& x, const Shape& w, const Attributes& attrs, const FailFn& fail);
// ConvTranspose: x [N, C, spatial...], w [C, M/group, kernel...]; also output_padding, output_shape.
ConvGeometry convTransposeGeometry(const Shape& x, const Shape& w, const Attributes& attrs, const FailFn& fail);
using ConvGeometryFn = ConvGeometry (*)(const Shape& x, const Shape& w, const Attributes& attrs, const FailFn& fail);

// The inference of Conv and ConvTranspose: numeric X and W, the geometry, an optional per-channel bias
// (input 2), the product's result type.
void inferConvolution(InferContext& ctx, ConvGeometryFn geometry);
// Output 0 = the NCHW sums plus the optional per-channel bias (input 2), integers wrapping to the
// output type.
void storeWithChannelBias(const EvalArgs& args, const ConvGeometry& g, const std::vector<int64_t>& sums);
void storeWithChannelBias(const EvalArgs& args, const ConvGeometry& g, const std::vector<double>& sums);

// Convolution without bias, in NCHW order: exact modulo 2^64 for integers, double for floats.
std::vector<int64_t> integerConv(const TensorData& x, const TensorData& w, const ConvGeometry& g);
std::vector<double> floatConv(const TensorData& x, const TensorData& w, const ConvGeometry& g);

// The bias pointer of the conv kernels: NULL, a constant converted to the output type, or a runtime
// bias of the output type.
std::string channelBiasOperand(KernelEmitter& e);
// Scratch bytes of the im2col conv kernels (one column of C/group*kH*kW input elements; the direct
// kernels need none) for node `node`, whose inputs 0 and 1 are X and W.
size_t convScratchBytes(const Graph& graph, const Node& node);

// The column argument of the im2col conv kernels: the node's scratch (NULL when it needs none).
std::string im2colColumn(KernelEmitter& e);


// ---- Requantization (RequantShift's semantics and attributes, ops/requant_shift.h) -------------------

// Reads RequantShift's attributes (div, n_levels or n_levels_out, signed), failing through `fail`, and
// checks that the output range fits the int32 clamp of the requantized kernels.
RequantAttributes readKernelRequant(const Attributes& attrs, const FailFn& fail);
// The int32 value of a wrapped 32-bit accumulator: the requantized kernels requantize the int32 result
// their unfused operator would have produced.
int64_t wrapToInt32(int64_t v);

// y[i] = rq.apply(wrapToInt32(sums[i]), mul, add) with mul and add broadcast against y's shape.
void requantizeInto(const std::vector<int64_t>& sums, const TensorData& mul, const TensorData& add,
                    const RequantAttributes& rq, TensorData& y);

// Checks the mul (input mulIndex) and add (mulIndex + 1) inputs of a requantized operator: integer
// tensors broadcasting into the output shape.
void checkRequantParams(const InferContext& ctx, size_t mulIndex, const Shape& outShape);

// ---- Emission ---------------------------------------------------------------------------------------

// Fails with a clear message unless every type has a host kernel (integers and float32).
void requireKernelTypes(const KernelEmitter& e, std::initializer_list<DType> types);
// The accumulator C type for a result of type `out`: float, or a wrapping uint32_t/uint64_t.
std::string accumulatorCType(DType out);
// Makes `name` callable: the runtime library compiles the common variants; any other is instantiated
// in the generated file as `static` from `macro`(SCOPE, name, macroArgs...). True for a compiled one.
bool useKernel(KernelEmitter& e, const std::string& header, const std::string& macro, const std::string& name,
               const std::vector<std::string>& macroArgs);
// An int32 array of element offsets (fails if a value does not fit).
std::string offsetArray(KernelEmitter& e, const std::vector<int64_t>& values, const std::string& hint);
// A C literal of `value` for a kernel parameter of the accumulator type of `out`.
std::string accumulatorLiteral(double value, DType out);

// The matrix operands of a product, laid out for the kernels: A with contiguous rows (a transposed A
// is copied: at compile time when constant, into scratch at run time otherwise), B transposed at
// compile time when constant ("nt" layout) or read in place ("nt" if its K axis is contiguous, else
// "nn"). When the platform chooses int16 weights (KernelChoices), a constant int8 B with int8 or uint8
// A is transposed and widened at compile time ("nt16", runtime/kernels/matmul_nt16.h).
struct MatMulOperands {
  std::string a, b, layout;
};
// The header of a product kernel of `layout` whose other layouts are in `header`, and the layout as
// the kernels' macros name it (DP_DEFINE_*_NT, _NN, _NT16).
std::string productKernelHeader(const std::string& layout, const std::string& header);
std::string productMacroLayout(const std::string& layout);
MatMulOperands prepareMatMulOperands(KernelEmitter& e, const MatMulGeometry& g);
// Offsets of B's batch slices in the prepared operand (in words of the nt16 layout, else elements).
std::vector<int64_t> bOperandOffsets(const MatMulGeometry& g, const MatMulOperands& operands);
// Scratch bytes prepareMatMulOperands needs for node `node` of geometry g (a transposed runtime A).
size_t matmulScratchBytes(const Graph& graph, const Node& node, const MatMulGeometry& g);

// The requantization arguments of the matmul kernels: mul and add (rounding folded into add) sampled
// over [batch or 1][m or 1][n or 1] depending on which output axes they vary along, with the strides.
std::vector<std::string> matmulRequantArgs(KernelEmitter& e, const MatMulGeometry& g, const RequantAttributes& rq,
                                           size_t mulIndex);
// The requantization arguments of the conv kernels (mul and add per output channel or per tensor).
std::vector<std::string> convRequantArgs(KernelEmitter& e, const ConvGeometry& g, const RequantAttributes& rq,
                                         size_t mulIndex);
// True if a parameter of `shape` broadcast against a conv output of `outShape` varies only along the
// channel axis (axis 1).
bool isPerChannel(const Shape& shape, const Shape& outShape);

// ---- Tiling (tiling/geometry.h) ---------------------------------------------------------------------

// The axes of an operand broadcast (NumPy rules) against `out`: an axis as long as the output's
// follows it, a size-1 axis is read whole.
std::vector<AxisMap> broadcastAxisMaps(const Shape& operand, const Shape& out);

// The products iterate over their output; every output axis splits, K never does (the kernels do not
// accumulate across calls). A follows the batch axes it does not broadcast along and M, B likewise
// with N; further inputs (Gemm's C, requantization parameters) broadcast against the output.
TilingGeometry matmulTiling(const Graph& graph, const Node& node);
TilingGeometry gemmTiling(const Graph& graph, const Node& node, bool transA, bool transB);

// Conv and RQConv iterate over [N, C_out, spatial...]: X follows N and slides over the spatial axes
// (tiles get pads from their clips), W follows C_out. C_out splits only without groups: a tile of a
// grouped convolution would need its own group attribute, which the tile's clips cannot give. Inputs
// from 2 on are left whole for the caller to map.
TilingGeometry convTiling(const Graph& graph, const Node& node);

}  // namespace deeploy
