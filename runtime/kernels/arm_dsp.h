/* Helpers of the DSP-extension kernels (Cortex-M4, M7, M33; include only where DP_ARM_DSP is defined):
 * words of four bytes and their 16-bit lane pairs. SXTB16 (UXTB16 for uint8) takes the even bytes of a
 * word, or with a rotation by 8 the odd ones: a word of bytes (b0 b1 b2 b3) gives (b0 b2) and (b1 b3). */
#ifndef DP_ARM_DSP_H
#define DP_ARM_DSP_H

#include <arm_acle.h>
#include <stdint.h>
#include <string.h>

/* Four bytes from any address (unaligned loads are allowed on these cores). */
static inline uint32_t dp_dsp_load4(const void *p) {
  uint32_t v;
  memcpy(&v, p, sizeof v);
  return v;
}

/* SXTB16 / UXTB16 with the operand rotated right by 8, one instruction (GCC does not form it from a
 * rotate and the intrinsic). */
static inline uint32_t dp_dsp_sxtb16_odd(uint32_t v) {
  uint32_t r;
  __asm("sxtb16 %0, %1, ror #8" : "=r"(r) : "r"(v));
  return r;
}
static inline uint32_t dp_dsp_uxtb16_odd(uint32_t v) {
  uint32_t r;
  __asm("uxtb16 %0, %1, ror #8" : "=r"(r) : "r"(v));
  return r;
}
/* The lane pairs of a word of int8 (even bytes, odd bytes), and of uint8; T is s8 or u8. */
#define DP_DSP_EVEN_s8(v) (uint32_t) __sxtb16(v)
#define DP_DSP_ODD_s8(v) dp_dsp_sxtb16_odd(v)
#define DP_DSP_EVEN_u8(v) (uint32_t) __uxtb16(v)
#define DP_DSP_ODD_u8(v) dp_dsp_uxtb16_odd(v)

/* SMLAD: both products of two pairs of 16-bit lanes added to a 32-bit sum (wrapping). */
#define DP_DSP_SMLAD(x, y, acc) (uint32_t) __smlad((int16x2_t)(x), (int16x2_t)(y), (int32_t)(acc))

/* The 16-bit lane pair (lo hi) of two values of 16 bits. */
static inline uint32_t dp_dsp_pair(int32_t lo, int32_t hi) { return ((uint32_t)lo & 0xFFFFu) | ((uint32_t)hi << 16); }

/* Four rows of A (stride k), `groups` groups of four K, as 16-bit lane pairs interleaved row by row:
 * per group eight words, row 0 even bytes, row 0 odd bytes, row 1 even, ... (the SMLAD panels). */
#define DP_DSP_DEFINE_FOUR_ROW_PANEL(T, TA)                                                               \
  static inline void dp_dsp_four_row_panel_##T(const TA *a, int32_t k, int32_t groups, uint32_t *panel) { \
    int32_t g, r;                                                                                        \
    for (g = 0; g < groups; ++g, panel += 8)                                                             \
      for (r = 0; r < 4; ++r) {                                                                          \
        const uint32_t w = dp_dsp_load4(a + r * k + 4 * g);                                              \
        panel[2 * r] = DP_DSP_EVEN_##T(w), panel[2 * r + 1] = DP_DSP_ODD_##T(w);                         \
      }                                                                                                  \
  }
DP_DSP_DEFINE_FOUR_ROW_PANEL(s8, int8_t)
DP_DSP_DEFINE_FOUR_ROW_PANEL(u8, uint8_t)

#endif
