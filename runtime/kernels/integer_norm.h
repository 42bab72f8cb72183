/* Integer normalizations of Deeploy's integer dialect, over the last axis of a tensor seen as `rows`
 * rows of `length` elements (8-bit inputs, int8 outputs). Divisions truncate toward zero, >> rounds
 * toward minus infinity. The compiler instantiates one kernel per type combination, with SUM the row
 * accumulator and ACC the per-element arithmetic, each 32-bit when it proved that exact, else 64-bit
 * (ASR is the matching dp_asr32/dp_asr64 of kernels/requant.h):
 *
 *   DP_DEFINE_IRMSNORM(name, TX, TW, SUM, ACC, ASR)  defines
 *     void name(const TX *x, const TW *w, int8_t *y, int32_t rows, int32_t length, int32_t first,
 *               int32_t count, int32_t shift, int32_t lo, int32_t hi)
 *   iRMSNorm: std = isqrt(sum(x^2) / length + 1); y_j = clamp((x_j * w_j / std) >> shift, lo, hi),
 *   for the columns j in [first, first + count) of each row (all of them unless the node was split
 *   along the row); y holds `count` columns per row and w the weights of those columns.
 *
 *   DP_DEFINE_ILAYERNORM(name, TX, TW, TB, SUM, ACC, ASR)  defines
 *     void name(const TX *x, const TW *w, const TB *b, int8_t *y, int32_t rows, int32_t length,
 *               int32_t shift)
 *   iLayerNorm: mean = sum(x) / length; t_j = x_j - mean; std = isqrt(sum(t^2) / length + 1);
 *   y_j = int8 wrap of (t_j * w_j / std + b_j) >> shift.
 *
 *   DP_DEFINE_INONORM(name, TX, TW, TB, ACC, ASR)  defines
 *     void name(const TX *x, const TW *w, const TB *b, int8_t *y, int32_t blocks, int32_t period,
 *               int32_t mul, int32_t shift)
 *   iNoNorm: y_i = int8 wrap of ((x_i * w_i + b_i) * mul) >> shift, where w and b repeat every
 *   `period` elements (the compiler expands them to one period). */
#ifndef DP_INTEGER_NORM_H
#define DP_INTEGER_NORM_H

#include "kernels/requant.h"
#include "kernels/norm_arm.h"
#include "kernels/simd_hooks.h"

/* floor(sqrt(v)), exact, integer operations only. */
uint32_t dp_isqrt_u32(uint32_t v);

/* The int8 whose two's complement bits are the low byte of v (well defined, unlike a plain cast). */
static inline int8_t dp_wrap_s8(int64_t v) { return (int8_t)((int32_t)(((uint32_t)v & 0xFFu) ^ 0x80u) - 0x80); }

#define DP_DEFINE_IRMSNORM(name, TX, TW, SUM, ACC, ASR)                                                 \
  DP_INSTANCE void name(const TX *x, const TW *w, int8_t *y, int32_t rows, int32_t length, int32_t first,    \
                   int32_t count, int32_t shift, int32_t lo, int32_t hi) {                              \
    int32_t r, j;                                                                                       \
    for (r = 0; r < rows; ++r, x += length, y += count) {                                               \
      SUM squares = 0;                                                                                  \
      ACC root;                                                                                         \
      const TX *part = x + first;                                                                       \
      DP_SIMD_IRMSNORM_ROW(TX, TW, SUM, ACC)                                                            \
      for (j = 0; j < length; ++j) squares += (SUM)((int32_t)x[j] * (int32_t)x[j]);                     \
      root = (ACC)dp_isqrt_u32((uint32_t)(squares / (SUM)length + 1));                                  \
      for (j = 0; j < count; ++j) {                                                                     \
        ACC v = ASR((ACC)part[j] * (ACC)w[j] / root, shift);                                            \
        y[j] = (int8_t)DP_CLAMP(v, lo, hi);                                                             \
      }                                                                                                 \
    }                                                                                                   \
  }

#define DP_DEFINE_ILAYERNORM(name, TX, TW, TB, SUM, ACC, ASR)                                           \
  DP_INSTANCE void name(const TX *x, const TW *w, const TB *b, int8_t *y, int32_t rows, int32_t length,      \
                   int32_t shift) {                                                                     \
    int32_t r, j;                                                                                       \
    for (r = 0; r < rows; ++r, x += length, y += length) {                                              \
      SUM total = 0, squares = 0;                                                                       \
      int32_t mean;                                                                                     \
      ACC root;                                                                                         \
      for (j = 0; j < length; ++j) total += x[j];                                                       \
      mean = (int32_t)(total / length);                                                                 \
      for (j = 0; j < length; ++j) {                                                                    \
        int32_t t = (int32_t)x[j] - mean;                                                               \
        squares += (SUM)(t * t);                                                                        \
      }                                                                                                 \
      root = (ACC)dp_isqrt_u32((uint32_t)(squares / length + 1));                                       \
      for (j = 0; j < length; ++j) {                                                                    \
        ACC t = (ACC)x[j] - mean;                                                                       \
        y[j] = dp_wrap_s8(ASR(t * (ACC)w[j] / root + (ACC)b[j], shift));                                \
      }                                                                                                 \
    }                                                                                                   \
  }

#define DP_DEFINE_INONORM(name, TX, TW, TB, ACC, ASR)                                                   \
  DP_INSTANCE void name(const TX *x, const TW *w, const TB *b, int8_t *y, int32_t blocks,                    \
                   int32_t period, int32_t mul, int32_t shift) {                                        \
    int32_t k, j;                                                                                       \
    for (k = 0; k < blocks; ++k, x += period, y += period) {                                            \
      for (j = 0; j < period; ++j) {                                                                    \
        ACC v = ((ACC)x[j] * (ACC)w[j] + (ACC)b[j]) * (ACC)mul;                                         \
        y[j] = dp_wrap_s8(ASR(v, shift));                                                               \
      }                                                                                                 \
    }                                                                                                   \
  }

#endif
