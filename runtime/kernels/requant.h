/* Requantization of Deeploy's integer dialect (RequantShift):
 *   y = clamp((x * mul[c] + bias[c]) >> shift, lo, hi)
 * over a tensor viewed as [outer, channels, inner] (c indexes the middle dimension; a scalar
 * requantization is outer = channels = 1). bias already includes the rounding term 2^(shift-1), and
 * >> rounds toward minus infinity. The compiler instantiates one kernel per type combination:
 *   DP_DEFINE_REQUANT(name, TX, TY, ACC, ASR)  defines
 *     void name(const TX *x, TY *y, int32_t outer, int32_t channels, int32_t inner,
 *               const int32_t *mul, const ACC *bias, int32_t shift, ACC lo, ACC hi)
 * with ACC = int32_t and ASR = dp_asr32 when the compiler proved x * mul + bias fits 32 bits (the
 * fast path on 32-bit cores), else ACC = int64_t and ASR = dp_asr64. */
#ifndef DP_REQUANT_H
#define DP_REQUANT_H

#include "kernels/dp_common.h"
#include "kernels/requant_arm.h"
#include "kernels/simd_hooks.h"

/* Arithmetic shift right of an int32 (floor division by 2^s), without relying on the
 * implementation-defined >> of negative values; compilers turn it into one shift instruction. */
static inline int32_t dp_asr32(int32_t v, int32_t s) { return v >= 0 ? v >> s : ~(~v >> s); }

#define DP_CLAMP(v, lo, hi) ((v) < (lo) ? (lo) : ((v) > (hi) ? (hi) : (v)))

/* The body of a requantizing kernel over x and y viewed as [outer][channels][inner], with the
 * parameters mul, bias, shift, lo and hi in scope: VALUE is what is requantized for element i, an
 * expression of x[i] (kernels/integer_activation.h requantizes an activation of it). */
#define DP_REQUANT_LOOPS(TY, ACC, ASR, VALUE)                                                           \
  {                                                                                                     \
    int32_t o, c, i;                                                                                    \
    for (o = 0; o < outer; ++o) {                                                                       \
      for (c = 0; c < channels; ++c) {                                                                  \
        const ACC m = (ACC)mul[c], b = bias[c];                                                         \
        for (i = 0; i < inner; ++i) {                                                                   \
          ACC v = ASR((ACC)(VALUE) * m + b, shift);                                                     \
          y[i] = (TY)DP_CLAMP(v, lo, hi);                                                               \
        }                                                                                               \
        x += inner;                                                                                     \
        y += inner;                                                                                     \
      }                                                                                                 \
    }                                                                                                   \
  }

#define DP_DEFINE_REQUANT(name, TX, TY, ACC, ASR)                                                       \
  DP_INSTANCE void name(const TX *x, TY *y, int32_t outer, int32_t channels, int32_t inner,             \
                        const int32_t *mul, const ACC *bias, int32_t shift, ACC lo, ACC hi) {           \
    DP_SIMD_REQUANT(TX, TY, ACC)                                                                        \
    DP_REQUANT_LOOPS(TY, ACC, ASR, x[i])                                                                \
  }

#endif
