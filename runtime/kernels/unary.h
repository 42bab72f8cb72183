/* Element-wise unary kernels (activations, rounding, clipping), instantiated per element type by the
 * generated code:
 *   DP_DEFINE_UNARY(name, TX, TY, OP)        (kernels/elementwise.h)  y[i] = OP(x[i])
 *   DP_DEFINE_UNARY_1P(name, T, TP, OP)      void name(const T *x, T *y, int32_t n, TP p)
 *                                            y[i] = OP(x[i], p)
 *   DP_DEFINE_UNARY_2P(name, T, TP, OP)      void name(const T *x, T *y, int32_t n, TP p, TP q)
 *                                            y[i] = OP(x[i], p, q)
 * OP is one of the element functions below: dp_*_f for float, DP_*_I for integer types (computed in
 * 64 bits and converted to the element type). */
#ifndef DP_UNARY_H
#define DP_UNARY_H

#include <math.h>

#include "kernels/dp_common.h"
#include "kernels/elementwise.h"

#define DP_DEFINE_UNARY_1P(name, T, TP, OP)                  \
  DP_INSTANCE void name(const T *x, T *y, int32_t n, TP p) {      \
    int32_t i;                                               \
    for (i = 0; i < n; ++i) y[i] = OP(x[i], p);              \
  }

#define DP_DEFINE_UNARY_2P(name, T, TP, OP)                  \
  DP_INSTANCE void name(const T *x, T *y, int32_t n, TP p, TP q) { \
    int32_t i;                                               \
    for (i = 0; i < n; ++i) y[i] = OP(x[i], p, q);           \
  }

/* ---- float element functions ---- */

/* Ties to even: the default rounding mode, which the runtime never changes. */
static inline float dp_round_f(float x) { return nearbyintf(x); }
static inline float dp_neg_f(float x) { return -x; }
static inline float dp_reciprocal_f(float x) { return 1.0f / x; }
/* x < 0 rather than max(x, 0) so that NaN propagates. */
static inline float dp_relu_f(float x) { return x < 0.0f ? 0.0f : x; }
static inline float dp_leaky_relu_f(float x, float alpha) { return x < 0.0f ? alpha * x : x; }
/* exp in double, rounded once to float: the correctly rounded result (but for vanishingly rare ties),
 * so glibc, picolibc and newlib targets all give the same float; their expf differ by a unit in the
 * last place for some inputs. */
static inline float dp_exp_f(float x) { return (float)exp((double)x); }
static inline float dp_sigmoid_f(float x) { return 1.0f / (1.0f + expf(-x)); }
static inline float dp_hard_sigmoid_f(float x, float alpha, float beta) {
  float v = alpha * x + beta;
  return v < 0.0f ? 0.0f : (v > 1.0f ? 1.0f : v);
}
static inline float dp_hard_swish_f(float x) { return x * dp_hard_sigmoid_f(x, 1.0f / 6.0f, 0.5f); }
static inline float dp_swish_f(float x, float alpha) { return x * dp_sigmoid_f(alpha * x); }
/* 0.5 x (1 + erf(x / sqrt(2))) */
static inline float dp_gelu_f(float x) { return 0.5f * x * (1.0f + erff(x * 0.70710678118654752f)); }
/* 0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3))) */
static inline float dp_gelu_tanh_f(float x) {
  return 0.5f * x * (1.0f + tanhf(0.79788456080286536f * (x + 0.044715f * x * x * x)));
}

/* Clip: the lower bound first, so that min > max yields max as ONNX specifies; NaN propagates. */
#define DP_CLIP(x, lo, hi) ((x) < (lo) ? ((lo) > (hi) ? (hi) : (lo)) : ((x) > (hi) ? (hi) : (x)))

/* ---- integer element functions (signed types) ---- */

#define DP_RELU_I(x) ((x) < 0 ? 0 : (x))
/* Negation through unsigned arithmetic: wraps for the most negative value instead of overflowing. */
#define DP_NEG_I(x) ((int64_t)(0u - (uint64_t)(int64_t)(x)))
#define DP_ABS_I(x) ((x) < 0 ? DP_NEG_I(x) : (int64_t)(x))

#endif
