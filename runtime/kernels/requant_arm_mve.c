/* RequantShift rows, alone or after an activation, for Arm cores with MVE; see requant_arm.h. */
#include "kernels/requant_arm.h"

#ifdef DP_ARM_MVE
#include <arm_mve.h>

/* LOAD(p) / LOAD_Z(p, pred) read four values widened to int32 lanes, VALUE(v) is what is requantized of
 * them; full vectors, then the n % 4 last predicated (lanes past n neither read nor written). */
#define DP_MVE_REQUANT(LOAD, LOAD_Z, VALUE)                                                          \
  {                                                                                                  \
    const int32x4_t vmul = vdupq_n_s32(mul), vlo = vdupq_n_s32(lo), vhi = vdupq_n_s32(hi);           \
    int32_t i;                                                                                       \
    for (i = 0; i + 4 <= n; i += 4) {                                                                \
      const int32x4_t v = vshlq_r_s32(vmlasq_n_s32(VALUE(LOAD(x + i)), vmul, bias), -shift);         \
      vstrbq_s32((int8_t *)(y + i), vminq_s32(vmaxq_s32(v, vlo), vhi));                              \
    }                                                                                                \
    if (i < n) {                                                                                     \
      const mve_pred16_t last = vctp32q((uint32_t)(n - i));                                          \
      const int32x4_t v = vshlq_r_s32(vmlasq_n_s32(VALUE(LOAD_Z(x + i, last)), vmul, bias), -shift); \
      vstrbq_p_s32((int8_t *)(y + i), vminq_s32(vmaxq_s32(v, vlo), vhi), last);                      \
    }                                                                                                \
  }
#define DP_MVE_LOAD_U8(p) vreinterpretq_s32_u32(vldrbq_u32(p))
#define DP_MVE_LOAD_U8_Z(p, pred) vreinterpretq_s32_u32(vldrbq_z_u32(p, pred))
#define DP_MVE_AS_IS(v) (v)
/* iHardswish in int32 lanes: clamp(x + three, 0, six) * one_over_six * x (six >= 0). */
#define DP_MVE_IHARDSWISH(v) dp_mve_ihardswish32(v, one_over_six, three, six)
static inline int32x4_t dp_mve_ihardswish32(int32x4_t x, int32_t one_over_six, int32_t three, int32_t six) {
  const int32x4_t clamped = vminq_s32(vmaxq_s32(vaddq_n_s32(x, three), vdupq_n_s32(0)), vdupq_n_s32(six));
  return vmulq_s32(vmulq_n_s32(clamped, one_over_six), x);
}

#define DP_MVE_REQUANT_PARAMS int32_t n, int32_t mul, int32_t bias, int32_t shift, int32_t lo, int32_t hi

void dp_arm_requant_s32(const int32_t *x, uint8_t *y, DP_MVE_REQUANT_PARAMS)
    DP_MVE_REQUANT(vldrwq_s32, vldrwq_z_s32, DP_MVE_AS_IS)

void dp_arm_requant_s8(const int8_t *x, uint8_t *y, DP_MVE_REQUANT_PARAMS)
    DP_MVE_REQUANT(vldrbq_s32, vldrbq_z_s32, DP_MVE_AS_IS)

void dp_arm_requant_u8(const uint8_t *x, uint8_t *y, DP_MVE_REQUANT_PARAMS)
    DP_MVE_REQUANT(DP_MVE_LOAD_U8, DP_MVE_LOAD_U8_Z, DP_MVE_AS_IS)

void dp_arm_rq_ihardswish_s8(const int8_t *x, uint8_t *y, int32_t one_over_six, int32_t three, int32_t six,
                             DP_MVE_REQUANT_PARAMS) DP_MVE_REQUANT(vldrbq_s32, vldrbq_z_s32, DP_MVE_IHARDSWISH)

void dp_arm_rq_ihardswish_u8(const uint8_t *x, uint8_t *y, int32_t one_over_six, int32_t three, int32_t six,
                             DP_MVE_REQUANT_PARAMS) DP_MVE_REQUANT(DP_MVE_LOAD_U8, DP_MVE_LOAD_U8_Z, DP_MVE_IHARDSWISH)
#endif
