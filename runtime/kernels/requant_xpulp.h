/* CORE-V (Xpulp v2) hooks for RequantShift (requant.h) and the requantized iHardswish
 * (integer_activation.h); kernels/simd_hooks.h maps DP_SIMD_REQUANT and DP_SIMD_RQ_ACTIVATION to them on
 * CORE-V cores. They take the kernels whose requantization the compiler proved exact in 32 bits (ACC =
 * int32_t: x * mul + bias cannot overflow), with 8-bit outputs and shift < 32, and compute per element
 *   v = x * mul (mul), (v + bias) >> shift (one cv.addNr), the clamp (one cv.clipr for [-(hi + 1), hi],
 *   one cv.clipur for [0, hi], else cv.max and cv.min), a byte store
 * (requant_xpulp.c). The iHardswish before it, clamp(x + three, 0, six) * one_over_six * x, costs an add,
 * a cv.clipur and a multiplication: one_over_six is folded into mul (modulo 2^32, exact because the
 * kernel's int32 result is). Other types keep the generic loop, the 64-bit arithmetic (ACC = int64_t) included:
 * a CORE-V form of it (product by mul and mulh, sum and shift on word pairs, saturation) took 16
 * instructions per element against the generic 24, but the generated code calls these kernels with
 * constant parameters and clang inlines and specialises the generic 64-bit loop (about 7.5 per element on
 * microLlama's 8-core split, 66 elements per core), which a hook's call prevents. */
#ifndef DP_REQUANT_XPULP_H
#define DP_REQUANT_XPULP_H

#include "kernels/arm_hooks.h"
#include "kernels/xpulp_lanes.h"

#ifdef DP_XPULP_LANES
/* y = clamp((x * mul[c] + bias[c]) >> shift, lo, hi) over [outer][channels][inner], stored as bytes, in
 * int32 arithmetic (exact when x * mul + bias fits int32), 0 <= shift < 32, lo <= hi. */
#define DP_XPULP_REQUANT_PARAMS                                                                             \
  uint8_t *y, int32_t outer, int32_t channels, int32_t inner, const int32_t *mul, const int32_t *bias, \
      int32_t shift, int32_t lo, int32_t hi
void dp_xpulp_requant_s32(const int32_t *x, DP_XPULP_REQUANT_PARAMS);
void dp_xpulp_requant_s16(const int16_t *x, DP_XPULP_REQUANT_PARAMS);
void dp_xpulp_requant_u16(const uint16_t *x, DP_XPULP_REQUANT_PARAMS);
void dp_xpulp_requant_s8(const int8_t *x, DP_XPULP_REQUANT_PARAMS);
void dp_xpulp_requant_u8(const uint8_t *x, DP_XPULP_REQUANT_PARAMS);
/* The same of dp_ihardswish32(x, one_over_six, three, six), six >= 0. */
void dp_xpulp_rq_ihardswish_s8(const int8_t *x, int32_t one_over_six, int32_t three, int32_t six,
                               DP_XPULP_REQUANT_PARAMS);
void dp_xpulp_rq_ihardswish_u8(const uint8_t *x, int32_t one_over_six, int32_t three, int32_t six,
                               DP_XPULP_REQUANT_PARAMS);

#define DP_XPULP_IS_BYTE(T) (DP_ARM_IS_INT(T, 1) || DP_ARM_IS_UINT(T, 1))
/* The requantization the hooks take: 32-bit arithmetic, byte outputs, a shift cv.addNr applies. */
#define DP_XPULP_RQ_APPLIES(TY, ACC) \
  (DP_ARM_IS_INT(ACC, 4) && DP_XPULP_IS_BYTE(TY) && shift >= 0 && shift < 32 && lo <= hi)
#define DP_XPULP_RQ_ARGS                                                                                   \
  (uint8_t *)(void *)y, outer, channels, inner, mul, (const int32_t *)(const void *)bias, shift, (int32_t)lo, \
      (int32_t)hi

/* At the top of a RequantShift kernel: the whole tensor, then return. */
#define DP_XPULP_REQUANT(TX, TY, ACC)                                                                       \
  if (DP_XPULP_RQ_APPLIES(TY, ACC) && (sizeof(TX) == 4 || sizeof(TX) == 2 || DP_XPULP_IS_BYTE(TX)) &&      \
      (TX)1 / 2 == 0) {                                                                                     \
    if (sizeof(TX) == 4)                                                                                    \
      dp_xpulp_requant_s32((const int32_t *)(const void *)x, DP_XPULP_RQ_ARGS);                             \
    else if (DP_ARM_IS_INT(TX, 2))                                                                          \
      dp_xpulp_requant_s16((const int16_t *)(const void *)x, DP_XPULP_RQ_ARGS);                             \
    else if (sizeof(TX) == 2)                                                                               \
      dp_xpulp_requant_u16((const uint16_t *)(const void *)x, DP_XPULP_RQ_ARGS);                            \
    else if (DP_ARM_IS_INT(TX, 1))                                                                          \
      dp_xpulp_requant_s8((const int8_t *)(const void *)x, DP_XPULP_RQ_ARGS);                               \
    else                                                                                                    \
      dp_xpulp_requant_u8((const uint8_t *)(const void *)x, DP_XPULP_RQ_ARGS);                              \
    return;                                                                                                 \
  }

/* At the top of a requantized activation kernel (k0, k1, k2 the activation's constants). */
#define DP_XPULP_RQ_ACTIVATION(TX, TY, ACT, ACC)                                                              \
  if (DP_ARM_OP_KIND(ACT) == DP_ARM_OP_IHARDSWISH32 && DP_XPULP_RQ_APPLIES(TY, ACC) && DP_XPULP_IS_BYTE(TX) && \
      k2 >= 0) {                                                                                              \
    if (DP_ARM_IS_INT(TX, 1))                                                                                 \
      dp_xpulp_rq_ihardswish_s8((const int8_t *)(const void *)x, k0, k1, k2, DP_XPULP_RQ_ARGS);               \
    else                                                                                                      \
      dp_xpulp_rq_ihardswish_u8((const uint8_t *)(const void *)x, k0, k1, k2, DP_XPULP_RQ_ARGS);              \
    return;                                                                                                   \
  }
#else
#define DP_XPULP_REQUANT(TX, TY, ACC)
#define DP_XPULP_RQ_ACTIVATION(TX, TY, ACT, ACC)
#endif

#endif
