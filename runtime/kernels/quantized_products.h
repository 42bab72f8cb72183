/* ONNX's integer products with zero points, instantiated per type combination by the generated code:
 * MatMulInteger and ConvInteger (int32 results), QLinearMatMul and QLinearConv (requantized), in the
 * arithmetic of onnxruntime:
 *   acc = sum (a - a_zero) * (b - b_zero), in int32 (wrapping past it; QLinearConv adds its int32 bias)
 *   y   = SATURATE(nearbyintf((float)acc * multiplier) + (float)y_zero),
 *   multiplier = (a_scale * b_scale) / y_scale in float32.
 * SATURATE is cast.h's dp_f32_to_s8 or dp_f32_to_u8. A NULL zero point is 0. Zero points and scales are
 * read at index * stride, stride 0 for one value per tensor.
 *
 * Products: y [batch][m][n] = A [m][k] x B [k][n], both row-major, batch bi's A at a + a_offsets[bi] and
 * its B at b + b_offsets[bi]; A's zero point per row, B's zero point and scale per column.
 *   DP_DEFINE_MATMUL_INTEGER(name, TA, TB)
 *     void name(const TA *a, const TA *a_zero, int32_t a_zero_stride, const TB *b, const TB *b_zero,
 *               int32_t b_zero_stride, int32_t *y, int32_t batch, int32_t m, int32_t n, int32_t k,
 *               const int32_t *a_offsets, const int32_t *b_offsets)
 *   DP_DEFINE_QLINEAR_MATMUL(name, TA, TB, TY, SATURATE)
 *     void name(const TA *a, const float *a_scale, const TA *a_zero, const TB *b, const float *b_scale,
 *               int32_t b_scale_stride, const TB *b_zero, int32_t b_zero_stride, const float *y_scale,
 *               const TY *y_zero, TY *y, int32_t batch, int32_t m, int32_t n, int32_t k,
 *               const int32_t *a_offsets, const int32_t *b_offsets)
 *
 * Convolutions (NCHW, geometry as conv.h's geom array): W's zero point and scale per output channel;
 * padding stands for x's zero point (a real 0), so padded taps add nothing.
 *   DP_DEFINE_CONV_INTEGER(name, TX, TW)
 *     void name(const TX *x, const TX *x_zero, const TW *w, const TW *w_zero, int32_t w_zero_stride,
 *               int32_t *y, const int32_t *geom)
 *   DP_DEFINE_QLINEAR_CONV(name, TX, TW, TY, SATURATE)
 *     void name(const TX *x, const float *x_scale, const TX *x_zero, const TW *w, const float *w_scale,
 *               int32_t w_scale_stride, const TW *w_zero, int32_t w_zero_stride, const float *y_scale,
 *               const TY *y_zero, const int32_t *bias, TY *y, const int32_t *geom)
 *
 * Every tap is one multiply of the shifted operands (at most 255 * 255 for 8-bit types). */
#ifndef DP_QUANTIZED_PRODUCTS_H
#define DP_QUANTIZED_PRODUCTS_H

#include <math.h>

#include "kernels/cast.h"
#include "kernels/conv.h"

/* The requantized value before saturation (the multiply is not fused with anything: no contraction). */
static inline float dp_qlinear_rescale(int32_t acc, float multiplier, float zero) {
  return nearbyintf((float)acc * multiplier) + zero;
}

/* Runs STORE (which reads `acc`, `j` and writes *y) for every output of the batched product. */
#define DP_QUANTIZED_MATMUL_LOOPS(TA, TB, STORE)                                                      \
  {                                                                                                   \
    int32_t bi, i, j, t;                                                                              \
    for (bi = 0; bi < batch; ++bi) {                                                                  \
      const TA *ab = a + a_offsets[bi];                                                               \
      const TB *bb = b + b_offsets[bi];                                                               \
      for (i = 0; i < m; ++i) {                                                                       \
        const int32_t za = a_zero ? (int32_t)a_zero[i * a_zero_stride] : 0;                           \
        const TA *ar = ab + i * k;                                                                    \
        for (j = 0; j < n; ++j, ++y) {                                                                \
          const int32_t zb = b_zero ? (int32_t)b_zero[j * b_zero_stride] : 0;                         \
          uint32_t acc = 0;                                                                           \
          for (t = 0; t < k; ++t) acc += (uint32_t)(((int32_t)ar[t] - za) * ((int32_t)bb[t * n + j] - zb)); \
          STORE                                                                                       \
        }                                                                                             \
      }                                                                                               \
    }                                                                                                 \
  }

#define DP_DEFINE_MATMUL_INTEGER(name, TA, TB)                                                                  \
  DP_INSTANCE void name(const TA *a, const TA *a_zero, int32_t a_zero_stride, const TB *b, const TB *b_zero,   \
                        int32_t b_zero_stride, int32_t *y, int32_t batch, int32_t m, int32_t n, int32_t k,      \
                        const int32_t *a_offsets, const int32_t *b_offsets)                                     \
  DP_QUANTIZED_MATMUL_LOOPS(TA, TB, *y = dp_acc_to_s32(acc);)

#define DP_DEFINE_QLINEAR_MATMUL(name, TA, TB, TY, SATURATE)                                                    \
  DP_INSTANCE void name(const TA *a, const float *a_scale, const TA *a_zero, const TB *b, const float *b_scale, \
                        int32_t b_scale_stride, const TB *b_zero, int32_t b_zero_stride, const float *y_scale,  \
                        const TY *y_zero, TY *y, int32_t batch, int32_t m, int32_t n, int32_t k,                \
                        const int32_t *a_offsets, const int32_t *b_offsets) {                                   \
    const int32_t a_zero_stride = 0;                                                                            \
    const float yz = (float)y_zero[0];                                                                          \
    DP_QUANTIZED_MATMUL_LOOPS(TA, TB,                                                                           \
        *y = SATURATE(dp_qlinear_rescale(dp_acc_to_s32(acc), (a_scale[0] * b_scale[j * b_scale_stride]) / y_scale[0], yz));) \
  }

/* Runs STORE (which reads `acc`, the output channel `m` and writes *y) for every output, in NCHW order. */
#define DP_QUANTIZED_CONV_LOOPS(TX, TW, STORE)                                                          \
  {                                                                                                     \
    DP_CONV_READ_GEOMETRY                                                                               \
    const int32_t group_in = in_c / group, taps = group_in * k_h * k_w;                                 \
    const int32_t zx = x_zero ? (int32_t)x_zero[0] : 0;                                                 \
    int32_t bn, m, oh, ow, c, kh, kw, kh0, kh1, kw0, kw1;                                               \
    for (bn = 0; bn < batch; ++bn) {                                                                    \
      for (m = 0; m < out_c; ++m) {                                                                     \
        const TX *xg = x + (bn * in_c + m / group_out * group_in) * in_hw;                              \
        const TW *wm = w + m * taps;                                                                    \
        const int32_t zw = w_zero ? (int32_t)w_zero[m * w_zero_stride] : 0;                             \
        for (oh = 0; oh < out_h; ++oh) {                                                                \
          const int32_t ih0 = oh * s_h - p_t;                                                           \
          DP_CONV_TAP_RANGE(ih0, k_h, d_h, in_h, kh0, kh1);                                             \
          for (ow = 0; ow < out_w; ++ow, ++y) {                                                         \
            const int32_t iw0 = ow * s_w - p_l;                                                         \
            uint32_t acc = 0;                                                                           \
            DP_CONV_TAP_RANGE(iw0, k_w, d_w, in_w, kw0, kw1);                                           \
            for (c = 0; c < group_in; ++c) {                                                            \
              for (kh = kh0; kh < kh1; ++kh) {                                                          \
                const TX *src = xg + c * in_hw + (ih0 + kh * d_h) * in_w + iw0 + kw0 * d_w;             \
                const TW *wr = wm + (c * k_h + kh) * k_w;                                               \
                for (kw = kw0; kw < kw1; ++kw, src += d_w) acc += (uint32_t)(((int32_t)*src - zx) * ((int32_t)wr[kw] - zw)); \
              }                                                                                         \
            }                                                                                           \
            STORE                                                                                       \
          }                                                                                             \
        }                                                                                               \
      }                                                                                                 \
    }                                                                                                   \
  }

#define DP_DEFINE_CONV_INTEGER(name, TX, TW)                                                                  \
  DP_INSTANCE void name(const TX *x, const TX *x_zero, const TW *w, const TW *w_zero, int32_t w_zero_stride, \
                        int32_t *y, const int32_t *geom)                                                      \
  DP_QUANTIZED_CONV_LOOPS(TX, TW, *y = dp_acc_to_s32(acc);)

#define DP_DEFINE_QLINEAR_CONV(name, TX, TW, TY, SATURATE)                                                      \
  DP_INSTANCE void name(const TX *x, const float *x_scale, const TX *x_zero, const TW *w, const float *w_scale, \
                        int32_t w_scale_stride, const TW *w_zero, int32_t w_zero_stride, const float *y_scale,  \
                        const TY *y_zero, const int32_t *bias, TY *y, const int32_t *geom) {                    \
    const float yz = (float)y_zero[0];                                                                          \
    DP_QUANTIZED_CONV_LOOPS(TX, TW,                                                                             \
        *y = SATURATE(dp_qlinear_rescale(dp_acc_to_s32(acc + (bias ? (uint32_t)bias[m] : 0u)),                   \
                                         (x_scale[0] * w_scale[m * w_scale_stride]) / y_scale[0], yz));)        \
  }

#endif
