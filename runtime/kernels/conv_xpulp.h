/* CORE-V (Xpulp v2) hooks for the direct (depthwise) convolution loops of conv.h, chosen at compile time
 * like matmul_xpulp.h (the generic kernels reach them through simd_hooks.h's DP_SIMD_CONV_DIRECT_*).
 * Outputs whose kernel window lies inside the input row are computed up to 16 at a time by
 * dp_xpulp_direct_run_*, then stored through the generic epilogue; the others keep the generic loop.
 * conv_xpulp.c: a kernel row's taps four at a time, one (unaligned) word of input against a word of four
 * weights (zero past k_w) by cv.sdotsp.b (cv.sdotusp.b for uint8), four outputs at a time sharing the
 * weight words; for unit width dilation (other dilations keep the generic loop). Rows are read in words,
 * up to three bytes past the window, so an output is run only when those bytes lie inside the input
 * plane (as the Arm DSP hook of conv_arm.h does). */
#ifndef DP_CONV_XPULP_H
#define DP_CONV_XPULP_H

#include "kernels/matmul_xpulp.h"

#ifdef DP_XPULP
/* Packs the k_h rows of k_w weights of a channel into entries of two words per group of four taps: the four
 * weights (zero past k_w), then the input step to the next group (4, or to the next row, row_step apart). */
void dp_xpulp_direct_pack(const int8_t *w, int32_t k_h, int32_t k_w, int32_t row_step, uint32_t *packed);
/* acc[l] for outputs l < count (count <= 16) of a row: the sum over `entries` packed groups of the word of
 * input at x + l * s_w + (the group's offset) against the group's weights; reads each group as a word, so
 * the bytes up to x[(count - 1) * s_w + (the offset of the last group) + 3] must be readable. */
void dp_xpulp_direct_run_s8(const int8_t *x, const uint32_t *packed, int32_t entries, int32_t s_w, int32_t count,
                            uint32_t *acc);
void dp_xpulp_direct_run_u8(const uint8_t *x, const uint32_t *packed, int32_t entries, int32_t s_w, int32_t count,
                            uint32_t *acc);
/* Rows with fewer interior outputs keep the generic loop (packing and calls would cost more than they save). */
#define DP_XPULP_DIRECT_MIN_RUN 4
/* Packed entries for kernels of up to 32 groups of four taps (k_h * ((k_w + 3) / 4)). */
#define DP_XPULP_DIRECT_PACKED_WORDS 64
#define DP_XPULP_DIRECT_GROUPS ((k_w + 3) / 4)
/* Bytes of a window row read past its first input. */
#define DP_XPULP_DIRECT_READ (4 * DP_XPULP_DIRECT_GROUPS)
/* Outputs of the runs: none unless d_w = 1, the packed weights fit and rows have enough of them. */
#define DP_XPULP_DIRECT_HI(hi)                                                                         \
  (d_w == 1 && 2 * k_h * DP_XPULP_DIRECT_GROUPS <= DP_XPULP_DIRECT_PACKED_WORDS &&                     \
           (hi)-xpulp_ow_lo >= DP_XPULP_DIRECT_MIN_RUN                                                 \
       ? (hi)                                                                                          \
       : 0)

/* In DP_CONV_DIRECT_LOOPS after the geometry: [xpulp_ow_lo, xpulp_ow_hi) are the outputs of a row whose
 * window lies inside the input row; the packed weights of channel xpulp_packed_m. */
#define DP_XPULP_CONV_DIRECT_SETUP                                                                            \
  const int32_t xpulp_ow_lo = (p_l + s_w - 1) / s_w;                                                          \
  const int32_t xpulp_ow_hi = DP_XPULP_DIRECT_HI(                                                             \
      in_w - 1 - (k_w - 1) * d_w + p_l < 0 ? 0 : (in_w - 1 - (k_w - 1) * d_w + p_l) / s_w + 1);               \
  uint32_t xpulp_packed[DP_XPULP_DIRECT_PACKED_WORDS];                                                        \
  int32_t xpulp_packed_m = -1;
/* At the top of the output loop of a row: up to 16 interior outputs at once, those whose reads of the last
 * window row (DP_XPULP_DIRECT_READ bytes) end inside the input plane; the channel's weights packed when it
 * changes. */
#define DP_XPULP_CONV_DIRECT_RUN(TX, TW, TACC, TY, EPI)                                                        \
  if (DP_XPULP_TYPES(TX, TW, TACC) && ow < xpulp_ow_hi && ow >= xpulp_ow_lo) {                                \
    const int32_t xpulp_room = in_hw - (ih0 + (kh1 - 1) * d_h) * in_w + p_l - DP_XPULP_DIRECT_READ;           \
    const int32_t xpulp_hi =                                                                                  \
        xpulp_room < 0 ? 0 : xpulp_room / s_w + 1 < xpulp_ow_hi ? xpulp_room / s_w + 1 : xpulp_ow_hi;         \
    if (ow < xpulp_hi) {                                                                                      \
      uint32_t xpulp_acc[16];                                                                                 \
      const int32_t xpulp_count = xpulp_hi - ow < 16 ? xpulp_hi - ow : 16;                                    \
      const TX *xpulp_x = xc + (ih0 + kh0 * d_h) * in_w + ow * s_w - p_l;                                     \
      const uint32_t *xpulp_entries = xpulp_packed + 2 * kh0 * DP_XPULP_DIRECT_GROUPS;                        \
      const int32_t xpulp_n = (kh1 - kh0) * DP_XPULP_DIRECT_GROUPS;                                           \
      int32_t lane;                                                                                           \
      if (xpulp_packed_m != m) {                                                                              \
        dp_xpulp_direct_pack((const int8_t *)(const void *)wm, k_h, k_w, d_h * in_w, xpulp_packed);           \
        xpulp_packed_m = m;                                                                                   \
      }                                                                                                       \
      if (DP_XPULP_IS_S8(TX))                                                                                 \
        dp_xpulp_direct_run_s8((const int8_t *)(const void *)xpulp_x, xpulp_entries, xpulp_n, s_w,            \
                               xpulp_count, xpulp_acc);                                                       \
      else                                                                                                    \
        dp_xpulp_direct_run_u8((const uint8_t *)(const void *)xpulp_x, xpulp_entries, xpulp_n, s_w,           \
                               xpulp_count, xpulp_acc);                                                       \
      for (lane = 0; lane < xpulp_count; ++lane) *yp++ = (TY)(EPI(m, xpulp_acc[lane]));                       \
      ow += xpulp_count - 1;                                                                                  \
      continue;                                                                                               \
    }                                                                                                         \
  }
#endif

#endif
