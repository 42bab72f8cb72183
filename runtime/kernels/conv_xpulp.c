/* Direct (depthwise) convolution runs of outputs for CORE-V cores (Xpulp v2); see conv_xpulp.h.
 *
 * A kernel row's taps are taken four at a time from one (unaligned) word of input and multiplied with a
 * word of four weights (zero past the row's end, so the up to three bytes read past the window add
 * nothing) by one cv.sdotsp.b. The hook packs a channel's weights once, as entries of two words (the
 * weights and the input step to the next group), which four outputs at a time share: per four taps of four
 * outputs, the entry's two loads, four input loads at register offsets, four dot products and a branch.
 * Measured as in matmul_xpulp.c: a requantized 3x3 depthwise Conv of 16 channels of 32 x 32 (padded)
 * 4.97 instructions per MAC, 45 per output, most of them the generic epilogue and the loops around the
 * runs (generic kernels built by clang: 15.99). */
#include "kernels/conv_xpulp.h"

#ifdef DP_XPULP
#include "kernels/xpulp.h"

void dp_xpulp_direct_pack(const int8_t *w, int32_t k_h, int32_t k_w, int32_t row_step, uint32_t *packed) {
  int32_t r, t, i;
  for (r = 0; r < k_h; ++r, w += k_w) {
    for (t = 0; t < k_w; t += 4, packed += 2) {
      uint32_t word = 0;
      for (i = 0; i < 4 && t + i < k_w; ++i) word |= (uint32_t)(uint8_t)w[t + i] << (8 * i);
      packed[0] = word;
      packed[1] = (uint32_t)(t + 4 < k_w ? 4 : row_step - t);
    }
  }
}

/* Four outputs at a time, then one at a time. */
DP_XP_INLINE void dp_xp_direct_run(const uint8_t *x, const uint32_t *packed, int32_t entries, int32_t s_w,
                                   int32_t count, uint32_t *acc, const int U) {
  const int32_t o1 = s_w, o2 = 2 * s_w, o3 = 3 * s_w;
  int32_t l, n;
  for (l = 0; l + 4 <= count; l += 4, x += 4 * s_w) {
    const uint8_t *p = x;
    const uint32_t *e = packed;
    uint32_t s0 = 0, s1 = 0, s2 = 0, s3 = 0, w, step, x0, x1, x2, x3;
    for (n = entries; n > 0; --n) {
      DP_XP_LW_POST(w, e, 4);
      DP_XP_LW_POST(step, e, 4);
      DP_XP_LW(x1, p, o1);
      DP_XP_LW(x2, p, o2);
      DP_XP_LW(x3, p, o3);
      DP_XP_LW_POSTR(x0, p, step);
      DP_XP_DOT(U, s0, x0, w);
      DP_XP_DOT(U, s1, x1, w);
      DP_XP_DOT(U, s2, x2, w);
      DP_XP_DOT(U, s3, x3, w);
    }
    acc[l] = s0, acc[l + 1] = s1, acc[l + 2] = s2, acc[l + 3] = s3;
  }
  for (; l < count; ++l, x += s_w) {
    const uint8_t *p = x;
    const uint32_t *e = packed;
    uint32_t s = 0, w, step, x0;
    for (n = entries; n > 0; --n) {
      DP_XP_LW_POST(w, e, 4);
      DP_XP_LW_POST(step, e, 4);
      DP_XP_LW_POSTR(x0, p, step);
      DP_XP_DOT(U, s, x0, w);
    }
    acc[l] = s;
  }
}

void dp_xpulp_direct_run_s8(const int8_t *x, const uint32_t *packed, int32_t entries, int32_t s_w, int32_t count,
                            uint32_t *acc) {
  dp_xp_direct_run((const uint8_t *)(const void *)x, packed, entries, s_w, count, acc, 0);
}
void dp_xpulp_direct_run_u8(const uint8_t *x, const uint32_t *packed, int32_t entries, int32_t s_w, int32_t count,
                            uint32_t *acc) {
  dp_xp_direct_run(x, packed, entries, s_w, count, acc, 1);
}
#endif
