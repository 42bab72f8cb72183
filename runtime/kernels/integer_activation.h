/* Integer activations of Deeploy's integer dialect, alone or followed by a requantization:
 *   iHardswish(k0 = one_over_six, k1 = three, k2 = six): y = clamp(x + three, 0, six) * one_over_six * x
 *   iGELU(k0 = b, k1 = one):  q = min(|x|, -b); L = sign(x) * (one - (q + b)^2); y = x * ((one + L) >> 1)
 * Each comes in a 32-bit variant (used when the compiler proved every intermediate fits) and a 64-bit
 * one. The compiler instantiates kernels per type combination:
 *   DP_DEFINE_ACTIVATION(name, TX, TY, ACT)  defines
 *     void name(const TX *x, TY *y, int32_t n, int32_t k0, int32_t k1, int32_t k2)
 *   DP_DEFINE_RQ_ACTIVATION(name, TX, TY, ACT, ACC, ASR)  defines
 *     void name(const TX *x, TY *y, int32_t k0, int32_t k1, int32_t k2, int32_t outer, int32_t channels,
 *               int32_t inner, const int32_t *mul, const ACC *bias, int32_t shift, ACC lo, ACC hi)
 *   computing the requantization of kernels/requant.h on ACT(x) in one pass. */
#ifndef DP_INTEGER_ACTIVATION_H
#define DP_INTEGER_ACTIVATION_H

#include "kernels/requant.h"

/* The scalar activations in the integer type T of their arithmetic (int32_t or int64_t), with ASR the
 * matching arithmetic shift right. */
#define DP_DEFINE_IHARDSWISH(name, T)                                                                   \
  static inline T name(T x, int32_t one_over_six, int32_t three, int32_t six) {                         \
    T t = x + three;                                                                                    \
    return DP_CLAMP(t, 0, six) * one_over_six * x;                                                      \
  }

#define DP_DEFINE_IGELU(name, T, ASR)                                                                   \
  static inline T name(T x, int32_t b, int32_t one, int32_t unused) {                                   \
    T magnitude = x < 0 ? -x : x, q = magnitude < -b ? magnitude : -b, d = q + b;                       \
    T l = one - d * d;                                                                                  \
    (void)unused;                                                                                       \
    if (x < 0) l = -l;                                                                                  \
    if (x == 0) l = 0;                                                                                  \
    return x * ASR(one + l, 1);                                                                         \
  }

DP_DEFINE_IHARDSWISH(dp_ihardswish32, int32_t)
DP_DEFINE_IHARDSWISH(dp_ihardswish64, int64_t)
DP_DEFINE_IGELU(dp_igelu32, int32_t, dp_asr32)
DP_DEFINE_IGELU(dp_igelu64, int64_t, dp_asr64)

#define DP_DEFINE_ACTIVATION(name, TX, TY, ACT)                                                         \
  DP_INSTANCE void name(const TX *x, TY *y, int32_t n, int32_t k0, int32_t k1, int32_t k2) {                 \
    int32_t i;                                                                                          \
    for (i = 0; i < n; ++i) y[i] = (TY)ACT(x[i], k0, k1, k2);                                           \
  }

#define DP_DEFINE_RQ_ACTIVATION(name, TX, TY, ACT, ACC, ASR)                                            \
  DP_INSTANCE void name(const TX *x, TY *y, int32_t k0, int32_t k1, int32_t k2, int32_t outer,               \
                   int32_t channels, int32_t inner, const int32_t *mul, const ACC *bias,                \
                   int32_t shift, ACC lo, ACC hi)                                                       \
      { DP_SIMD_RQ_ACTIVATION(TX, TY, ACT, ACC) DP_REQUANT_LOOPS(TY, ACC, ASR, ACT(x[i], k0, k1, k2)) }

#endif
