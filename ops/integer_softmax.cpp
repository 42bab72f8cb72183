// Integer softmax approximations of Deeploy's integer dialect, over the last axis, 8-bit inputs,
// unsigned outputs in [0, n_levels - 1] (uint8 for n_levels = 256):
//   iSoftmax(coeffA, coeffB, coeffC, log2, n_levels), I-BERT's polynomial exponential:
//     m = row max; t = x - m; z = clamp(-trunc(t / log2), 0, 31); p = t + z * log2;
//     e = uint32((coeffA * (p + coeffB)^2 + coeffC) >> z); y = floor(e * (n - 1) / sum e) (0 if sum e = 0).
//   ITAMax(n_levels): s = (m - x + 16) >> 5; E = sum 256 >> s; y = floor((n - 1) * 256 / E) >> s.
//   ITAPartialMax(group_width, n_levels): ITAMax whose denominator is accumulated group by group against
//     a running maximum g (from -128): P = (P >> ((gm - g + 16) >> 5 if the group max gm > g else 0)) + E_group,
//     then y = floor((n/2 - 1) * 256 / P) >> ((g - x + 16) >> 5).
#include <algorithm>

#include "ops/integer_common.h"
#include "ops/kernel_calls.h"
#include "ops/op_helpers.h"

namespace deeploy {

namespace {

constexpr int64_t kMaxLevels = int64_t{1} << 16;
constexpr int64_t kMaxRowLength = int64_t{1} << 23;  // keeps 256 * length within 32 bits
constexpr int kMaxExponentShift = 31;

int64_t readLevels(const Attributes& attrs) {
  int64_t levels = attrs.getInt("n_levels");
  if (levels < 2 || levels > kMaxLevels) {
    throw Error("attribute 'n_levels' must be in [2, 65536], got " + std::to_string(levels));
  }
  return levels;
}

// Checks shared by the three operators; sets the unsigned output for levels.
void inferRowSoftmax(InferContext& ctx, int64_t levels) {
  ctx.requireInputs(1, 1);
  requireByteRows(ctx, "softmax axis");
  const Shape& x = ctx.inputShape(0);
  ctx.require(x.back() <= kMaxRowLength, "rows longer than 2^23 elements are not supported");
  ctx.setOutput(0, levels <= 256 ? DType::UInt8 : DType::UInt16, x);
}

std::string softmaxKernelName(const std::string& base, const Tensor& x, const Tensor& y) {
  return base + "_" + typeSuffix({x.dtype, y.dtype});
}

// ---- iSoftmax ----

struct ISoftmaxCoefficients {
  int64_t a, b, c, log2, levels;
};

ISoftmaxCoefficients readISoftmax(const Attributes& attrs) {
  ISoftmaxCoefficients k{attrs.getInt("coeffA"), attrs.getInt("coeffB"), attrs.getInt("coeffC"), attrs.getInt("log2"),
                         readLevels(attrs)};
  if (k.log2 <= 0) throw Error("attribute 'log2' must be positive, got " + std::to_string(k.log2));
  // |p| <= max(log2, 255) for 8-bit inputs; the polynomial must stay exact in 64 bits.
  __int128 p = std::max<int64_t>(k.log2, 255);
  __int128 bound = static_cast<__int128>(std::abs(k.a)) * (p + std::abs(k.b)) * (p + std::abs(k.b)) + std::abs(k.c);
  if (bound >= (static_cast<__int128>(1) << 62))
    throw Error("coefficients coeffA, coeffB, coeffC overflow 64-bit arithmetic");
  return k;
}

// The exponential term of an element `distance` >= 0 below its row's maximum.
uint32_t exponentialTerm(const ISoftmaxCoefficients& k, int64_t distance) {
  int64_t t = -distance;
  int64_t z = std::clamp<int64_t>(-(t / k.log2), 0, kMaxExponentShift);
  int64_t p = t + z * k.log2;
  int64_t polynomial = k.a * (p + k.b) * (p + k.b) + k.c;
  return static_cast<uint32_t>(polynomial >> z);
}

void inferISoftmax(InferContext& ctx) {
  ISoftmaxCoefficients k = readAttributes(ctx, [&] { return readISoftmax(ctx.attrs()); });
  inferRowSoftmax(ctx, k.levels);
}

void evaluateISoftmax(const EvalArgs& args) {
  ISoftmaxCoefficients k = readISoftmax(args.attrs());
  const TensorData& x = args.in(0);
  TensorData& y = args.out(0);
  RowView v = rowsOf(x.shape());
  std::vector<int64_t> terms(static_cast<size_t>(v.length));
  for (int64_t r = 0; r < v.rows; ++r) {
    int64_t base = r * v.length, max = x.getInt(base), sum = 0;
    for (int64_t j = 1; j < v.length; ++j) max = std::max(max, x.getInt(base + j));
    for (int64_t j = 0; j < v.length; ++j) {
      terms[static_cast<size_t>(j)] = exponentialTerm(k, max - x.getInt(base + j));
      sum += terms[static_cast<size_t>(j)];
    }
    for (int64_t j = 0; j < v.length; ++j) {
      y.setInt(base + j, sum == 0 ? 0 : terms[static_cast<size_t>(j)] * (k.levels - 1) / sum);
    }
  }
}

}  // namespace

KernelCall iSoftmaxCall(KernelEmitter& e) {
  const Tensor &x = e.input(0), &y = e.output(0);
  ISoftmaxCoefficients k = readISoftmax(e.attrs());
  // The distance from the row maximum spans the input type's range.
  int64_t distances = integerMax(x.dtype) - integerMin(x.dtype) + 1;
  std::vector<int64_t> table(static_cast<size_t>(distances));
  int64_t largest = 0;
  for (int64_t d = 0; d < distances; ++d) {
    table[static_cast<size_t>(d)] = exponentialTerm(k, d);
    largest = std::max(largest, table[static_cast<size_t>(d)]);
  }
  RowView v = rowsOf(x.shape);
  constexpr int64_t kUInt32Max = 0xFFFFFFFF;
  bool wide = largest * v.length > kUInt32Max || largest * (k.levels - 1) > kUInt32Max;
  DType tableType = largest <= 0xFFFF ? DType::UInt16 : DType::UInt32;
  std::string name =
      softmaxKernelName("dp_isoftmax", x, y) + "_" + std::string(kernelSuffix(tableType)) + (wide ? "_a64" : "_a32");
  e.include("kernels/integer_softmax.h");
  e.definition(name, "DP_DEFINE_ISOFTMAX(" + name + ", " + std::string(cTypeName(x.dtype)) + ", " +
                         std::string(cTypeName(y.dtype)) + ", " + std::string(cTypeName(tableType)) + ", " +
                         (wide ? "uint64_t" : "uint32_t") + ")");
  std::string tableName = e.constant(TensorData::fromInts(tableType, {distances}, table), "isoftmax_table");
  return {name, {e.inputPtr(0), e.outputPtr(0), std::to_string(v.rows), std::to_string(v.length), tableName,
                 std::to_string(k.levels - 1) + "u"}};
}

namespace {

void emitISoftmax(KernelEmitter& e) {
  if (e.output(0).elementCount() > 0) e.statement(iSoftmaxCall(e).text());
}

// ---- ITAMax and ITAPartialMax ----

int64_t itaShift(int64_t distance) { return (distance + 16) >> 5; }

void inferITAMax(InferContext& ctx) {
  int64_t levels = readAttributes(ctx, [&] { return readLevels(ctx.attrs()); });
  inferRowSoftmax(ctx, levels);
}

void evaluateITAMax(const EvalArgs& args) {
  int64_t levels = readLevels(args.attrs());
  const TensorData& x = args.in(0);
  TensorData& y = args.out(0);
  RowView v = rowsOf(x.shape());
  for (int64_t r = 0; r < v.rows; ++r) {
    int64_t base = r * v.length, max = x.getInt(base), sum = 0;
    for (int64_t j = 1; j < v.length; ++j) max = std::max(max, x.getInt(base + j));
    for (int64_t j = 0; j < v.length; ++j) sum += 256 >> itaShift(max - x.getInt(base + j));
    int64_t inverse = (levels - 1) * 256 / sum;
    for (int64_t j = 0; j < v.length; ++j) y.setInt(base + j, inverse >> itaShift(max - x.getInt(base + j)));
  }
}

void emitITAMax(KernelEmitter& e) {
  const Tensor &x = e.input(0), &y = e.output(0);
  if (y.elementCount() == 0) return;
  RowView v = rowsOf(x.shape);
  std::string name = softmaxKernelName("dp_itamax", x, y);
  e.include("kernels/integer_softmax.h");
  e.definition(name, "DP_DEFINE_ITAMAX(" + name + ", " + std::string(cTypeName(x.dtype)) + ", " +
                         std::string(cTypeName(y.dtype)) + ")");
  e.statement(cCall(name, {e.inputPtr(0), e.outputPtr(0), std::to_string(v.rows), std::to_string(v.length),
                           std::to_string(readLevels(e.attrs()) - 1) + "u"}));
}

struct PartialMaxAttributes {
  int64_t groupWidth, levels;
};

PartialMaxAttributes readPartialMax(const Attributes& attrs) {
  PartialMaxAttributes a{attrs.getInt("group_width"), readLevels(attrs)};
  if (a.groupWidth <= 0) throw Error("attribute 'group_width' must be positive, got " + std::to_string(a.groupWidth));
  return a;
}

void inferITAPartialMax(InferContext& ctx) {
  PartialMaxAttributes a = readAttributes(ctx, [&] { return readPartialMax(ctx.attrs()); });
  inferRowSoftmax(ctx, a.levels);
  int64_t length = ctx.inputShape(0).back();
  ctx.require(length % a.groupWidth == 0, "the row length " + std::to_string(length) +
                                              " is not a multiple of group_width " + std::to_string(a.groupWidth));
}

void evaluateITAPartialMax(const EvalArgs& args) {
  PartialMaxAttributes a = readPartialMax(args.attrs());
  const TensorData& x = args.in(0);
  TensorData& y = args.out(0);
  RowView v = rowsOf(x.shape());
  for (int64_t r = 0; r < v.rows; ++r) {
    int64_t base = r * v.length, runningMax = -128, partial = 0;
    for (int64_t g = 0; g < v.length; g += a.groupWidth) {
      int64_t groupMax = x.getInt(base + g);
      for (int64_t k = 1; k < a.groupWidth; ++k) groupMax = std::max(groupMax, x.getInt(base + g + k));
      int64_t rescale = groupMax > runningMax ? itaShift(groupMax - runningMax) : 0;
      runningMax = std::max(runningMax, groupMax);
      int64_t sum = 0;
      for (int64_t k = 0; k < a.groupWidth; ++k) sum += 256 >> itaShift(runningMax - x.getInt(base + g + k));
      partial = (partial >> rescale) + sum;
    }
    int64_t inverse = (a.levels / 2 - 1) * 256 / partial;
    for (int64_t j = 0; j < v.length; ++j) y.setInt(base + j, inverse >> itaShift(runningMax - x.getInt(base + j)));
  }
}

void emitITAPartialMax(KernelEmitter& e) {
  const Tensor &x = e.input(0), &y = e.output(0);
  if (y.elementCount() == 0) return;
  PartialMaxAttributes a = readPartialMax(e.attrs());
  RowView v = rowsOf(x.shape);
  std::string name = softmaxKernelName("dp_itapartialmax", x, y);
  e.include("kernels/integer_softmax.h");
  e.definition(name, "DP_DEFINE_ITAPARTIALMAX(" + name + ", " + std::string(cTypeName(x.dtype)) + ", " +
                         std::string(cTypeName(y.dtype)) + ")");
  e.statement(cCall(name, {e.inputPtr(0), e.outputPtr(0), std::to_string(v.rows), std::to_string(v.length),
                           std::to_string(a.groupWidth), std::to_string(a.levels / 2 - 1) + "u"}));
}

// Tiling (rowsGeometry): rows are independent and each is computed whole (ITAPartialMax's running
// maximum and partial sum restart with every row, so it splits like the others).
const OpRegistrar registrar{
    {"iSoftmax", inferISoftmax, evaluateISoftmax, emitISoftmax, nullptr, false, rowsGeometry},
    {"ITAMax", inferITAMax, evaluateITAMax, emitITAMax, nullptr, false, rowsGeometry},
    {"ITAPartialMax", inferITAPartialMax, evaluateITAPartialMax, emitITAPartialMax, nullptr, false, rowsGeometry},
};

}  // namespace

}  // namespace deeploy
