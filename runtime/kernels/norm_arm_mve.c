/* iRMSNorm rows for Arm cores with MVE; see norm_arm.h. */
#include "kernels/integer_norm.h"

#ifdef DP_ARM_MVE
#include <arm_mve.h>

#include "kernels/mve_divide.h"

/* SQUARES(acc, p) / SQUARES_P(acc, p, lanes) add the squares of sixteen inputs (the predicated ones) to
 * acc; LOAD_X(p) / LOAD_W(p) (and their _Z forms) read four inputs or weights as int32 lanes. */
#define DP_MVE_IRMSNORM_OUTPUTS(j) vmulq_s32(LOAD_X(part + (j)), LOAD_W(w + (j)))
#define DP_MVE_IRMSNORM_OUTPUTS_Z(j, lanes) vmulq_s32(LOAD_X_Z(part + (j), lanes), LOAD_W_Z(w + (j), lanes))
#define DP_MVE_IRMSNORM_REQUANT(products) \
  vminq_s32(vmaxq_s32(vshlq_r_s32(dp_mve_divide_s32(products, root, reciprocal), -shift), vlo), vhi)
#define DP_MVE_IRMSNORM                                                                                      \
  {                                                                                                          \
    const int32x4_t vlo = vdupq_n_s32(lo), vhi = vdupq_n_s32(hi);                                            \
    const TX_ROW *part = x + first;                                                                          \
    uint32_t squares = 0, root, reciprocal;                                                                  \
    int32_t j;                                                                                               \
    for (j = 0; j + 16 <= length; j += 16) SQUARES(squares, x + j);                                          \
    if (j < length) SQUARES_P(squares, x + j, vctp8q((uint32_t)(length - j)));                               \
    root = dp_isqrt_u32(squares / (uint32_t)length + 1);                                                     \
    reciprocal = 0xFFFFFFFFu / root;                                                                         \
    for (j = 0; j + 4 <= count; j += 4) vstrbq_s32(y + j, DP_MVE_IRMSNORM_REQUANT(DP_MVE_IRMSNORM_OUTPUTS(j))); \
    if (j < count) {                                                                                         \
      const mve_pred16_t lanes = vctp32q((uint32_t)(count - j));                                             \
      vstrbq_p_s32(y + j, DP_MVE_IRMSNORM_REQUANT(DP_MVE_IRMSNORM_OUTPUTS_Z(j, lanes)), lanes);              \
    }                                                                                                        \
  }

#define TX_ROW int8_t
#define SQUARES(acc, p) acc = (uint32_t)vmladavaq_s8((int32_t)acc, vldrbq_s8(p), vldrbq_s8(p))
#define SQUARES_P(acc, p, lanes) \
  acc = (uint32_t)vmladavaq_p_s8((int32_t)acc, vldrbq_z_s8(p, lanes), vldrbq_z_s8(p, lanes), lanes)
#define LOAD_X(p) vldrbq_s32(p)
#define LOAD_X_Z(p, lanes) vldrbq_z_s32(p, lanes)
#define LOAD_W(p) vldrbq_s32(p)
#define LOAD_W_Z(p, lanes) vldrbq_z_s32(p, lanes)
void dp_arm_irmsnorm_s8_w8(const int8_t *x, const int8_t *w, DP_ARM_IRMSNORM_PARAMS) DP_MVE_IRMSNORM
#undef LOAD_W
#undef LOAD_W_Z
#define LOAD_W(p) vldrwq_s32(p)
#define LOAD_W_Z(p, lanes) vldrwq_z_s32(p, lanes)
void dp_arm_irmsnorm_s8_w32(const int8_t *x, const int32_t *w, DP_ARM_IRMSNORM_PARAMS) DP_MVE_IRMSNORM
#undef TX_ROW
#undef SQUARES
#undef SQUARES_P
#undef LOAD_X
#undef LOAD_X_Z
#define TX_ROW uint8_t
#define SQUARES(acc, p) acc = vmladavaq_u8(acc, vldrbq_u8(p), vldrbq_u8(p))
#define SQUARES_P(acc, p, lanes) acc = vmladavaq_p_u8(acc, vldrbq_z_u8(p, lanes), vldrbq_z_u8(p, lanes), lanes)
#define LOAD_X(p) vreinterpretq_s32_u32(vldrbq_u32(p))
#define LOAD_X_Z(p, lanes) vreinterpretq_s32_u32(vldrbq_z_u32(p, lanes))
void dp_arm_irmsnorm_u8_w32(const uint8_t *x, const int32_t *w, DP_ARM_IRMSNORM_PARAMS) DP_MVE_IRMSNORM
#undef LOAD_W
#undef LOAD_W_Z
#define LOAD_W(p) vldrbq_s32(p)
#define LOAD_W_Z(p, lanes) vldrbq_z_s32(p, lanes)
void dp_arm_irmsnorm_u8_w8(const uint8_t *x, const int8_t *w, DP_ARM_IRMSNORM_PARAMS) DP_MVE_IRMSNORM
#endif
