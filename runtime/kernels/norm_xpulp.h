/* CORE-V (Xpulp v2) hook for iRMSNorm (integer_norm.h); kernels/simd_hooks.h maps DP_SIMD_IRMSNORM_ROW to
 * it on CORE-V cores. Rows of int8 or uint8 inputs with int8, int16 or int32 weights, whose sum of squares
 * (SUM = uint32_t) and per-element arithmetic (ACC = int32_t) the compiler proved exact in 32 bits, and
 * shift < 32 (norm_xpulp.c): the sum of squares is one cv.sdotsp.b (cv.sdotup.b) of each word of the row
 * with itself, four squares per instruction; each output is a load of x and w, a multiplication, a
 * division, a shift and a clamp (cv.clipr where the range allows), stored four per word. Other types
 * keep the generic loop. */
#ifndef DP_NORM_XPULP_H
#define DP_NORM_XPULP_H

#include "kernels/arm_hooks.h"
#include "kernels/xpulp_lanes.h"

#ifdef DP_XPULP_LANES
/* One row of DP_DEFINE_IRMSNORM with SUM = uint32_t, ACC = int32_t, ASR = dp_asr32 and 0 <= shift < 32. */
#define DP_XPULP_IRMSNORM_PARAMS \
  int8_t *y, int32_t length, int32_t first, int32_t count, int32_t shift, int32_t lo, int32_t hi
void dp_xpulp_irmsnorm_s8_w8(const int8_t *x, const int8_t *w, DP_XPULP_IRMSNORM_PARAMS);
void dp_xpulp_irmsnorm_s8_w16(const int8_t *x, const int16_t *w, DP_XPULP_IRMSNORM_PARAMS);
void dp_xpulp_irmsnorm_s8_w32(const int8_t *x, const int32_t *w, DP_XPULP_IRMSNORM_PARAMS);
void dp_xpulp_irmsnorm_u8_w8(const uint8_t *x, const int8_t *w, DP_XPULP_IRMSNORM_PARAMS);
void dp_xpulp_irmsnorm_u8_w16(const uint8_t *x, const int16_t *w, DP_XPULP_IRMSNORM_PARAMS);
void dp_xpulp_irmsnorm_u8_w32(const uint8_t *x, const int32_t *w, DP_XPULP_IRMSNORM_PARAMS);

#define DP_XPULP_IRMSNORM_CALL(T, TW) \
  dp_xpulp_irmsnorm_##T##_##TW((const void *)x, (const void *)w, y, length, first, count, shift, lo, hi)
#define DP_XPULP_IRMSNORM_W(T, TW)                 \
  (sizeof(TW) == 1   ? DP_XPULP_IRMSNORM_CALL(T, w8)  \
   : sizeof(TW) == 2 ? DP_XPULP_IRMSNORM_CALL(T, w16) \
                     : DP_XPULP_IRMSNORM_CALL(T, w32))
/* At the top of a row: the row, then the next one, when the types qualify. */
#define DP_XPULP_IRMSNORM_ROW(TX, TW, SUM, ACC)                                                                  \
  if (DP_ARM_IS_UINT(SUM, 4) && DP_ARM_IS_INT(ACC, 4) && (DP_ARM_IS_INT(TX, 1) || DP_ARM_IS_UINT(TX, 1)) &&     \
      (DP_ARM_IS_INT(TW, 1) || DP_ARM_IS_INT(TW, 2) || DP_ARM_IS_INT(TW, 4)) && shift >= 0 && shift < 32 &&      \
      lo <= hi) {                                                                                                \
    if (DP_ARM_IS_INT(TX, 1))                                                                                    \
      DP_XPULP_IRMSNORM_W(s8, TW);                                                                                   \
    else                                                                                                         \
      DP_XPULP_IRMSNORM_W(u8, TW);                                                                                   \
    continue;                                                                                                    \
  }
#else
#define DP_XPULP_IRMSNORM_ROW(TX, TW, SUM, ACC)
#endif

#endif
