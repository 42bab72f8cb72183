/* Element-wise integer rows for Arm cores with MVE; see elementwise_arm.h. */
#include "kernels/elementwise_arm.h"

#ifdef DP_ARM_MVE
#include <arm_mve.h>

/* Full vectors of four elements, then the n % 4 last predicated (lanes past n neither read nor written).
 * DP_MVE_LOAD_X(p) and DP_MVE_LOAD_X_Z(p, lanes), defined per input type below, read four bytes widened
 * to int32 lanes; B(p) and B_Z(p, lanes) give the second operand's vector: a row or the broadcast one. */
#define DP_MVE_BINARY_LOOP(B, B_Z, OP)                                                   \
  for (i = 0; i + 4 <= n; i += 4) vstrwq_s32(y + i, OP(DP_MVE_LOAD_X(a + i), B(b + i))); \
  if (i < n) {                                                                           \
    const mve_pred16_t lanes = vctp32q((uint32_t)(n - i));                               \
    vstrwq_p_s32(y + i, OP(DP_MVE_LOAD_X_Z(a + i, lanes), B_Z(b + i, lanes)), lanes);    \
  }
#define DP_MVE_B_SCALAR(p) b_scalar
#define DP_MVE_B_SCALAR_Z(p, lanes) b_scalar
#define DP_MVE_BINARY_BODY                                                                  \
  {                                                                                         \
    const int32x4_t b_scalar = vdupq_n_s32(b_step == 0 && n > 0 ? (int32_t)b[0] : 0);       \
    int32_t i;                                                                              \
    switch (kind * 2 + (b_step == 0)) {                                                     \
      case DP_ARM_OP_ADD * 2: DP_MVE_BINARY_LOOP(DP_MVE_LOAD_X, DP_MVE_LOAD_X_Z, vaddq_s32) break;            \
      case DP_ARM_OP_ADD * 2 + 1: DP_MVE_BINARY_LOOP(DP_MVE_B_SCALAR, DP_MVE_B_SCALAR_Z, vaddq_s32) break;     \
      case DP_ARM_OP_SUB * 2: DP_MVE_BINARY_LOOP(DP_MVE_LOAD_X, DP_MVE_LOAD_X_Z, vsubq_s32) break;            \
      case DP_ARM_OP_SUB * 2 + 1: DP_MVE_BINARY_LOOP(DP_MVE_B_SCALAR, DP_MVE_B_SCALAR_Z, vsubq_s32) break;     \
      case DP_ARM_OP_MUL * 2: DP_MVE_BINARY_LOOP(DP_MVE_LOAD_X, DP_MVE_LOAD_X_Z, vmulq_s32) break;            \
      default: DP_MVE_BINARY_LOOP(DP_MVE_B_SCALAR, DP_MVE_B_SCALAR_Z, vmulq_s32) break;                        \
    }                                                                                       \
  }

#define DP_MVE_LOAD_X(p) vldrbq_s32(p)
#define DP_MVE_LOAD_X_Z(p, lanes) vldrbq_z_s32(p, lanes)
void dp_arm_binary_s8_s32(int32_t kind, const int8_t *a, const int8_t *b, int32_t b_step, int32_t *y, int32_t n)
    DP_MVE_BINARY_BODY
#undef DP_MVE_LOAD_X
#undef DP_MVE_LOAD_X_Z
#define DP_MVE_LOAD_X(p) vreinterpretq_s32_u32(vldrbq_u32(p))
#define DP_MVE_LOAD_X_Z(p, lanes) vreinterpretq_s32_u32(vldrbq_z_u32(p, lanes))
void dp_arm_binary_u8_s32(int32_t kind, const uint8_t *a, const uint8_t *b, int32_t b_step, int32_t *y, int32_t n)
    DP_MVE_BINARY_BODY
#endif
