/* iSoftmax rows for Arm cores with MVE; see softmax_arm.h. */
#include "kernels/softmax_arm.h"

#ifdef DP_ARM_MVE
#include <arm_mve.h>

#include "kernels/mve_divide.h"

/* Four elements at j: the terms table[max - x], added to the sum, or their quotients stored. LOAD4(p)
 * reads four inputs widened to uint32 lanes (the distances max - x stay in 0..255 as unsigned lanes,
 * since x <= max); GATHER(d) reads the table at four distances. Full vectors, then the last one with the
 * predicated forms (_Z: lanes past the row read nothing and are 0; _P: nothing stored there). */
#define DP_MVE_TERMS(j) GATHER(vsubq_u32(vmax, LOAD4(x + (j))))
#define DP_MVE_TERMS_Z(j, lanes) GATHER_Z(vsubq_u32(vmax, LOAD4_Z(x + (j), lanes)), lanes)
#define DP_MVE_QUOTIENTS(terms) dp_mve_divide_u32(vmulq_n_u32(terms, top), sum, reciprocal)
#define DP_MVE_ADD_TERMS(j) sum = vaddvaq_u32(sum, DP_MVE_TERMS(j))
#define DP_MVE_ADD_TERMS_P(j, lanes) sum = vaddvaq_u32(sum, DP_MVE_TERMS_Z(j, lanes))
#define DP_MVE_STORE_QUOTIENTS(j) vstrbq_u32(y + (j), DP_MVE_QUOTIENTS(DP_MVE_TERMS(j)))
#define DP_MVE_STORE_QUOTIENTS_P(j, lanes) vstrbq_p_u32(y + (j), DP_MVE_QUOTIENTS(DP_MVE_TERMS_Z(j, lanes)), lanes)
#define DP_MVE_FOR_VECTORS(FULL, LAST)                  \
  for (j = 0; j + 4 <= length; j += 4) FULL(j);         \
  if (j < length) LAST(j, vctp32q((uint32_t)(length - j)));

/* MAX_OF(m, p, lanes) folds the predicated sixteen bytes at p into the maximum m. */
#define DP_MVE_ISOFTMAX(TX, MAX_OF)                                                           \
  {                                                                                           \
    int32_t j;                                                                                \
    TX max = x[0];                                                                            \
    uint32_t sum = 0, reciprocal;                                                             \
    uint32x4_t vmax;                                                                          \
    for (j = 0; j < length; j += 16) MAX_OF(max, x + j, vctp8q((uint32_t)(length - j)));      \
    vmax = vdupq_n_u32((uint32_t)(int32_t)max);                                               \
    DP_MVE_FOR_VECTORS(DP_MVE_ADD_TERMS, DP_MVE_ADD_TERMS_P)                                    \
    if (sum == 0) {                                                                           \
      memset(y, 0, (size_t)length);                                                           \
      return;                                                                                 \
    }                                                                                         \
    reciprocal = 0xFFFFFFFFu / sum;                                                           \
    DP_MVE_FOR_VECTORS(DP_MVE_STORE_QUOTIENTS, DP_MVE_STORE_QUOTIENTS_P)                      \
  }

#define DP_MVE_MAX_S8(m, p, lanes) m = vmaxvq_p_s8(m, vldrbq_z_s8(p, lanes), lanes)
#define DP_MVE_MAX_U8(m, p, lanes) m = vmaxvq_p_u8(m, vldrbq_z_u8(p, lanes), lanes)
#define LOAD4(p) vreinterpretq_u32_s32(vldrbq_s32(p))
#define LOAD4_Z(p, lanes) vreinterpretq_u32_s32(vldrbq_z_s32(p, lanes))
#define GATHER(d) vldrhq_gather_shifted_offset_u32(table, d)
#define GATHER_Z(d, lanes) vldrhq_gather_shifted_offset_z_u32(table, d, lanes)
void dp_arm_isoftmax_s8_t16(const int8_t *x, uint8_t *y, int32_t length, const uint16_t *table, uint32_t top)
    DP_MVE_ISOFTMAX(int8_t, DP_MVE_MAX_S8)
#undef GATHER
#undef GATHER_Z
#define GATHER(d) vldrwq_gather_shifted_offset_u32(table, d)
#define GATHER_Z(d, lanes) vldrwq_gather_shifted_offset_z_u32(table, d, lanes)
void dp_arm_isoftmax_s8_t32(const int8_t *x, uint8_t *y, int32_t length, const uint32_t *table, uint32_t top)
    DP_MVE_ISOFTMAX(int8_t, DP_MVE_MAX_S8)
#undef LOAD4
#undef LOAD4_Z
#define LOAD4(p) vldrbq_u32(p)
#define LOAD4_Z(p, lanes) vldrbq_z_u32(p, lanes)
void dp_arm_isoftmax_u8_t32(const uint8_t *x, uint8_t *y, int32_t length, const uint32_t *table, uint32_t top)
    DP_MVE_ISOFTMAX(uint8_t, DP_MVE_MAX_U8)
#undef GATHER
#undef GATHER_Z
#define GATHER(d) vldrhq_gather_shifted_offset_u32(table, d)
#define GATHER_Z(d, lanes) vldrhq_gather_shifted_offset_z_u32(table, d, lanes)
void dp_arm_isoftmax_u8_t16(const uint8_t *x, uint8_t *y, int32_t length, const uint16_t *table, uint32_t top)
    DP_MVE_ISOFTMAX(uint8_t, DP_MVE_MAX_U8)
#endif
