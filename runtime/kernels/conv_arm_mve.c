/* Direct (depthwise) convolution runs of outputs for Arm cores with MVE; see conv_arm.h. */
#include "kernels/conv_arm.h"

#ifdef DP_ARM_MVE
#include <arm_mve.h>

/* N vectors of four outputs: per tap, the weight, then for each vector a gather load of its four inputs
 * (DP_MVE_GATHER, lane offsets l * s_w from the vector's first input, defined per input type below) and a
 * vector-by-scalar multiply-accumulate. */
#define DP_MVE_DIRECT_ACC(v) int32x4_t sum##v = vdupq_n_s32(0);
#define DP_MVE_DIRECT_MAC(v) sum##v = vmlaq_n_s32(sum##v, DP_MVE_GATHER(tap + (v)*vector_step), weight);
#define DP_MVE_DIRECT_MAC_PARTIAL(v) sum##v = vmlaq_n_s32(sum##v, DP_MVE_GATHER_PARTIAL(tap), weight);
#define DP_MVE_DIRECT_STORE(v) vstrwq_u32(acc + 4 * (v), vreinterpretq_u32_s32(sum##v));
#define DP_MVE_DIRECT_VECTORS(TX, FOR_EACH)          \
  {                                                  \
    FOR_EACH(DP_MVE_DIRECT_ACC)                      \
    const TX *row = x;                               \
    int32_t kh, kw;                                  \
    for (kh = 0; kh < rows; ++kh, row += row_step) { \
      const TX *tap = row;                           \
      for (kw = 0; kw < k_w; ++kw, tap += d_w) {     \
        const int32_t weight = w[kh * k_w + kw];     \
        FOR_EACH(DP_MVE_DIRECT_MAC)                  \
      }                                              \
    }                                                \
    FOR_EACH(DP_MVE_DIRECT_STORE)                    \
  }
#define DP_MVE_VECTORS_1(OP) OP(0)
/* Fewer than four outputs: one vector, lanes past count predicated off (no access, sum 0). */
#define DP_MVE_VECTORS_PARTIAL(OP) DP_MVE_PARTIAL_##OP(0)
#define DP_MVE_PARTIAL_DP_MVE_DIRECT_ACC(v) DP_MVE_DIRECT_ACC(v)
#define DP_MVE_PARTIAL_DP_MVE_DIRECT_MAC(v) DP_MVE_DIRECT_MAC_PARTIAL(v)
#define DP_MVE_PARTIAL_DP_MVE_DIRECT_STORE(v) DP_MVE_DIRECT_STORE(v)
#define DP_MVE_VECTORS_2(OP) OP(0) OP(1)
#define DP_MVE_VECTORS_3(OP) OP(0) OP(1) OP(2)
#define DP_MVE_VECTORS_4(OP) OP(0) OP(1) OP(2) OP(3)
#define DP_MVE_DEFINE_DIRECT_RUN(T, TX)                                                                              \
  void dp_arm_direct_run_##T(const TX *x, const int8_t *w, int32_t rows, int32_t k_w, int32_t row_step, int32_t d_w, \
                             int32_t s_w, int32_t count, uint32_t *acc) {                                            \
    const uint32x4_t offsets = vmulq_n_u32(vidupq_n_u32(0, 1), (uint32_t)s_w);                                       \
    const mve_pred16_t lanes = vctp32q((uint32_t)count);                                                             \
    const int32_t vector_step = 4 * s_w;                                                                             \
    switch (count >> 2) {                                                                                            \
      case 0:                                                                                                        \
        DP_MVE_DIRECT_VECTORS(TX, DP_MVE_VECTORS_PARTIAL) break;                                                     \
      case 1:                                                                                                        \
        DP_MVE_DIRECT_VECTORS(TX, DP_MVE_VECTORS_1) break;                                                           \
      case 2:                                                                                                        \
        DP_MVE_DIRECT_VECTORS(TX, DP_MVE_VECTORS_2) break;                                                           \
      case 3:                                                                                                        \
        DP_MVE_DIRECT_VECTORS(TX, DP_MVE_VECTORS_3) break;                                                           \
      default:                                                                                                       \
        DP_MVE_DIRECT_VECTORS(TX, DP_MVE_VECTORS_4) break;                                                           \
    }                                                                                                                \
  }
#define DP_MVE_GATHER(p) vldrbq_gather_offset_s32(p, offsets)
#define DP_MVE_GATHER_PARTIAL(p) vldrbq_gather_offset_z_s32(p, offsets, lanes)
DP_MVE_DEFINE_DIRECT_RUN(s8, int8_t)
#undef DP_MVE_GATHER
#undef DP_MVE_GATHER_PARTIAL
#define DP_MVE_GATHER(p) vreinterpretq_s32_u32(vldrbq_gather_offset_u32(p, offsets))
#define DP_MVE_GATHER_PARTIAL(p) vreinterpretq_s32_u32(vldrbq_gather_offset_z_u32(p, offsets, lanes))
DP_MVE_DEFINE_DIRECT_RUN(u8, uint8_t)
#endif
