/* Element-wise kernels with NumPy broadcasting, instantiated per type combination by the generated
 * code:  DP_DEFINE_BINARY(name, TA, TB, TY, OP)  defines
 *   void name(const TA *a, const TB *b, TY *y, int32_t ndim, const int32_t *shape,
 *             const int32_t *a_strides, const int32_t *b_strides)
 * computing y[i] = OP(a[...], b[...]) over the output `shape` (row-major), where the strides give
 * each operand's element step per output dimension (0 on broadcast dimensions).
 *   DP_DEFINE_UNARY(name, TX, TY, OP)  defines  void name(const TX *x, TY *y, int32_t n). */
#ifndef DP_ELEMENTWISE_H
#define DP_ELEMENTWISE_H

#include <math.h>

#include "kernels/dp_common.h"
#include "kernels/elementwise_arm.h"
#include "kernels/simd_hooks.h"

#define DP_DEFINE_BINARY(name, TA, TB, TY, OP)                                                       \
  DP_INSTANCE void name(const TA *a, const TB *b, TY *y, int32_t ndim, const int32_t *shape,             \
                   const int32_t *a_strides, const int32_t *b_strides) {                            \
    DP_SIMD_BINARY(TA, TB, TY, OP)                                                                   \
    int32_t index[DP_MAX_DIMS] = {0};                                                                \
    int32_t inner = shape[ndim - 1], as = a_strides[ndim - 1], bs = b_strides[ndim - 1];             \
    int32_t outer = 1, d, o, i, ao = 0, bo = 0;                                                      \
    for (d = 0; d < ndim - 1; ++d) outer *= shape[d];                                                \
    if (inner == 0) return;                                                                          \
    for (o = 0; o < outer; ++o) {                                                                    \
      TY *yo = y + (int64_t)o * inner;                                                               \
      DP_SIMD_BINARY_ROW(TA, TB, TY, OP) for (i = 0; i < inner; ++i) yo[i] = OP(a[ao + i * as], b[bo + i * bs]); \
      DP_NEXT_ROW2(ndim, shape, index, ao, a_strides, bo, b_strides);                               \
    }                                                                                                \
  }

#define DP_DEFINE_UNARY(name, TX, TY, OP)                 \
  DP_INSTANCE void name(const TX *x, TY *y, int32_t n) {       \
    int32_t i;                                            \
    for (i = 0; i < n; ++i) y[i] = OP(x[i]);              \
  }

/* Integer arithmetic is done in 64 bits and the result converted to the output type. */
#define DP_IADD(x, y) ((int64_t)(x) + (int64_t)(y))
#define DP_ISUB(x, y) ((int64_t)(x) - (int64_t)(y))
#define DP_IMUL(x, y) ((int64_t)(x) * (int64_t)(y))
#define DP_FADD(x, y) ((float)(x) + (float)(y))
#define DP_FSUB(x, y) ((float)(x) - (float)(y))
#define DP_FMUL(x, y) ((float)(x) * (float)(y))
#define DP_FDIV(x, y) ((float)(x) / (float)(y))
#define DP_FPOW(x, y) powf((float)(x), (float)(y))
#define DP_BF16_ADD(x, y) dp_f32_to_bf16(dp_bf16_to_f32(x) + dp_bf16_to_f32(y))
#define DP_BF16_SUB(x, y) dp_f32_to_bf16(dp_bf16_to_f32(x) - dp_bf16_to_f32(y))
#define DP_BF16_MUL(x, y) dp_f32_to_bf16(dp_bf16_to_f32(x) * dp_bf16_to_f32(y))
#define DP_BF16_DIV(x, y) dp_f32_to_bf16(dp_bf16_to_f32(x) / dp_bf16_to_f32(y))

/* ONNX integer division truncates toward zero; division by zero yields 0 instead of trapping. */
static inline int64_t dp_idiv(int64_t x, int64_t y) { return y == 0 ? 0 : x / y; }
#define DP_IDIV(x, y) dp_idiv((int64_t)(x), (int64_t)(y))

/* Integer power by squaring; negative exponents give 0 except for bases 1 and -1. */
static inline int64_t dp_ipow(int64_t base, int64_t e) {
  int64_t r = 1;
  if (e < 0) return base == 1 ? 1 : (base == -1 ? ((-e) % 2 ? -1 : 1) : 0);
  while (e) {
    if (e & 1) r *= base;
    base *= base;
    e >>= 1;
  }
  return r;
}
#define DP_IPOW(x, y) dp_ipow((int64_t)(x), (int64_t)(y))

/* Max, Min, Sum and Mean fold their inputs with these, all operands of the output's type (float, double
 * or one integer type). Max and Min propagate NaN: a NaN first operand stays, a NaN second one wins. */
#define DP_FMAX_NAN(x, y) (((x) != (x) || (x) > (y)) ? (x) : (y))
#define DP_FMIN_NAN(x, y) (((x) != (x) || (x) < (y)) ? (x) : (y))
#define DP_IMAX(x, y) ((x) > (y) ? (x) : (y))
#define DP_IMIN(x, y) ((x) < (y) ? (x) : (y))
#define DP_SUM(x, y) ((x) + (y))
#define DP_QUOTIENT(x, y) ((x) / (y))

#endif
