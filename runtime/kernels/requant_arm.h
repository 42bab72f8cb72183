/* Arm Cortex-M hooks for RequantShift (requant.h) and the requantized activations (integer_activation.h),
 * chosen at compile time like matmul_arm.h, for rows of int32, int8 or uint8 values requantized in 32-bit
 * arithmetic (the kernel's int32 accumulator, which the compiler picks only when x * mul + bias cannot
 * overflow) to 8-bit outputs:
 *  - MVE (requant_arm_mve.c): four per vector: widening load, multiply, add, arithmetic shift (the floor
 *    of dp_asr32), clamp, narrowing store. The 32-bit iHardswish of 8-bit inputs (dp_ihardswish32, also
 *    chosen only when exact in 32 bits) is computed in the same vectors before the requantization.
 *  - DSP without MVE (requant_arm_dsp.c): one per iteration, the usual output ranges clamped by SSAT/USAT.
 * Other type combinations and activations keep the generic loop. */
#ifndef DP_REQUANT_ARM_H
#define DP_REQUANT_ARM_H

#include "kernels/arm_hooks.h"

#if defined(DP_ARM_MVE) || defined(DP_ARM_DSP)
/* y[i] = clamp((x[i] * mul + bias) >> shift, lo, hi) for i < n, stored as bytes (int32 arithmetic). */
void dp_arm_requant_s32(const int32_t *x, uint8_t *y, int32_t n, int32_t mul, int32_t bias, int32_t shift, int32_t lo,
                        int32_t hi);
void dp_arm_requant_s8(const int8_t *x, uint8_t *y, int32_t n, int32_t mul, int32_t bias, int32_t shift, int32_t lo,
                       int32_t hi);
void dp_arm_requant_u8(const uint8_t *x, uint8_t *y, int32_t n, int32_t mul, int32_t bias, int32_t shift, int32_t lo,
                       int32_t hi);
/* The rows of inner values of a kernel over [outer][channels][inner], each requantized by ROW(TX, x, y,
 * mul, bias) (x and y pointers to the row, y as bytes), then return. */
#define DP_ARM_REQUANT_ROWS(TX, ROW)                                                      \
  {                                                                                       \
    int32_t o, c;                                                                         \
    for (o = 0; o < outer; ++o)                                                           \
      for (c = 0; c < channels; ++c, x += inner, y += inner) ROW(TX, x, (uint8_t *)(void *)y, mul[c], (int32_t)bias[c]); \
    return;                                                                               \
  }
#define DP_ARM_REQUANT_TYPES(TX, TY, ACC) (DP_ARM_IS_INT(ACC, 4) && (DP_ARM_IS_INT(TY, 1) || DP_ARM_IS_UINT(TY, 1)))
#define DP_ARM_IS_BYTE(TX) (DP_ARM_IS_INT(TX, 1) || DP_ARM_IS_UINT(TX, 1))

/* At the top of a RequantShift kernel. */
#define DP_ARM_REQUANT_ROW(TX, xr, yr, m, b)                                                                           \
  if (sizeof(TX) == 4)                                                                                          \
    dp_arm_requant_s32((const int32_t *)(const void *)(xr), yr, inner, m, b, shift, (int32_t)lo, (int32_t)hi);     \
  else if (DP_ARM_IS_INT(TX, 1))                                                                                   \
    dp_arm_requant_s8((const int8_t *)(const void *)(xr), yr, inner, m, b, shift, (int32_t)lo, (int32_t)hi);       \
  else                                                                                                             \
    dp_arm_requant_u8((const uint8_t *)(const void *)(xr), yr, inner, m, b, shift, (int32_t)lo, (int32_t)hi);
#define DP_ARM_REQUANT(TX, TY, ACC)                                                  \
  if (DP_ARM_REQUANT_TYPES(TX, TY, ACC) && (DP_ARM_IS_INT(TX, 4) || DP_ARM_IS_BYTE(TX))) \
    DP_ARM_REQUANT_ROWS(TX, DP_ARM_REQUANT_ROW)

#else
#define DP_ARM_REQUANT(TX, TY, ACC)
#endif

#ifdef DP_ARM_MVE
/* The same of dp_ihardswish32(x[i], one_over_six, three, six), for six >= 0. */
void dp_arm_rq_ihardswish_s8(const int8_t *x, uint8_t *y, int32_t one_over_six, int32_t three, int32_t six, int32_t n,
                             int32_t mul, int32_t bias, int32_t shift, int32_t lo, int32_t hi);
void dp_arm_rq_ihardswish_u8(const uint8_t *x, uint8_t *y, int32_t one_over_six, int32_t three, int32_t six, int32_t n,
                             int32_t mul, int32_t bias, int32_t shift, int32_t lo, int32_t hi);

/* At the top of a requantized activation kernel (k0, k1, k2 the activation's constants). */
#define DP_ARM_RQ_IHARDSWISH_ROW(TX, xr, yr, m, b)                                                                        \
  if (DP_ARM_IS_INT(TX, 1))                                                                                           \
    dp_arm_rq_ihardswish_s8((const int8_t *)(const void *)(xr), yr, k0, k1, k2, inner, m, b, shift, (int32_t)lo,      \
                            (int32_t)hi);                                                                             \
  else                                                                                                                \
    dp_arm_rq_ihardswish_u8((const uint8_t *)(const void *)(xr), yr, k0, k1, k2, inner, m, b, shift, (int32_t)lo,     \
                            (int32_t)hi);
#define DP_ARM_RQ_ACTIVATION(TX, TY, ACT, ACC)                                                                   \
  if (DP_ARM_OP_KIND(ACT) == DP_ARM_OP_IHARDSWISH32 && DP_ARM_REQUANT_TYPES(TX, TY, ACC) && DP_ARM_IS_BYTE(TX) && \
      k2 >= 0)                                                                                                   \
    DP_ARM_REQUANT_ROWS(TX, DP_ARM_RQ_IHARDSWISH_ROW)
#else
#define DP_ARM_RQ_ACTIVATION(TX, TY, ACT, ACC)
#endif

#endif
