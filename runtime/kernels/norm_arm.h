/* Arm Cortex-M hook for iRMSNorm (integer_norm.h), chosen at compile time like matmul_arm.h: with MVE
 * (norm_arm_mve.c), rows of int8 or uint8 inputs with int8 or int32 weights, whose sum of squares and
 * per-element arithmetic the compiler proved exact in 32 bits, are done in vectors: the sum of squares
 * sixteen products per instruction (VMLADAVA), the quotients x * w / root four at a time with a
 * reciprocal of the root (exact, see mve_divide.h), then the shift, clamp and narrowing store. Other
 * types keep the generic loop. */
#ifndef DP_NORM_ARM_H
#define DP_NORM_ARM_H

#include "kernels/arm_hooks.h"

#ifdef DP_ARM_MVE
/* One row of DP_DEFINE_IRMSNORM with SUM = uint32_t, ACC = int32_t and ASR = dp_asr32. */
#define DP_ARM_IRMSNORM_PARAMS \
  int8_t *y, int32_t length, int32_t first, int32_t count, int32_t shift, int32_t lo, int32_t hi
void dp_arm_irmsnorm_s8_w8(const int8_t *x, const int8_t *w, DP_ARM_IRMSNORM_PARAMS);
void dp_arm_irmsnorm_s8_w32(const int8_t *x, const int32_t *w, DP_ARM_IRMSNORM_PARAMS);
void dp_arm_irmsnorm_u8_w8(const uint8_t *x, const int8_t *w, DP_ARM_IRMSNORM_PARAMS);
void dp_arm_irmsnorm_u8_w32(const uint8_t *x, const int32_t *w, DP_ARM_IRMSNORM_PARAMS);

#define DP_ARM_IRMSNORM_CALL(T, TW) \
  dp_arm_irmsnorm_##T##_##TW((const void *)x, (const void *)w, y, length, first, count, shift, lo, hi)
/* At the top of a row: the row, then the next one, when the types qualify. */
#define DP_ARM_IRMSNORM_ROW(TX, TW, SUM, ACC)                                                                     \
  if (DP_ARM_IS_UINT(SUM, 4) && DP_ARM_IS_INT(ACC, 4) && (DP_ARM_IS_INT(TX, 1) || DP_ARM_IS_UINT(TX, 1)) &&      \
      (DP_ARM_IS_INT(TW, 1) || DP_ARM_IS_INT(TW, 4))) {                                                          \
    if (DP_ARM_IS_INT(TX, 1))                                                                                    \
      sizeof(TW) == 1 ? DP_ARM_IRMSNORM_CALL(s8, w8) : DP_ARM_IRMSNORM_CALL(s8, w32);                            \
    else                                                                                                         \
      sizeof(TW) == 1 ? DP_ARM_IRMSNORM_CALL(u8, w8) : DP_ARM_IRMSNORM_CALL(u8, w32);                            \
    continue;                                                                                                    \
  }
#else
#define DP_ARM_IRMSNORM_ROW(TX, TW, SUM, ACC)
#endif

#endif
