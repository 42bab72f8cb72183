/* Integer divisions of Deeploy's integer dialect.
 *   DP_DEFINE_SCALE(name, TX, TY, ACC)  defines  void name(const TX *x, TY *y, int32_t n, int32_t factor)
 *   computing y = x * factor (TrueIntegerDiv, whose factor the compiler computes), in ACC arithmetic.
 *   dp_integer_div(a, b, delta_eta, eta, eps): IntegerDiv's rounded quotient of delta_eta * a by
 *   eta * b + eps, halves rounded away from zero (0 for a zero denominator). The compiler wraps it, with
 *   its constants and an optional requantization, into an operation for DP_DEFINE_BINARY of
 *   kernels/elementwise.h, which handles broadcasting. */
#ifndef DP_INTEGER_DIV_H
#define DP_INTEGER_DIV_H

#include "kernels/requant.h"

#define DP_DEFINE_SCALE(name, TX, TY, ACC)                                                              \
  DP_INSTANCE void name(const TX *x, TY *y, int32_t n, int32_t factor) {                                     \
    int32_t i;                                                                                          \
    for (i = 0; i < n; ++i) y[i] = (TY)((ACC)x[i] * (ACC)factor);                                       \
  }

static inline int64_t dp_integer_div(int64_t a, int64_t b, int64_t delta_eta, int64_t eta, int64_t eps) {
  int64_t denominator = eta * b + eps, numerator = delta_eta * a, half = dp_asr64(denominator, 1);
  if (denominator == 0) return 0;
  return (numerator + (numerator >= 0 ? half : -half)) / denominator;
}

#endif
