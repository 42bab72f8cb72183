/* 2-D transposed convolution over NCHW tensors (1-D runs with height 1). Weights use ONNX's
 * [C][M/group][kH][kW] layout; geom is the DP_CONV_* array of conv.h with in_* describing x and out_*
 * describing y (out sizes include output_padding), pads the begin pads.
 * Each input element is scattered into the output window it contributes to: the output is first set to
 * the bias (or 0), then every input value is multiplied once per tap along a contiguous weight row; the
 * taps falling outside the output are clipped once per input element, so the inner loop has no test.
 * Integer variants accumulate in uint32_t in the output (wrapping like the int32 result). */
#ifndef DP_CONV_TRANSPOSE_H
#define DP_CONV_TRANSPOSE_H

#include "kernels/conv.h"

#define DP_DEFINE_CONV_TRANSPOSE(SCOPE, name, TX, TW, TACC, TY)                                     \
  SCOPE void name(DP_CONV_PARAMS(TX, TW, TY)) {                                                     \
    DP_CONV_READ_GEOMETRY                                                                           \
    const int32_t group_in = in_c / group, out_hw = out_h * out_w, taps = k_h * k_w;                \
    int32_t bn, m, c, mi, ih, iw, kh, kw, kw0, kw1, i;                                               \
    for (bn = 0; bn < batch; ++bn) {                                                                \
      for (m = 0; m < out_c; ++m) {                                                             \
        TY *yp = y + (bn * out_c + m) * out_hw;                                                     \
        const TY value = bias ? bias[m] : (TY)0;                                                    \
        for (i = 0; i < out_hw; ++i) yp[i] = value;                                                 \
      }                                                                                             \
      for (c = 0; c < in_c; ++c) {                                                                  \
        const int32_t g = c / group_in;                                                             \
        const TX *xc = x + (bn * in_c + c) * in_hw;                                                 \
        for (mi = 0; mi < group_out; ++mi) {                                                        \
          const int32_t mo = g * group_out + mi;                                                    \
          TY *ym = y + (bn * out_c + mo) * out_hw;                                                  \
          const TW *wcm = w + (c * group_out + mi) * taps;                                          \
          for (ih = 0; ih < in_h; ++ih) {                                                           \
            const TX *xr = xc + ih * in_w;                                                          \
            for (kh = 0; kh < k_h; ++kh) {                                                          \
              const int32_t oh = ih * s_h - p_t + kh * d_h;                                         \
              TY *yrow;                                                                             \
              const TW *wr = wcm + kh * k_w;                                                        \
              if (oh < 0 || oh >= out_h) continue;                                                  \
              yrow = ym + oh * out_w;                                                               \
              for (iw = 0; iw < in_w; ++iw) {                                                       \
                const int32_t ow0 = iw * s_w - p_l;                                                 \
                const TACC v = (TACC)xr[iw];                                                        \
                TY *yo;                                                                             \
                DP_CONV_TAP_RANGE(ow0, k_w, d_w, out_w, kw0, kw1);                                  \
                yo = yrow + ow0 + kw0 * d_w;                                                        \
                for (kw = kw0; kw < kw1; ++kw, yo += d_w) *yo = (TY)((TACC)*yo + v * (TACC)wr[kw]); \
              }                                                                                     \
            }                                                                                       \
          }                                                                                         \
        }                                                                                           \
      }                                                                                             \
    }                                                                                               \
  }

/* Compiled variant (conv_transpose.c); integer combinations are instantiated by the generated code. */
void dp_conv_transpose_f32_f32_f32(DP_CONV_PARAMS(float, float, float));

#endif
