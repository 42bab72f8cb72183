/* Arm Cortex-M hook for the integer Add, Sub and Mul of elementwise.h, chosen at compile time like
 * matmul_arm.h, for rows of int8 (or uint8) operands with int32 results (the integer dialect's Add before
 * its RequantShift; sums and products of two bytes are exact in 32 and their sums and differences in 16
 * bits). The row's first operand must be contiguous, the second contiguous or one broadcast element.
 *  - MVE (elementwise_arm_mve.c): four elements per vector: widening loads, one 32-bit operation, a store.
 *  - DSP without MVE (elementwise_arm_dsp.c): four per iteration from one word of each operand, two
 *    SADD16/SSUB16 or four SMULBB/SMULTT on their 16-bit lanes.
 * Other operations, types and strides keep the generic loop. */
#ifndef DP_ELEMENTWISE_ARM_H
#define DP_ELEMENTWISE_ARM_H

#include "kernels/arm_hooks.h"

#if defined(DP_ARM_MVE) || defined(DP_ARM_DSP)
/* y[i] = a[i] OP b[i * b_step] for i < n, OP the DP_ARM_OP_ADD, _SUB or _MUL `kind`, b_step 0 or 1. */
void dp_arm_binary_s8_s32(int32_t kind, const int8_t *a, const int8_t *b, int32_t b_step, int32_t *y, int32_t n);
void dp_arm_binary_u8_s32(int32_t kind, const uint8_t *a, const uint8_t *b, int32_t b_step, int32_t *y, int32_t n);

/* Before the generic loop over a row of `inner` elements (DP_DEFINE_BINARY): the row, when it qualifies. */
#define DP_ARM_BINARY_ROW(TA, TB, TY, OP)                                                                       \
  if (DP_ARM_OP_KIND(OP) >= DP_ARM_OP_ADD && DP_ARM_OP_KIND(OP) <= DP_ARM_OP_MUL && DP_ARM_IS_INT(TY, 4) &&     \
      ((DP_ARM_IS_INT(TA, 1) && DP_ARM_IS_INT(TB, 1)) || (DP_ARM_IS_UINT(TA, 1) && DP_ARM_IS_UINT(TB, 1))) &&   \
      as == 1 && (bs == 0 || bs == 1)) {                                                                        \
    if (DP_ARM_IS_INT(TA, 1))                                                                                   \
      dp_arm_binary_s8_s32(DP_ARM_OP_KIND(OP), (const int8_t *)(const void *)(a + ao),                          \
                           (const int8_t *)(const void *)(b + bo), bs, (int32_t *)(void *)yo, inner);           \
    else                                                                                                        \
      dp_arm_binary_u8_s32(DP_ARM_OP_KIND(OP), (const uint8_t *)(const void *)(a + ao),                         \
                           (const uint8_t *)(const void *)(b + bo), bs, (int32_t *)(void *)yo, inner);          \
  } else
#else
#define DP_ARM_BINARY_ROW(TA, TB, TY, OP)
#endif

#endif
