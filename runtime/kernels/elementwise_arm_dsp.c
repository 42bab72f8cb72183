/* Element-wise integer rows for Arm cores with the DSP extension and no MVE; see elementwise_arm.h.
 * Four elements per iteration: a word of each operand, its lane pairs (x0 x2) (x1 x3) (arm_dsp.h), two
 * SADD16/SSUB16 (sums and differences of two bytes fit 16 bits) or four 16 x 16-bit products (SMULBB, SMULTT), then the four
 * int32 results taken from the lanes. The last n % 4 elements are scalar. */
#include "kernels/elementwise_arm.h"

#ifdef DP_ARM_DSP
#include "kernels/arm_dsp.h"

/* The int32 of the low and of the high 16-bit lane. */
#define DP_DSP_LOW(v) ((int32_t)(int16_t)(uint16_t)((v)&0xFFFFu))
#define DP_DSP_HIGH(v) ((int32_t)(v) >> 16)
#define DP_DSP_ADD_LANES(x, z) ((uint32_t)__sadd16((int16x2_t)(x), (int16x2_t)(z)))
#define DP_DSP_SUB_LANES(x, z) ((uint32_t)__ssub16((int16x2_t)(x), (int16x2_t)(z)))
/* The second operand's lane pair PART (EVEN or ODD) at i: from its row, or the broadcast element. */
#define DP_DSP_B_ROW(T, i, PART) DP_DSP_##PART##_##T(dp_dsp_load4(b + (i)))
#define DP_DSP_B_BROADCAST(T, i, PART) b_pair

/* Even lanes hold elements 0 and 2, odd ones 1 and 3. */
#define DP_DSP_BINARY_LANEWISE(T, B, OP_LANES)                                    \
  for (; i + 4 <= n; i += 4) {                                                    \
    const uint32_t av = dp_dsp_load4(a + i);                                      \
    const uint32_t even = OP_LANES(DP_DSP_EVEN_##T(av), B(T, i, EVEN));           \
    const uint32_t odd = OP_LANES(DP_DSP_ODD_##T(av), B(T, i, ODD));              \
    y[i] = DP_DSP_LOW(even), y[i + 1] = DP_DSP_LOW(odd);                          \
    y[i + 2] = DP_DSP_HIGH(even), y[i + 3] = DP_DSP_HIGH(odd);                    \
  }
#define DP_DSP_BINARY_MUL(T, B)                                                   \
  for (; i + 4 <= n; i += 4) {                                                    \
    const uint32_t av = dp_dsp_load4(a + i);                                      \
    const uint32_t a_even = DP_DSP_EVEN_##T(av), a_odd = DP_DSP_ODD_##T(av);      \
    const uint32_t b_even = B(T, i, EVEN), b_odd = B(T, i, ODD);                  \
    y[i] = DP_DSP_LOW(a_even) * DP_DSP_LOW(b_even);                               \
    y[i + 1] = DP_DSP_LOW(a_odd) * DP_DSP_LOW(b_odd);                             \
    y[i + 2] = DP_DSP_HIGH(a_even) * DP_DSP_HIGH(b_even);                         \
    y[i + 3] = DP_DSP_HIGH(a_odd) * DP_DSP_HIGH(b_odd);                           \
  }
#define DP_DSP_BINARY_KINDS(T, B)                                                 \
  if (kind == DP_ARM_OP_ADD)                                                      \
    DP_DSP_BINARY_LANEWISE(T, B, DP_DSP_ADD_LANES)                                \
  else if (kind == DP_ARM_OP_SUB)                                                 \
    DP_DSP_BINARY_LANEWISE(T, B, DP_DSP_SUB_LANES)                                \
  else                                                                            \
    DP_DSP_BINARY_MUL(T, B)
#define DP_DSP_BINARY(T)                                                                           \
  {                                                                                                \
    const uint32_t b_pair = b_step == 0 && n > 0 ? dp_dsp_pair(b[0], b[0]) : 0;                    \
    int32_t i = 0;                                                                                 \
    if (b_step == 0) {                                                                             \
      DP_DSP_BINARY_KINDS(T, DP_DSP_B_BROADCAST)                                                   \
    } else {                                                                                       \
      DP_DSP_BINARY_KINDS(T, DP_DSP_B_ROW)                                                         \
    }                                                                                              \
    for (; i < n; ++i) {                                                                           \
      const int32_t av = a[i], bv = b[i * b_step];                                                 \
      y[i] = kind == DP_ARM_OP_ADD ? av + bv : kind == DP_ARM_OP_SUB ? av - bv : av * bv;          \
    }                                                                                              \
  }

void dp_arm_binary_s8_s32(int32_t kind, const int8_t *a, const int8_t *b, int32_t b_step, int32_t *y, int32_t n)
    DP_DSP_BINARY(s8)
void dp_arm_binary_u8_s32(int32_t kind, const uint8_t *a, const uint8_t *b, int32_t b_step, int32_t *y, int32_t n)
    DP_DSP_BINARY(u8)
#endif
