/* Arm Cortex-M hooks for the direct (depthwise) convolution loops of conv.h, chosen at compile time like
 * matmul_arm.h: with MVE (conv_arm_mve.c), outputs whose kernel window lies inside the input row are
 * computed up to 16 at a time (one output per 32-bit lane: a gather load of the four inputs of a tap and a
 * vector-by-scalar multiply-accumulate), then stored through the generic epilogue; the others, and all
 * outputs elsewhere, keep the generic loop. */
#ifndef DP_CONV_ARM_H
#define DP_CONV_ARM_H

#include "kernels/matmul_arm.h"

#ifdef DP_ARM_MVE
/* Outputs l < count of a row (count 1, 2, 3, 4, 8, 12 or 16; acc holds count rounded up to 4):
 * acc[l] = sum over kh < rows, kw < k_w of x[kh * row_step + l * s_w + kw * d_w] * w[kh * k_w + kw]
 * (modulo 2^32). */
void dp_arm_direct_run_s8(const int8_t *x, const int8_t *w, int32_t rows, int32_t k_w, int32_t row_step, int32_t d_w,
                          int32_t s_w, int32_t count, uint32_t *acc);
void dp_arm_direct_run_u8(const uint8_t *x, const int8_t *w, int32_t rows, int32_t k_w, int32_t row_step, int32_t d_w,
                          int32_t s_w, int32_t count, uint32_t *acc);

/* In DP_CONV_DIRECT_LOOPS after the geometry: [arm_ow_lo, arm_ow_hi) are the outputs of a row whose
 * window lies inside the input row. */
#define DP_ARM_CONV_DIRECT_SETUP                   \
  const int32_t arm_ow_lo = (p_l + s_w - 1) / s_w; \
  const int32_t arm_ow_hi = in_w - 1 - (k_w - 1) * d_w + p_l < 0 ? 0 : (in_w - 1 - (k_w - 1) * d_w + p_l) / s_w + 1;
/* At the top of the output loop of a row: up to 16 interior outputs at once. */
#define DP_ARM_CONV_DIRECT_RUN(TX, TW, TACC, TY, EPI)                                                         \
  if (DP_ARM_NT_TYPES(TX, TW, TACC) && ow >= arm_ow_lo && ow < arm_ow_hi) {                                   \
    uint32_t arm_acc[16];                                                                                     \
    const int32_t arm_left = arm_ow_hi - ow;                                                                  \
    const int32_t arm_count = arm_left >= 16 ? 16 : arm_left >= 4 ? arm_left & ~3 : arm_left;                 \
    const TX *arm_x = xc + (ih0 + kh0 * d_h) * in_w + ow * s_w - p_l;                                         \
    const int8_t *arm_w = (const int8_t *)(const void *)(wm + kh0 * k_w);                                     \
    int32_t lane;                                                                                             \
    if (DP_ARM_IS_S8(TX))                                                                                     \
      dp_arm_direct_run_s8((const int8_t *)(const void *)arm_x, arm_w, kh1 - kh0, k_w, d_h * in_w, d_w, s_w,  \
                           arm_count, arm_acc);                                                               \
    else                                                                                                      \
      dp_arm_direct_run_u8((const uint8_t *)(const void *)arm_x, arm_w, kh1 - kh0, k_w, d_h * in_w, d_w, s_w, \
                           arm_count, arm_acc);                                                               \
    for (lane = 0; lane < arm_count; ++lane) *yp++ = (TY)(EPI(m, arm_acc[lane]));                             \
    ow += arm_count - 1;                                                                                      \
    continue;                                                                                                 \
  }
#else
#define DP_ARM_CONV_DIRECT_SETUP
#define DP_ARM_CONV_DIRECT_RUN(TX, TW, TACC, TY, EPI)
#endif

#endif
