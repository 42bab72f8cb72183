/* CORE-V (Xpulp v2) hook for the integer Add, Sub and Mul of elementwise.h (kernels/simd_hooks.h maps
 * DP_SIMD_BINARY to it on CORE-V cores): rows of int8 (or uint8) operands with int32 results (the
 * integer dialect's Add before its RequantShift), the first operand contiguous and the second contiguous or
 * one broadcast element, or the first broadcast and the second contiguous. Four elements per word of each
 * operand, each output one or two SIMD dot products against lane masks (elementwise_xpulp.c); rows of
 * fewer than DP_XPULP_BINARY_MIN elements, other operations, types and strides keep the generic loop. */
#ifndef DP_ELEMENTWISE_XPULP_H
#define DP_ELEMENTWISE_XPULP_H

#include "kernels/arm_hooks.h"
#include "kernels/xpulp_lanes.h"

#ifdef DP_XPULP_LANES
/* How the operands of a row are read: both contiguous, b one element, a one element. */
enum { DP_XPULP_ROWS = 0, DP_XPULP_B_SCALAR = 1, DP_XPULP_A_SCALAR = 2 };
/* The whole DP_DEFINE_BINARY call for the DP_ARM_OP_ADD, _SUB or _MUL `kind` (arm_hooks.h's operation
 * codes, which name ISA-neutral operations) of int8 or uint8 rows to int32, when the strides of the last
 * axis are (1, 0 or 1) or (0, 1) and it has at least DP_XPULP_BINARY_MIN elements: returns 1, else 0 (the
 * caller's generic loop runs). */
#define DP_XPULP_BINARY_PARAMS(T)                                                                     \
  int32_t kind, const T *a, const T *b, int32_t *y, int32_t ndim, const int32_t *shape,             \
      const int32_t *a_strides, const int32_t *b_strides
int32_t dp_xpulp_binary_s8_s32(DP_XPULP_BINARY_PARAMS(int8_t));
int32_t dp_xpulp_binary_u8_s32(DP_XPULP_BINARY_PARAMS(uint8_t));

/* Rows of fewer elements run the plain loop (5 instructions per element): the call and the last n % 4
 * elements cost more than the words save (measured: a row of 64 took 5.2 instructions per element against
 * the generic 6.3; two rows of 33 and a broadcast row, microLlama's attention mask on 8 cores, 7.8 against
 * 7.0). */
#define DP_XPULP_BINARY_MIN 40

/* At the top of a DP_DEFINE_BINARY kernel: the whole call when it qualifies (the callee tests the strides).
 * The hook's call raises the kernel's inlining cost: the generated code calls kernels with constant shapes,
 * which clang inlines and specialises, and the two-dimensional Add of microLlama's attention mask (cost
 * 145 without the hook, 240 with it, threshold 225) is then left a call to the unspecialised generic loop,
 * 90 instructions more per call (elementwise_xpulp.c). */
#define DP_XPULP_BINARY(TA, TB, TY, OP)                                                                         \
  if (DP_ARM_OP_KIND(OP) >= DP_ARM_OP_ADD && DP_ARM_OP_KIND(OP) <= DP_ARM_OP_MUL && DP_ARM_IS_INT(TY, 4) &&     \
      ((DP_ARM_IS_INT(TA, 1) && DP_ARM_IS_INT(TB, 1)) || (DP_ARM_IS_UINT(TA, 1) && DP_ARM_IS_UINT(TB, 1))) &&   \
      shape[ndim - 1] >= DP_XPULP_BINARY_MIN &&                                                                 \
      (DP_ARM_IS_INT(TA, 1) ? dp_xpulp_binary_s8_s32(DP_ARM_OP_KIND(OP), (const int8_t *)(const void *)a,       \
                                                     (const int8_t *)(const void *)b, (int32_t *)(void *)y,     \
                                                     ndim, shape, a_strides, b_strides)                         \
                            : dp_xpulp_binary_u8_s32(DP_ARM_OP_KIND(OP), (const uint8_t *)(const void *)a,      \
                                                     (const uint8_t *)(const void *)b, (int32_t *)(void *)y,    \
                                                     ndim, shape, a_strides, b_strides)))                       \
    return;
#else
#define DP_XPULP_BINARY(TA, TB, TY, OP)
#endif

#endif
