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

static inline int32_t dp_ihardswish32(int32_t x, int32_t one_over_six, int32_t three, int32_t six) {
  int32_t t = x + three;
  return DP_CLAMP(t, 0, six) * one_over_six * x;
}

static inline int64_t dp_ihardswish64(int64_t x, int32_t one_over_six, int32_t three, int32_t six) {
  int64_t t = x + three;
  return DP_CLAMP(t, 0, six) * one_over_six * x;
}

static inline int32_t dp_igelu32(int32_t x, int32_t b, int32_t one, int32_t unused) {
  int32_t magnitude = x < 0 ? -x : x, q = magnitude < -b ? magnitude : -b, d = q + b;
  int32_t l = one - d * d;
  (void)unused;
  if (x < 0) l = -l;
  if (x == 0) l = 0;
  return x * dp_asr32(one + l, 1);
}

static inline int64_t dp_igelu64(int64_t x, int32_t b, int32_t one, int32_t unused) {
  int64_t magnitude = x < 0 ? -x : x, q = magnitude < -b ? magnitude : -b, d = q + b;
  int64_t l = one - d * d;
  (void)unused;
  if (x < 0) l = -l;
  if (x == 0) l = 0;
  return x * dp_asr64(one + l, 1);
}

#define DP_DEFINE_ACTIVATION(name, TX, TY, ACT)                                                         \
  static void name(const TX *x, TY *y, int32_t n, int32_t k0, int32_t k1, int32_t k2) {                 \
    int32_t i;                                                                                          \
    for (i = 0; i < n; ++i) y[i] = (TY)ACT(x[i], k0, k1, k2);                                           \
  }

#define DP_DEFINE_RQ_ACTIVATION(name, TX, TY, ACT, ACC, ASR)                                            \
  static void name(const TX *x, TY *y, int32_t k0, int32_t k1, int32_t k2, int32_t outer,               \
                   int32_t channels, int32_t inner, const int32_t *mul, const ACC *bias,                \
                   int32_t shift, ACC lo, ACC hi) {                                                     \
    int32_t o, c, i;                                                                                    \
    for (o = 0; o < outer; ++o) {                                                                       \
      for (c = 0; c < channels; ++c) {                                                                  \
        const ACC m = (ACC)mul[c], b = bias[c];                                                         \
        for (i = 0; i < inner; ++i) {                                                                   \
          ACC v = ASR((ACC)ACT(x[i], k0, k1, k2) * m + b, shift);                                       \
          y[i] = (TY)DP_CLAMP(v, lo, hi);                                                               \
        }                                                                                               \
        x += inner;                                                                                     \
        y += inner;                                                                                     \
      }                                                                                                 \
    }                                                                                                   \
  }

#endif
