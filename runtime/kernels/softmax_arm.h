/* Arm Cortex-M hook for iSoftmax (integer_softmax.h), chosen at compile time like matmul_arm.h: with MVE
 * (softmax_arm_mve.c), rows of int8 or uint8 inputs with a uint16 or uint32 table, a 32-bit sum and
 * 8-bit outputs are done in vectors: the maximum sixteen bytes per instruction, the terms by gather
 * loads from the table four at a time, and the quotients floor(term * top / sum) four at a time with a
 * reciprocal of the sum (the high half of a 32 x 32-bit product, then one correction step, exact).
 * Other types (the 64-bit sums) keep the generic loop. */
#ifndef DP_SOFTMAX_ARM_H
#define DP_SOFTMAX_ARM_H

#include "kernels/arm_hooks.h"

#ifdef DP_ARM_MVE
/* One row of the iSoftmax of kernels/integer_softmax.h (ACC = uint32_t), y stored as bytes. */
void dp_arm_isoftmax_s8_t16(const int8_t *x, uint8_t *y, int32_t length, const uint16_t *table, uint32_t top);
void dp_arm_isoftmax_s8_t32(const int8_t *x, uint8_t *y, int32_t length, const uint32_t *table, uint32_t top);
void dp_arm_isoftmax_u8_t16(const uint8_t *x, uint8_t *y, int32_t length, const uint16_t *table, uint32_t top);
void dp_arm_isoftmax_u8_t32(const uint8_t *x, uint8_t *y, int32_t length, const uint32_t *table, uint32_t top);

#define DP_ARM_ISOFTMAX_CALL(T, TT)                                                                               \
  dp_arm_isoftmax_##T##_##TT((const void *)x, (uint8_t *)(void *)y, length, (const void *)table, top)
/* At the top of a row (length > 0): the row, then the next one, when the types qualify. */
#define DP_ARM_ISOFTMAX_ROW(TX, TY, TT, ACC)                                                                      \
  if (DP_ARM_IS_UINT(ACC, 4) && (DP_ARM_IS_INT(TY, 1) || DP_ARM_IS_UINT(TY, 1)) &&                                \
      (DP_ARM_IS_INT(TX, 1) || DP_ARM_IS_UINT(TX, 1)) && (DP_ARM_IS_UINT(TT, 2) || DP_ARM_IS_UINT(TT, 4))) {      \
    if (DP_ARM_IS_INT(TX, 1))                                                                                     \
      sizeof(TT) == 2 ? DP_ARM_ISOFTMAX_CALL(s8, t16) : DP_ARM_ISOFTMAX_CALL(s8, t32);                            \
    else                                                                                                          \
      sizeof(TT) == 2 ? DP_ARM_ISOFTMAX_CALL(u8, t16) : DP_ARM_ISOFTMAX_CALL(u8, t32);                            \
    continue;                                                                                                     \
  }
#else
#define DP_ARM_ISOFTMAX_ROW(TX, TY, TT, ACC)
#endif

#endif
