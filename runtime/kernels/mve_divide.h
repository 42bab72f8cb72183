/* Exact vector division by a per-call divisor for the MVE kernels (include after arm_mve.h). */
#ifndef DP_MVE_DIVIDE_H
#define DP_MVE_DIVIDE_H

/* floor(n / divisor) of four uint32 n, given reciprocal = floor((2^32 - 1) / divisor), divisor >= 1: q = the
 * high half of n * reciprocal lies in (n / divisor - 1, n / divisor], so it is the quotient or one less,
 * which one compare of the remainder n - q * divisor corrects. */
static inline uint32x4_t dp_mve_divide_u32(uint32x4_t n, uint32_t divisor, uint32_t reciprocal) {
  const uint32x4_t q = vmulhq_u32(n, vdupq_n_u32(reciprocal));
  const uint32x4_t remainder = vsubq_u32(n, vmulq_n_u32(q, divisor));
  return vaddq_m_n_u32(q, q, 1, vcmpcsq_n_u32(remainder, divisor));
}

/* The C quotient n / divisor (truncated toward zero) of four int32 n, divisor >= 1: the unsigned quotient
 * of |n| (INT32_MIN's magnitude 2^31 as uint32), negated for negative n. */
static inline int32x4_t dp_mve_divide_s32(int32x4_t n, uint32_t divisor, uint32_t reciprocal) {
  const int32x4_t q = vreinterpretq_s32_u32(dp_mve_divide_u32(vreinterpretq_u32_s32(vabsq_s32(n)), divisor, reciprocal));
  return vnegq_m_s32(q, q, vcmpltq_n_s32(n, 0));
}

#endif
