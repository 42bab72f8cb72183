/* 2-D convolution over NCHW tensors (1-D convolutions run with height 1), with groups, strides,
 * dilations, zero padding and an optional per-channel bias. Weights use ONNX's [M][C/group][kH][kW]
 * layout, which already has each output channel's taps contiguous in the order the kernels read them.
 *
 * Two loop structures:
 *  - im2col (any group with more than one input channel per group): for each output pixel of a group
 *    the receptive field, zero padding included, is gathered once into a column of C/group*kH*kW
 *    elements in scratch memory, then every output channel of the group is a contiguous dot product of
 *    that column with its weight row (eight channels per pass sharing the column loads: the single-row
 *    micro-kernels of matmul.h). The column costs one copy per tap against C/group*kH*kW
 *    multiply-accumulates per output channel, needs only a column of scratch (not a whole im2col
 *    matrix, which would not fit an MCU's memory), and leaves no padding test in the hot loop.
 *  - direct (one input channel per group: depthwise and channel multipliers): each output is the sum
 *    over the kernel window clipped to the input (the clipped range is found once per output pixel), so
 *    no column is copied for the few taps each output has.
 * Integer kernels accumulate in uint32_t (wrapping, the bits of the int32 result), floats in float.
 * Requantized variants apply y = clamp((acc * mul[c] + add[c]) >> shift, lo, hi) in the epilogue, with
 * the rounding term folded into add and mul/add read at channel * rq_stride (0: per tensor).
 *
 * geom is an int32 array indexed by the DP_CONV_* constants. */
#ifndef DP_CONV_H
#define DP_CONV_H

#include "kernels/matmul.h"
#include "kernels/conv_arm.h"
#include "kernels/dwconv_xpulp.h"

enum {
  DP_CONV_BATCH,
  DP_CONV_IN_CHANNELS,
  DP_CONV_IN_H,
  DP_CONV_IN_W,
  DP_CONV_OUT_CHANNELS,
  DP_CONV_OUT_H,
  DP_CONV_OUT_W,
  DP_CONV_KERNEL_H,
  DP_CONV_KERNEL_W,
  DP_CONV_STRIDE_H,
  DP_CONV_STRIDE_W,
  DP_CONV_DILATION_H,
  DP_CONV_DILATION_W,
  DP_CONV_PAD_TOP,
  DP_CONV_PAD_LEFT,
  DP_CONV_GROUP,
  DP_CONV_GEOMETRY_SIZE
};

/* [lo, hi): the taps t in [0, taps) whose input index start + t * dilation lies in [0, size). */
#define DP_CONV_TAP_RANGE(start, taps, dilation, size, lo, hi)                 \
  do {                                                                         \
    lo = 0;                                                                    \
    while (lo < (taps) && (start) + lo * (dilation) < 0) ++lo;                 \
    hi = (taps);                                                               \
    while (hi > lo && (start) + (hi - 1) * (dilation) >= (size)) --hi;         \
  } while (0)

#define DP_CONV_READ_GEOMETRY                                                                       \
  const int32_t batch = geom[DP_CONV_BATCH], in_c = geom[DP_CONV_IN_CHANNELS];                       \
  const int32_t in_h = geom[DP_CONV_IN_H], in_w = geom[DP_CONV_IN_W];                                \
  const int32_t out_c = geom[DP_CONV_OUT_CHANNELS], out_h = geom[DP_CONV_OUT_H];                     \
  const int32_t out_w = geom[DP_CONV_OUT_W], k_h = geom[DP_CONV_KERNEL_H];                           \
  const int32_t k_w = geom[DP_CONV_KERNEL_W], s_h = geom[DP_CONV_STRIDE_H];                          \
  const int32_t s_w = geom[DP_CONV_STRIDE_W], d_h = geom[DP_CONV_DILATION_H];                        \
  const int32_t d_w = geom[DP_CONV_DILATION_W], p_t = geom[DP_CONV_PAD_TOP];                         \
  const int32_t p_l = geom[DP_CONV_PAD_LEFT], group = geom[DP_CONV_GROUP];                           \
  const int32_t in_hw = in_h * in_w, group_out = out_c / group;

/* EPI(channel, acc) gives the value stored for output channel `channel`. */
#define DP_CONV_IM2COL_LOOPS(TX, TW, TACC, TY, K, EPI)                                              \
  {                                                                                                 \
    DP_CONV_READ_GEOMETRY                                                                           \
    const int32_t group_in = in_c / group, out_hw = out_h * out_w;                                  \
    const int32_t taps = group_in * k_h * k_w;                                                      \
    int32_t bn, g, oh, ow, c, kh, kw, kh0, kh1, kw0, kw1;                                           \
    for (bn = 0; bn < batch; ++bn) {                                                                \
      for (g = 0; g < group; ++g) {                                                                 \
        const TX *xg = x + ((int32_t)bn * in_c + g * group_in) * in_hw;                             \
        const TW *wg = w + g * group_out * taps;                                                    \
        TY *yg = y + ((int32_t)bn * out_c + g * group_out) * out_hw;                                \
        for (oh = 0; oh < out_h; ++oh) {                                                            \
          const int32_t ih0 = oh * s_h - p_t;                                                       \
          DP_CONV_TAP_RANGE(ih0, k_h, d_h, in_h, kh0, kh1);                                         \
          for (ow = 0; ow < out_w; ++ow) {                                                          \
            const int32_t iw0 = ow * s_w - p_l;                                                     \
            TY *yp = yg + oh * out_w + ow;                                                          \
            TX *dst = col;                                                                          \
            DP_CONV_TAP_RANGE(iw0, k_w, d_w, in_w, kw0, kw1);                                       \
            for (c = 0; c < group_in; ++c) {                                                        \
              for (kh = 0; kh < k_h; ++kh) {                                                        \
                if (kh < kh0 || kh >= kh1) {                                                        \
                  for (kw = 0; kw < k_w; ++kw) *dst++ = (TX)0;                                      \
                } else {                                                                            \
                  const TX *src = xg + c * in_hw + (ih0 + kh * d_h) * in_w + iw0 + kw0 * d_w;       \
                  for (kw = 0; kw < kw0; ++kw) *dst++ = (TX)0;                                      \
                  for (; kw < kw1; ++kw, src += d_w) *dst++ = *src;                                 \
                  for (; kw < k_w; ++kw) *dst++ = (TX)0;                                            \
                }                                                                                   \
              }                                                                                     \
            }                                                                                       \
            DP_SIMD_NT_ROW_LOOP(TX, TW, K, TACC, col, wg, group_out, taps,                          \
                           yp[out_j * out_hw] = (TY)(EPI(g * group_out + out_j, out_acc));)         \
          }                                                                                         \
        }                                                                                           \
      }                                                                                             \
    }                                                                                               \
  }

#define DP_CONV_DIRECT_LOOPS(TX, TW, TACC, TY, EPI)                                                  \
  {                                                                                                 \
    DP_CONV_READ_GEOMETRY                                                                           \
    DP_SIMD_CONV_DIRECT_SETUP                                                                       \
    int32_t bn, m, oh, ow, kh, kw, kh0, kh1, kw0, kw1;                                               \
    TY *yp = y;                                                                                     \
    for (bn = 0; bn < batch; ++bn) {                                                                \
      for (m = 0; m < out_c; ++m) {                                                                 \
        const TX *xc = x + ((int32_t)bn * in_c + m / group_out) * in_hw;                            \
        const TW *wm = w + m * k_h * k_w;                                                           \
        for (oh = 0; oh < out_h; ++oh) {                                                            \
          const int32_t ih0 = oh * s_h - p_t;                                                       \
          DP_CONV_TAP_RANGE(ih0, k_h, d_h, in_h, kh0, kh1);                                         \
          for (ow = 0; ow < out_w; ++ow) {                                                          \
            DP_SIMD_CONV_DIRECT_RUN(TX, TW, TACC, TY, EPI)                                          \
            const int32_t iw0 = ow * s_w - p_l;                                                     \
            TACC s = 0;                                                                             \
            DP_CONV_TAP_RANGE(iw0, k_w, d_w, in_w, kw0, kw1);                                       \
            for (kh = kh0; kh < kh1; ++kh) {                                                        \
              const TX *src = xc + (ih0 + kh * d_h) * in_w + iw0 + kw0 * d_w;                       \
              const TW *wr = wm + kh * k_w;                                                         \
              for (kw = kw0; kw < kw1; ++kw, src += d_w) s += (TACC)*src * (TACC)wr[kw];             \
            }                                                                                       \
            *yp++ = (TY)(EPI(m, s));                                                                \
          }                                                                                         \
        }                                                                                           \
      }                                                                                             \
    }                                                                                               \
  }

#define DP_CONV_BIAS_EPI(channel, acc) ((acc) + (bias ? (TACC_B)bias[channel] : (TACC_B)0))
#define DP_CONV_RQ_EPI(channel, acc) DP_MATMUL_RQ_AT(dp_acc_to_s32(acc), (channel) * rq_stride)
/* The requantization constants of a call (see dp_requantize_bounded): accumulators are sums of
 * C/group*kH*kW products. */
#define DP_CONV_RQ_SETUP(TX, TW)                                                                              \
  const int32_t rq_taps = geom[DP_CONV_IN_CHANNELS] / geom[DP_CONV_GROUP] * geom[DP_CONV_KERNEL_H] *          \
                          geom[DP_CONV_KERNEL_W];                                                             \
  const uint32_t rq_mul_limit = dp_requantize_mul_limit(rq_taps, DP_INT_MAGNITUDE(TX), DP_INT_MAGNITUDE(TW)); \
  const int32_t rq_shift_32 = shift < 31 ? shift : 31;

#define DP_CONV_PARAMS(TX, TW, TY) const TX *x, const TW *w, const TY *bias, TY *y, const int32_t *geom
#define DP_RQCONV_PARAMS(TX, TW, TY) \
  const TX *x, const TW *w, TY *y, const int32_t *geom, const int32_t *mul, const int32_t *add, \
      int32_t rq_stride, int32_t shift, int32_t lo, int32_t hi

/* bias may be NULL. `col` is scratch for C/group*kH*kW elements of TX. */
#define DP_DEFINE_CONV_IM2COL(SCOPE, name, TX, TW, TACC, TY)                                  \
  DP_BLOCKED_BEGIN                                                                            \
  DP_DEFINE_NT_ROW_KERNELS(name, TX, TW, TACC)                                                \
  SCOPE void name(DP_CONV_PARAMS(TX, TW, TY), TX *col) {                                      \
    typedef TACC TACC_B;                                                                      \
    DP_CONV_IM2COL_LOOPS(TX, TW, TACC, TY, name, DP_CONV_BIAS_EPI)                            \
  }                                                                                           \
  DP_BLOCKED_END

#define DP_DEFINE_CONV_DIRECT(SCOPE, name, TX, TW, TACC, TY)                                  \
  SCOPE void name(DP_CONV_PARAMS(TX, TW, TY)) {                                               \
    typedef TACC TACC_B;                                                                      \
    DP_CONV_DIRECT_LOOPS(TX, TW, TACC, TY, DP_CONV_BIAS_EPI)                                  \
  }

#define DP_DEFINE_RQCONV_IM2COL(SCOPE, name, TX, TW, TY)                                      \
  DP_BLOCKED_BEGIN                                                                            \
  DP_DEFINE_NT_ROW_KERNELS(name, TX, TW, uint32_t)                                            \
  SCOPE void name(DP_RQCONV_PARAMS(TX, TW, TY), TX *col) {                                    \
    DP_CONV_RQ_SETUP(TX, TW)                                                                  \
    DP_CONV_IM2COL_LOOPS(TX, TW, uint32_t, TY, name, DP_CONV_RQ_EPI)                          \
  }                                                                                           \
  DP_BLOCKED_END

#define DP_DEFINE_RQCONV_DIRECT(SCOPE, name, TX, TW, TY)       \
  SCOPE void name(DP_RQCONV_PARAMS(TX, TW, TY)) {              \
    DP_CONV_RQ_SETUP(TX, TW)                                   \
    DP_CONV_DIRECT_LOOPS(TX, TW, uint32_t, TY, DP_CONV_RQ_EPI) \
  }

/* Compiled variants (conv.c). */
void dp_conv_im2col_s8_s8_s32(DP_CONV_PARAMS(int8_t, int8_t, int32_t), int8_t *col);
void dp_conv_direct_s8_s8_s32(DP_CONV_PARAMS(int8_t, int8_t, int32_t));
void dp_conv_im2col_u8_s8_s32(DP_CONV_PARAMS(uint8_t, int8_t, int32_t), uint8_t *col);
void dp_conv_direct_u8_s8_s32(DP_CONV_PARAMS(uint8_t, int8_t, int32_t));
void dp_conv_im2col_f32_f32_f32(DP_CONV_PARAMS(float, float, float), float *col);
void dp_conv_direct_f32_f32_f32(DP_CONV_PARAMS(float, float, float));

void dp_rqconv_im2col_s8_s8_s8(DP_RQCONV_PARAMS(int8_t, int8_t, int8_t), int8_t *col);
void dp_rqconv_direct_s8_s8_s8(DP_RQCONV_PARAMS(int8_t, int8_t, int8_t));
void dp_rqconv_im2col_s8_s8_u8(DP_RQCONV_PARAMS(int8_t, int8_t, uint8_t), int8_t *col);
void dp_rqconv_direct_s8_s8_u8(DP_RQCONV_PARAMS(int8_t, int8_t, uint8_t));
void dp_rqconv_im2col_u8_s8_s8(DP_RQCONV_PARAMS(uint8_t, int8_t, int8_t), uint8_t *col);
void dp_rqconv_direct_u8_s8_s8(DP_RQCONV_PARAMS(uint8_t, int8_t, int8_t));
void dp_rqconv_im2col_u8_s8_u8(DP_RQCONV_PARAMS(uint8_t, int8_t, uint8_t), uint8_t *col);
void dp_rqconv_direct_u8_s8_u8(DP_RQCONV_PARAMS(uint8_t, int8_t, uint8_t));

#endif
