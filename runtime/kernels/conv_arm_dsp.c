/* Direct (depthwise) convolution runs of outputs for Arm cores with the DSP extension and no MVE (Cortex-M4,
 * M7, M33); see conv_arm.h.
 *
 * A kernel row's taps are taken four at a time from one (unaligned) word of input, bytes (x0 x1 x2 x3),
 * whose 16-bit lane pairs (x0 x2) and (x1 x3) come from SXTB16 (UXTB16 for uint8) of the word and of the
 * word rotated by 8 (arm_dsp.h); two SMLAD against the weights packed the same way, (w0 w2) and (w1 w3),
 * add the four products. Rows whose width is not a multiple of four are padded with zero weights, so
 * their last word reads up to three bytes past the window (the caller keeps those bytes inside the input
 * plane). The hook packs a channel's weights once, as entries of three words (the two lane pairs and the
 * input step to the next group), which two outputs at a time share: per four taps of two outputs, the
 * entry's loads, two input loads, four extensions and four SMLAD. */
#include "kernels/conv_arm.h"

#ifdef DP_ARM_DSP
#include "kernels/arm_dsp.h"

#define DP_DSP_DIRECT_SMLAD(x, y, acc) (uint32_t) __smlad((int16x2_t)(x), (int16x2_t)(y), (int32_t)(acc))

void dp_arm_direct_pack(const int8_t *w, int32_t k_h, int32_t k_w, int32_t row_step, uint32_t *packed) {
  int32_t r, t;
  for (r = 0; r < k_h; ++r, w += k_w) {
    for (t = 0; t < k_w; t += 4, packed += 3) {
      const int32_t w1 = t + 1 < k_w ? w[t + 1] : 0, w2 = t + 2 < k_w ? w[t + 2] : 0, w3 = t + 3 < k_w ? w[t + 3] : 0;
      packed[0] = dp_dsp_pair(w[t], w2);
      packed[1] = dp_dsp_pair(w1, w3);
      packed[2] = (uint32_t)(t + 4 < k_w ? 4 : row_step - t);
    }
  }
}

/* One output's four taps at x[at] added to acc: one load, two extensions, two SMLAD. */
#define DP_DSP_DIRECT_TAPS4(T, x, acc)                                   \
  {                                                                      \
    const uint32_t v_ = dp_dsp_load4(x + at);                     \
    acc = DP_DSP_DIRECT_SMLAD(DP_DSP_EVEN_##T(v_), entry[0], acc); \
    acc = DP_DSP_DIRECT_SMLAD(DP_DSP_ODD_##T(v_), entry[1], acc);  \
  }

/* Two outputs at a time sharing each weight entry, then the last one; `at` is the offset of the current
 * four taps from each output's first input. */
#define DP_DSP_DEFINE_DIRECT_RUN(T, TX)                                                                        \
  void dp_arm_direct_run_##T(const TX *x, const uint32_t *packed, int32_t entries, int32_t s_w, int32_t count, \
                             uint32_t *acc) {                                                                  \
    const uint32_t *entry;                                                                                     \
    int32_t l, n, at;                                                                                          \
    for (l = 0; l + 2 <= count; l += 2, x += 2 * s_w) {                                                        \
      const TX *x1 = x + s_w;                                                                                  \
      uint32_t acc0 = 0, acc1 = 0;                                                                             \
      for (n = entries, entry = packed, at = 0; n > 0; --n, at += (int32_t)entry[2], entry += 3) {             \
        DP_DSP_DIRECT_TAPS4(T, x, acc0)                                                                        \
        DP_DSP_DIRECT_TAPS4(T, x1, acc1)                                                                       \
      }                                                                                                        \
      *acc++ = acc0;                                                                                           \
      *acc++ = acc1;                                                                                           \
    }                                                                                                          \
    if (l < count) {                                                                                           \
      uint32_t sum = 0;                                                                                        \
      for (n = entries, entry = packed, at = 0; n > 0; --n, at += (int32_t)entry[2], entry += 3)               \
        DP_DSP_DIRECT_TAPS4(T, x, sum)                                                                         \
      *acc = sum;                                                                                              \
    }                                                                                                          \
  }

DP_DSP_DEFINE_DIRECT_RUN(s8, int8_t)
DP_DSP_DEFINE_DIRECT_RUN(u8, uint8_t)
#endif
