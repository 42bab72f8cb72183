/* Arm Cortex-M hooks for the direct (depthwise) convolution loops of conv.h, chosen at compile time like
 * matmul_arm.h. Outputs whose kernel window lies inside the input row are computed up to 16 at a time by
 * dp_arm_direct_run_*, then stored through the generic epilogue; the others, and all outputs elsewhere,
 * keep the generic loop.
 *  - MVE (conv_arm_mve.c): one output per 32-bit lane, a gather load of the four inputs of a tap and a
 *    vector-by-scalar multiply-accumulate.
 *  - DSP without MVE (conv_arm_dsp.c): four taps per word load, SXTB16 and two SMLAD, four outputs at a
 *    time; for unit width dilation (other dilations keep the generic loop). Rows are read in words, up to
 *    three bytes past the window, so an output is run only when those bytes lie inside the input plane. */
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
#define DP_ARM_DIRECT_STATE
#define DP_ARM_DIRECT_HI(hi) (hi)
/* Bytes of a window row read past its first input, and the largest run. */
#define DP_ARM_DIRECT_READ ((k_w - 1) * d_w + 1)
#define DP_ARM_DIRECT_COUNT(left) ((left) >= 16 ? 16 : (left) >= 4 ? (left) & ~3 : (left))
#define DP_ARM_DIRECT_RUN_T(T, x)                                                                                 \
  dp_arm_direct_run_##T(x, (const int8_t *)(const void *)(wm + kh0 * k_w), kh1 - kh0, k_w, d_h * in_w, d_w, s_w, \
                        arm_count, arm_acc)
#elif defined(DP_ARM_DSP)
/* Packs the k_h rows of k_w weights of a channel into entries of three words per group of four taps (zero
 * past k_w): the 16-bit lane pairs (w0 w2) (w1 w3), then the input step to the next group (4, or to the
 * next row, row_step apart). */
void dp_arm_direct_pack(const int8_t *w, int32_t k_h, int32_t k_w, int32_t row_step, uint32_t *packed);
/* acc[l] for outputs l < count of a row as with MVE, for d_w = 1, over `entries` packed groups from the
 * first row's: reads each group as a word, so the bytes up to x[(count - 1) * s_w + (the offset of the
 * last group) + 3] must be readable. */
void dp_arm_direct_run_s8(const int8_t *x, const uint32_t *packed, int32_t entries, int32_t s_w, int32_t count,
                          uint32_t *acc);
void dp_arm_direct_run_u8(const uint8_t *x, const uint32_t *packed, int32_t entries, int32_t s_w, int32_t count,
                          uint32_t *acc);
/* Rows with fewer interior outputs keep the generic loop: packing the weights and the calls would cost
 * more than they save (seen on 4 x 4 inputs). */
#define DP_ARM_DIRECT_MIN_RUN 4
/* Packed entries for kernels of up to 32 groups of four taps (k_h * ((k_w + 3) / 4)). */
#define DP_ARM_DIRECT_PACKED_WORDS 96
#define DP_ARM_DIRECT_GROUPS ((k_w + 3) / 4)
#define DP_ARM_DIRECT_STATE                                                                             \
  uint32_t arm_packed[DP_ARM_DIRECT_PACKED_WORDS];                                                      \
  int32_t arm_packed_m = -1;
/* Outputs of the DSP runs: none unless d_w = 1, the packed weights fit and rows have enough of them. */
#define DP_ARM_DIRECT_HI(hi)                                                                            \
  (d_w == 1 && 3 * k_h * DP_ARM_DIRECT_GROUPS <= DP_ARM_DIRECT_PACKED_WORDS &&                          \
           (hi)-arm_ow_lo >= DP_ARM_DIRECT_MIN_RUN                                                      \
       ? (hi)                                                                                           \
       : 0)
#define DP_ARM_DIRECT_READ (4 * DP_ARM_DIRECT_GROUPS)
#define DP_ARM_DIRECT_COUNT(left) ((left) >= 16 ? 16 : (left))
/* Packs the channel's weights when it changes, then runs. */
#define DP_ARM_DIRECT_RUN_T(T, x)                                                                              \
  do {                                                                                                         \
    if (arm_packed_m != m) {                                                                                   \
      dp_arm_direct_pack((const int8_t *)(const void *)wm, k_h, k_w, d_h * in_w, arm_packed);                  \
      arm_packed_m = m;                                                                                        \
    }                                                                                                          \
    dp_arm_direct_run_##T(x, arm_packed + 3 * kh0 * DP_ARM_DIRECT_GROUPS, (kh1 - kh0) * DP_ARM_DIRECT_GROUPS, \
                          s_w, arm_count, arm_acc);                                                            \
  } while (0)
#endif

#ifdef DP_ARM_DIRECT_READ
/* In DP_CONV_DIRECT_LOOPS after the geometry: [arm_ow_lo, arm_ow_hi) are the outputs of a row whose
 * window lies inside the input row. */
#define DP_ARM_CONV_DIRECT_SETUP                                                                                \
  const int32_t arm_ow_lo = (p_l + s_w - 1) / s_w;                                                              \
  const int32_t arm_ow_hi = DP_ARM_DIRECT_HI(in_w - 1 - (k_w - 1) * d_w + p_l < 0 ? 0 : (in_w - 1 - (k_w - 1) * d_w + p_l) / s_w + 1); \
  DP_ARM_DIRECT_STATE
/* At the top of the output loop of a row: up to 16 interior outputs at once, those whose reads of the
 * last window row (DP_ARM_DIRECT_READ bytes) end inside the input plane. */
#define DP_ARM_CONV_DIRECT_RUN(TX, TW, TACC, TY, EPI)                                                               \
  if (DP_ARM_NT_TYPES(TX, TW, TACC) && ow < arm_ow_hi && ow >= arm_ow_lo) {                \
    const int32_t arm_room = in_hw - (ih0 + (kh1 - 1) * d_h) * in_w + p_l - DP_ARM_DIRECT_READ;                     \
    const int32_t arm_hi = arm_room < 0 ? 0 : arm_room / s_w + 1 < arm_ow_hi ? arm_room / s_w + 1 : arm_ow_hi;      \
    if (ow < arm_hi) {                                                                                              \
      uint32_t arm_acc[16];                                                                                         \
      const int32_t arm_count = DP_ARM_DIRECT_COUNT(arm_hi - ow);                                                   \
      const TX *arm_x = xc + (ih0 + kh0 * d_h) * in_w + ow * s_w - p_l;                                             \
      int32_t lane;                                                                                                 \
      if (DP_ARM_IS_S8(TX))                                                                                         \
        DP_ARM_DIRECT_RUN_T(s8, (const int8_t *)(const void *)arm_x);                                               \
      else                                                                                                          \
        DP_ARM_DIRECT_RUN_T(u8, (const uint8_t *)(const void *)arm_x);                                              \
      for (lane = 0; lane < arm_count; ++lane) *yp++ = (TY)(EPI(m, arm_acc[lane]));                                 \
      ow += arm_count - 1;                                                                                          \
      continue;                                                                                                     \
    }                                                                                                               \
  }
#else
#define DP_ARM_CONV_DIRECT_SETUP
#define DP_ARM_CONV_DIRECT_RUN(TX, TW, TACC, TY, EPI)
#endif

#endif
