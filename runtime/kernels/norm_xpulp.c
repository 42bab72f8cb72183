/* iRMSNorm rows for CORE-V cores (Xpulp v2); see norm_xpulp.h.
 *
 * The sum of squares: each word of the row (cv.lw, post-increment; rows need not be aligned) dotted with
 * itself by cv.sdotsp.b (uint8: cv.sdotup.b), which adds four squares modulo 2^32 like the generic uint32
 * sum; the last length % 4 squares from the word ending at the row's end shifted right (zero lanes add
 * nothing), so nothing past the row is read. Then each output: v = x * w / root (C division, one
 * instruction), v >> shift, the clamp, four outputs stored as one word.
 *
 * Instructions per element (QEMU with the CORE-V patch, -icount shift=0, minstret; the whole kernel call,
 * generic kernels built by the same clang-19 for the same -march with -DDP_GENERIC_KERNELS; printed by
 * tests/xpulp/xpulp_misc_check.c):
 *                                              generic   Xpulp
 *   iRMSNorm int8, int32 weights, row of 64     17.90     9.73
 *   iRMSNorm int8, int32 weights, row of 256    15.72     8.58
 *   the same row of 64, 8 of its columns       66.12    24.75 (one core's part on 8 cores: the sum of
 *                                                               squares and root dominate) */
#include "kernels/integer_norm.h"

#ifdef DP_XPULP_LANES

/* floor(sqrt(v)) as dp_isqrt_u32 (integer_norm.c), in fewer instructions: Newton's iteration
 * x' = (x + v / x) / 2 from a power of two 2^k with 4^k > v (found by halving the bit length) decreases
 * to floor(sqrt(v)) and stops there (x' >= x), in about four steps of one division each, against the 16
 * steps of the digit-by-digit root (checked against it for every v below 2^27, around every square and
 * for the top 2^24 and 10^8 random values). x + v / x < 2^17: no overflow. */
static uint32_t dp_xpl_isqrt(uint32_t v) {
  uint32_t t = v, x, y;
  int32_t k = 1;
  if (v == 0) return 0;
  if (t >> 16) t >>= 16, k += 8;
  if (t >> 8) t >>= 8, k += 4;
  if (t >> 4) t >>= 4, k += 2;
  if (t >> 2) k += 1;
  x = 1u << k;
  for (;;) {
    y = (x + v / x) >> 1;
    if (y >= x) return x;
    x = y;
  }
}

/* Output j of the row (part, w in scope). */
#define DP_XPL_NORM_OUT(KIND, j) \
  DP_XPL_CLAMP(KIND, dp_asr32((int32_t)part[j] * (int32_t)w[j] / root, shift), lo, hi)
#define DP_XPL_NORM_OUTPUTS(KIND)                                                                 \
  {                                                                                               \
    int32_t j;                                                                                    \
    for (j = count >> 2; j > 0; --j, part += 4, w += 4) {                                         \
      const int32_t v0 = DP_XPL_NORM_OUT(KIND, 0), v1 = DP_XPL_NORM_OUT(KIND, 1);                 \
      const int32_t v2 = DP_XPL_NORM_OUT(KIND, 2), v3 = DP_XPL_NORM_OUT(KIND, 3);                 \
      DP_XPL_STORE4(y, v0, v1, v2, v3);                                                           \
    }                                                                                             \
    for (j = count & 3; j > 0; --j, ++part, ++w) *y++ = (int8_t)DP_XPL_NORM_OUT(KIND, 0);         \
  }

/* SQUARES(s, word) adds the squares of a word's four lanes to s. */
#define DP_XPL_IRMSNORM(TX, SQUARES)                                                              \
  {                                                                                               \
    const TX *part = x + first, *p = x;                                                           \
    uint32_t squares = 0, word;                                                                   \
    int32_t j, root;                                                                              \
    for (j = length >> 3; j > 0; --j) {                                                           \
      DP_XP_LW_POST(word, p, 4);                                                                  \
      squares = SQUARES(squares, word);                                                           \
      DP_XP_LW_POST(word, p, 4);                                                                  \
      squares = SQUARES(squares, word);                                                           \
    }                                                                                             \
    if (length & 4) {                                                                             \
      DP_XP_LW_POST(word, p, 4);                                                                  \
      squares = SQUARES(squares, word);                                                           \
    }                                                                                             \
    if (length & 3) {                                                                             \
      if (length >= 4) {                                                                          \
        DP_XP_LWI(word, p + (length & 3), -4);                                                    \
        squares = SQUARES(squares, word >> (8 * (4 - (length & 3))));                             \
      } else {                                                                                    \
        for (j = 0; j < length; ++j) squares += (uint32_t)((int32_t)x[j] * (int32_t)x[j]);        \
      }                                                                                           \
    }                                                                                             \
    root = (int32_t)dp_xpl_isqrt(squares / (uint32_t)length + 1u);                                \
    switch (dp_xpl_clamp_kind(lo, hi)) {                                                          \
      case DP_XPL_CLAMP_SYMMETRIC:                                                                \
        DP_XPL_NORM_OUTPUTS(DP_XPL_CLAMP_SYMMETRIC)                                               \
        break;                                                                                    \
      case DP_XPL_CLAMP_UNSIGNED:                                                                 \
        DP_XPL_NORM_OUTPUTS(DP_XPL_CLAMP_UNSIGNED)                                                \
        break;                                                                                    \
      default:                                                                                    \
        DP_XPL_NORM_OUTPUTS(DP_XPL_CLAMP_ANY)                                                     \
        break;                                                                                    \
    }                                                                                             \
  }

#define DP_XPL_SQUARES_S8(s, word) dp_xpl_sdotsp(s, word, word)
#define DP_XPL_SQUARES_U8(s, word) dp_xpl_sdotup(s, word, word)
void dp_xpulp_irmsnorm_s8_w8(const int8_t *x, const int8_t *w, DP_XPULP_IRMSNORM_PARAMS)
    DP_XPL_IRMSNORM(int8_t, DP_XPL_SQUARES_S8)
void dp_xpulp_irmsnorm_s8_w16(const int8_t *x, const int16_t *w, DP_XPULP_IRMSNORM_PARAMS)
    DP_XPL_IRMSNORM(int8_t, DP_XPL_SQUARES_S8)
void dp_xpulp_irmsnorm_s8_w32(const int8_t *x, const int32_t *w, DP_XPULP_IRMSNORM_PARAMS)
    DP_XPL_IRMSNORM(int8_t, DP_XPL_SQUARES_S8)
void dp_xpulp_irmsnorm_u8_w8(const uint8_t *x, const int8_t *w, DP_XPULP_IRMSNORM_PARAMS)
    DP_XPL_IRMSNORM(uint8_t, DP_XPL_SQUARES_U8)
void dp_xpulp_irmsnorm_u8_w16(const uint8_t *x, const int16_t *w, DP_XPULP_IRMSNORM_PARAMS)
    DP_XPL_IRMSNORM(uint8_t, DP_XPL_SQUARES_U8)
void dp_xpulp_irmsnorm_u8_w32(const uint8_t *x, const int32_t *w, DP_XPULP_IRMSNORM_PARAMS)
    DP_XPL_IRMSNORM(uint8_t, DP_XPL_SQUARES_U8)

#endif
