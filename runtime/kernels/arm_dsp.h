/* Helpers of the DSP-extension kernels (Cortex-M4, M7, M33; include only where DP_ARM_DSP is defined):
 * words of four bytes and their 16-bit lane pairs. SXTB16 (UXTB16 for uint8) takes the even bytes of a
 * word, or with a rotation by 8 the odd ones: a word of bytes (b0 b1 b2 b3) gives (b0 b2) and (b1 b3). */
#ifndef DP_ARM_DSP_H
#define DP_ARM_DSP_H

#include <arm_acle.h>
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

#endif
