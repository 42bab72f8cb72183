/* Arm Cortex-M hook for RequantShift (requant.h), chosen at compile time like matmul_arm.h: with MVE
 * (requant_arm_mve.c), rows of int32, int8 or uint8 values requantized in 32-bit arithmetic (the kernel's
 * int32 accumulator, which the compiler picks only when x * mul + bias cannot overflow) to 8-bit outputs
 * are done four per vector: widening load, multiply, add, arithmetic shift (the floor of dp_asr32),
 * clamp, narrowing store. Other type combinations keep the generic loop. */
#ifndef DP_REQUANT_ARM_H
#define DP_REQUANT_ARM_H

#include "kernels/matmul_arm.h"

#ifdef DP_ARM_MVE
/* y[i] = clamp((x[i] * mul + bias) >> shift, lo, hi) for i < n, stored as bytes (int32 arithmetic). */
void dp_arm_requant_s32(const int32_t *x, uint8_t *y, int32_t n, int32_t mul, int32_t bias, int32_t shift, int32_t lo,
                        int32_t hi);
void dp_arm_requant_s8(const int8_t *x, uint8_t *y, int32_t n, int32_t mul, int32_t bias, int32_t shift, int32_t lo,
                       int32_t hi);
void dp_arm_requant_u8(const uint8_t *x, uint8_t *y, int32_t n, int32_t mul, int32_t bias, int32_t shift, int32_t lo,
                       int32_t hi);

/* Whether T is a signed (unsigned) integer type of `bytes` bytes (constants; compile for floats too). */
#define DP_ARM_IS_INT(T, bytes) (sizeof(T) == (bytes) && (T)1 / 2 == 0 && (T)-1 < 0)
#define DP_ARM_IS_UINT(T, bytes) (sizeof(T) == (bytes) && (T)1 / 2 == 0 && (T)-1 > 0)
/* At the top of a RequantShift kernel: the rows of inner values, then return, when the types qualify. */
#define DP_ARM_REQUANT(TX, TY, ACC)                                                           \
  if (DP_ARM_IS_INT(ACC, 4) && (DP_ARM_IS_INT(TY, 1) || DP_ARM_IS_UINT(TY, 1)) &&             \
      (DP_ARM_IS_INT(TX, 4) || DP_ARM_IS_INT(TX, 1) || DP_ARM_IS_UINT(TX, 1))) {              \
    int32_t o, c;                                                                             \
    for (o = 0; o < outer; ++o)                                                               \
      for (c = 0; c < channels; ++c, x += inner, y += inner) {                                \
        uint8_t *const yb = (uint8_t *)(void *)y;                                             \
        const int32_t m = mul[c], b = (int32_t)bias[c], l = (int32_t)lo, h = (int32_t)hi;     \
        if (sizeof(TX) == 4)                                                                  \
          dp_arm_requant_s32((const int32_t *)(const void *)x, yb, inner, m, b, shift, l, h); \
        else if (DP_ARM_IS_INT(TX, 1))                                                        \
          dp_arm_requant_s8((const int8_t *)(const void *)x, yb, inner, m, b, shift, l, h);   \
        else                                                                                  \
          dp_arm_requant_u8((const uint8_t *)(const void *)x, yb, inner, m, b, shift, l, h);  \
      }                                                                                       \
    return;                                                                                   \
  }
#else
#define DP_ARM_REQUANT(TX, TY, ACC)
#endif

#endif
