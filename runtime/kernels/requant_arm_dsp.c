/* RequantShift rows for Arm cores with the DSP extension and no MVE (Cortex-M4, M7, M33); see
 * requant_arm.h. The usual 8-bit output ranges, [-128, 127] and [0, 255], are clamped by one SSAT or USAT
 * instead of two compares and moves; other ranges keep the compares. */
#include "kernels/requant.h"

#ifdef DP_ARM_DSP
#include <arm_acle.h>

#define DP_DSP_REQUANT_VALUE(i) dp_asr32((int32_t)x[i] * mul + bias, shift)
#define DP_DSP_REQUANT_CLAMPED(i, v) ((v) = DP_DSP_REQUANT_VALUE(i), DP_CLAMP(v, lo, hi))
#define DP_DSP_REQUANT                                                                                \
  {                                                                                                   \
    int32_t i, v;                                                                                     \
    if (lo == -128 && hi == 127)                                                                      \
      for (i = 0; i < n; ++i) y[i] = (uint8_t)__ssat(DP_DSP_REQUANT_VALUE(i), 8);                     \
    else if (lo == 0 && hi == 255)                                                                    \
      for (i = 0; i < n; ++i) y[i] = (uint8_t)__usat(DP_DSP_REQUANT_VALUE(i), 8);                     \
    else                                                                                              \
      for (i = 0; i < n; ++i) y[i] = (uint8_t)DP_DSP_REQUANT_CLAMPED(i, v);                           \
  }

void dp_arm_requant_s32(const int32_t *x, uint8_t *y, int32_t n, int32_t mul, int32_t bias, int32_t shift, int32_t lo,
                        int32_t hi) DP_DSP_REQUANT

void dp_arm_requant_s8(const int8_t *x, uint8_t *y, int32_t n, int32_t mul, int32_t bias, int32_t shift, int32_t lo,
                       int32_t hi) DP_DSP_REQUANT

void dp_arm_requant_u8(const uint8_t *x, uint8_t *y, int32_t n, int32_t mul, int32_t bias, int32_t shift, int32_t lo,
                       int32_t hi) DP_DSP_REQUANT
#endif
