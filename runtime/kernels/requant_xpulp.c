/* RequantShift and requantized iHardswish for CORE-V cores (Xpulp v2); see requant_xpulp.h.
 *
 * Per element: a load (post-increment), v = x * mul, cv.addNr v = (v + bias) >> shift (the floor of
 * dp_asr32: the sum does not overflow, the compiler chose 32-bit arithmetic for that), the clamp and a
 * byte store, four per loop iteration. The clamp is one instruction for [-(hi + 1), hi] (cv.clipr, e.g.
 * int8's [-128, 127]) and [0, hi] (cv.clipur, uint8's [0, 255]), else cv.max and cv.min; the loop is
 * compiled once per kind. iHardswish adds x + three, cv.clipur to [0, six] and one multiplication by x:
 * v = (c * x) * (one_over_six * mul) equals the generic (c * one_over_six * x) * mul modulo 2^32, and the
 * generic value fits int32, so the bits are the same.
 *
 * Instructions per element (QEMU with the CORE-V patch, -icount shift=0, minstret; the whole kernel call,
 * generic kernels built by the same clang-19 for the same -march with -DDP_GENERIC_KERNELS; printed by
 * tests/xpulp/xpulp_misc_check.c):
 *                                              generic   Xpulp
 *   RequantShift int32 > int8 [-128, 127], 256   9.42     5.27
 *   RequantShift int8 > int8, 256               10.20     5.27
 *   RequantShift uint8 > int8 [-100, 50], 256   10.20     6.27 (cv.max and cv.min)
 *   RequantShift int32 > int8, 64 channels x 4  12.90     7.50
 *   RequantShift int32 > int8, 256 channels x 1 23.80    11.21
 *   RequantShift int32 > int8, 8                16.62    13.37
 *   requantized iHardswish int8 > int8, 256     15.51     8.33
 *   requantized iHardswish int8 > int8, 8       24.37    18.25 */
#include "kernels/requant_xpulp.h"

#ifdef DP_XPULP_LANES

/* One element: VALUE (an int32 expression of the loaded input) requantized by m and b. */
#define DP_XPL_RQ(KIND, value) \
  DP_XPL_CLAMP(KIND, dp_xpl_addnr((int32_t)((uint32_t)(value) * m), b, shift), lo, hi)
/* Four elements at x, stored as one word. */
#define DP_XPL_RQ4(KIND, VALUE)                                                                       \
  {                                                                                                   \
    const int32_t v0_ = DP_XPL_RQ(KIND, VALUE(x[0])), v1_ = DP_XPL_RQ(KIND, VALUE(x[1]));             \
    const int32_t v2_ = DP_XPL_RQ(KIND, VALUE(x[2])), v3_ = DP_XPL_RQ(KIND, VALUE(x[3]));             \
    DP_XPL_STORE4(y, v0_, v1_, v2_, v3_);                                                             \
    x += 4;                                                                                           \
  }
/* The rows of [outer][channels][inner]: per channel m and b (PROLOGUE may adjust m), then the row eight
 * elements per iteration, VALUE(xv) the value requantized for input xv. A row of one element per channel
 * runs as one loop over the channels. */
#define DP_XPL_RQ_ROWS(KIND, PROLOGUE, VALUE)                                                     \
  for (o = 0; o < outer; ++o) {                                                                   \
    for (c = 0; c < channels; ++c) {                                                              \
      uint32_t m = (uint32_t)mul[c];                                                              \
      const int32_t b = bias[c];                                                                  \
      int32_t i;                                                                                  \
      PROLOGUE                                                                                    \
      if (inner == 1) {                                                                           \
        *y++ = (uint8_t)DP_XPL_RQ(KIND, VALUE(x[0]));                                             \
        ++x;                                                                                      \
        continue;                                                                                 \
      }                                                                                           \
      for (i = inner >> 3; i > 0; --i) {                                                          \
        DP_XPL_RQ4(KIND, VALUE)                                                                   \
        DP_XPL_RQ4(KIND, VALUE)                                                                   \
      }                                                                                           \
      if (inner & 4) DP_XPL_RQ4(KIND, VALUE)                                                      \
      for (i = inner & 3; i > 0; --i, ++x) *y++ = (uint8_t)DP_XPL_RQ(KIND, VALUE(x[0]));          \
    }                                                                                             \
  }
/* The kernel body: the rows compiled once per clamp kind. */
#define DP_XPL_RQ_BODY(PROLOGUE, VALUE)                                              \
  {                                                                                  \
    int32_t o, c;                                                                    \
    switch (dp_xpl_clamp_kind(lo, hi)) {                                             \
      case DP_XPL_CLAMP_SYMMETRIC:                                                   \
        DP_XPL_RQ_ROWS(DP_XPL_CLAMP_SYMMETRIC, PROLOGUE, VALUE)                      \
        break;                                                                       \
      case DP_XPL_CLAMP_UNSIGNED:                                                    \
        DP_XPL_RQ_ROWS(DP_XPL_CLAMP_UNSIGNED, PROLOGUE, VALUE)                       \
        break;                                                                       \
      default:                                                                       \
        DP_XPL_RQ_ROWS(DP_XPL_CLAMP_ANY, PROLOGUE, VALUE)                            \
        break;                                                                       \
    }                                                                                \
  }

#define DP_XPL_PLAIN(xv) (xv)
void dp_xpulp_requant_s32(const int32_t *x, DP_XPULP_REQUANT_PARAMS) DP_XPL_RQ_BODY(, DP_XPL_PLAIN)
void dp_xpulp_requant_s16(const int16_t *x, DP_XPULP_REQUANT_PARAMS) DP_XPL_RQ_BODY(, DP_XPL_PLAIN)
void dp_xpulp_requant_u16(const uint16_t *x, DP_XPULP_REQUANT_PARAMS) DP_XPL_RQ_BODY(, DP_XPL_PLAIN)
void dp_xpulp_requant_s8(const int8_t *x, DP_XPULP_REQUANT_PARAMS) DP_XPL_RQ_BODY(, DP_XPL_PLAIN)
void dp_xpulp_requant_u8(const uint8_t *x, DP_XPULP_REQUANT_PARAMS) DP_XPL_RQ_BODY(, DP_XPL_PLAIN)

/* iHardswish: clamp(x + three, 0, six) * x, with one_over_six folded into m. */
#define DP_XPL_HARDSWISH_FOLD m *= (uint32_t)one_over_six;
#define DP_XPL_HARDSWISH(xv) ((uint32_t)dp_xp_clipur((int32_t)(xv) + three, six) * (uint32_t)(int32_t)(xv))
void dp_xpulp_rq_ihardswish_s8(const int8_t *x, int32_t one_over_six, int32_t three, int32_t six,
                               DP_XPULP_REQUANT_PARAMS) DP_XPL_RQ_BODY(DP_XPL_HARDSWISH_FOLD, DP_XPL_HARDSWISH)
void dp_xpulp_rq_ihardswish_u8(const uint8_t *x, int32_t one_over_six, int32_t three, int32_t six,
                               DP_XPULP_REQUANT_PARAMS) DP_XPL_RQ_BODY(DP_XPL_HARDSWISH_FOLD, DP_XPL_HARDSWISH)

#endif
