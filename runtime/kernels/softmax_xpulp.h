/* CORE-V (Xpulp v2) hook for iSoftmax (integer_softmax.h); kernels/simd_hooks.h maps DP_SIMD_ISOFTMAX_ROW to
 * it on CORE-V cores. Rows of int8 or uint8 inputs with a uint16 or uint32 table, a 32-bit sum (ACC =
 * uint32_t) and 8-bit outputs (softmax_xpulp.c): the row maximum four lanes per cv.max.b, the distances
 * max - x four per cv.sub.b and turned into the byte offsets of the table entries two per halfword; then
 * per element the table load, and in the second pass the product by top, one division and a byte store
 * (four per word). Other types (the 64-bit sums) keep the generic loop. */
#ifndef DP_SOFTMAX_XPULP_H
#define DP_SOFTMAX_XPULP_H

#include "kernels/arm_hooks.h"
#include "kernels/xpulp_lanes.h"

#ifdef DP_XPULP_LANES
/* One row of the iSoftmax of kernels/integer_softmax.h (ACC = uint32_t, length > 0), y stored as bytes. */
void dp_xpulp_isoftmax_s8_t16(const int8_t *x, uint8_t *y, int32_t length, const uint16_t *table, uint32_t top);
void dp_xpulp_isoftmax_s8_t32(const int8_t *x, uint8_t *y, int32_t length, const uint32_t *table, uint32_t top);
void dp_xpulp_isoftmax_u8_t16(const uint8_t *x, uint8_t *y, int32_t length, const uint16_t *table, uint32_t top);
void dp_xpulp_isoftmax_u8_t32(const uint8_t *x, uint8_t *y, int32_t length, const uint32_t *table, uint32_t top);

#define DP_XPULP_ISOFTMAX_CALL(T, TT) \
  dp_xpulp_isoftmax_##T##_##TT((const void *)x, (uint8_t *)(void *)y, length, (const void *)table, top)
/* Shorter rows keep the generic loop (measured: rows of 2 took 36.5 instructions per element against the
 * generic 28.7, rows of 4 about the same, rows of 8 fewer: see softmax_xpulp.c). */
#define DP_XPULP_ISOFTMAX_MIN 6
/* At the top of a row (length > 0): the row, then the next one, when the types qualify. */
#define DP_XPULP_ISOFTMAX_ROW(TX, TY, TT, ACC)                                                                    \
  if (DP_ARM_IS_UINT(ACC, 4) && (DP_ARM_IS_INT(TY, 1) || DP_ARM_IS_UINT(TY, 1)) && length >= DP_XPULP_ISOFTMAX_MIN && \
      (DP_ARM_IS_INT(TX, 1) || DP_ARM_IS_UINT(TX, 1)) && (DP_ARM_IS_UINT(TT, 2) || DP_ARM_IS_UINT(TT, 4))) {      \
    if (DP_ARM_IS_INT(TX, 1))                                                                                     \
      sizeof(TT) == 2 ? DP_XPULP_ISOFTMAX_CALL(s8, t16) : DP_XPULP_ISOFTMAX_CALL(s8, t32);                        \
    else                                                                                                          \
      sizeof(TT) == 2 ? DP_XPULP_ISOFTMAX_CALL(u8, t16) : DP_XPULP_ISOFTMAX_CALL(u8, t32);                        \
    continue;                                                                                                     \
  }
#else
#define DP_XPULP_ISOFTMAX_ROW(TX, TY, TT, ACC)
#endif

#endif
