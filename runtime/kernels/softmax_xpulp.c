/* iSoftmax rows for CORE-V cores (Xpulp v2); see softmax_xpulp.h.
 *
 * The maximum: cv.max.b (cv.maxu.b) of the row's words, the last length % 4 elements from the word ending
 * at the row's end (a maximum may see an element twice), then of the four lanes. The terms
 * table[max - x]: per word, d = cv.sub.b(max in every lane, x) gives the four distances (0..255, exact
 * modulo 256), whose even and odd lanes shifted by the entry size's log2 are the byte offsets of the
 * entries, two per word in halfword lanes (and, shift, shift, and); each entry is then a lane extraction
 * and a load at a register offset (cv.lhu / cv.lw). The first pass adds them (modulo 2^32 like the
 * generic uint32 sum), the second looks them up again and stores floor(term * top / sum) (one
 * multiplication and one division each, four outputs per word store). The last length % 4 elements are
 * done one at a time. A zero sum gives zeros, as the generic kernel.
 *
 * Instructions per element (QEMU with the CORE-V patch, -icount shift=0, minstret; the whole kernel call,
 * generic kernels built by the same clang-19 for the same -march with -DDP_GENERIC_KERNELS; printed by
 * tests/xpulp/xpulp_misc_check.c):
 *                                              generic   Xpulp
 *   int8 > uint8, uint16 table, 16 rows of 33   20.53    14.45
 *   int8 > uint8, uint16 table, a row of 256    20.15    12.93
 *   16 rows of 8                                22.18    18.76
 *   16 rows of 2 (with the hook)                28.71    36.50 (hence DP_XPULP_ISOFTMAX_MIN)
 * (The division stays one divu per element: a reciprocal would take more instructions, if fewer cycles.) */
#include "kernels/integer_softmax.h"

#ifdef DP_XPULP_LANES

/* The entry at byte offset `off` from base, by a register-offset load. */
DP_XP_INLINE uint32_t dp_xpl_entry_u16(const void *base, uint32_t off) {
  uint32_t r;
  __asm__ volatile("cv.lhu %0, %2(%1)" : "=r"(r) : "r"(base), "r"(off));
  return r;
}
DP_XP_INLINE uint32_t dp_xpl_entry_u32(const void *base, uint32_t off) {
  uint32_t r;
  __asm__ volatile("cv.lw %0, %2(%1)" : "=r"(r) : "r"(base), "r"(off));
  return r;
}

/* The four terms of the word at p into t0..t3 (p advanced), with SCALE = log2 of the entry size. */
#define DP_XPL_TERMS4(t0, t1, t2, t3)                                                             \
  {                                                                                               \
    uint32_t word_, even_, odd_, o0_, o1_;                                                        \
    DP_XP_LW_POST(word_, p, 4);                                                                   \
    word_ = dp_xpl_sub_b(max_lanes, word_);                                                       \
    even_ = (word_ & 0x00FF00FFu) << SCALE;                                                       \
    odd_ = (word_ >> (8 - SCALE)) & (0x00FF00FFu << SCALE);                                       \
    DP_XPL_EXTRACTU_H(o0_, even_, 0);                                                             \
    DP_XPL_EXTRACTU_H(o1_, odd_, 0);                                                              \
    t0 = ENTRY(table, o0_);                                                                       \
    t1 = ENTRY(table, o1_);                                                                       \
    t2 = ENTRY(table, even_ >> 16);                                                               \
    t3 = ENTRY(table, odd_ >> 16);                                                                \
  }
/* The term of element x[j] (any j), by the C index. */
#define DP_XPL_TERM(j) ((uint32_t)table[max - (int32_t)x[j]])

/* MAX_B: cv.max.b or cv.maxu.b; LANES_MAX: the maximum of a word's lanes. */
#define DP_XPL_ISOFTMAX(MAX_B, LANES_MAX)                                                         \
  {                                                                                               \
    const TX *p = x;                                                                              \
    uint32_t sum = 0, max_lanes;                                                                  \
    int32_t j, max;                                                                               \
    if (length >= 4) {                                                                            \
      uint32_t m, word;                                                                           \
      DP_XP_LW_POST(m, p, 4);                                                                     \
      for (j = (length >> 2) - 1; j > 0; --j) {                                                   \
        DP_XP_LW_POST(word, p, 4);                                                                \
        m = MAX_B(m, word);                                                                       \
      }                                                                                           \
      if (length & 3) {                                                                           \
        DP_XP_LWI(word, x + length, -4);                                                          \
        m = MAX_B(m, word);                                                                       \
      }                                                                                           \
      max = LANES_MAX(m);                                                                         \
    } else {                                                                                      \
      max = x[0];                                                                                 \
      for (j = 1; j < length; ++j)                                                                \
        if (x[j] > max) max = x[j];                                                               \
    }                                                                                             \
    max_lanes = ((uint32_t)max & 0xFFu) * 0x01010101u;                                            \
    for (p = x, j = length >> 2; j > 0; --j) {                                                    \
      uint32_t t0, t1, t2, t3;                                                                    \
      DP_XPL_TERMS4(t0, t1, t2, t3)                                                               \
      sum += t0 + t1 + t2 + t3;                                                                   \
    }                                                                                             \
    for (j = length & ~3; j < length; ++j) sum += DP_XPL_TERM(j);                                 \
    if (sum == 0) {                                                                               \
      for (j = 0; j < length; ++j) y[j] = 0;                                                      \
      return;                                                                                     \
    }                                                                                             \
    for (p = x, j = length >> 2; j > 0; --j) {                                                    \
      uint32_t t0, t1, t2, t3;                                                                    \
      DP_XPL_TERMS4(t0, t1, t2, t3)                                                               \
      t0 = t0 * top / sum, t1 = t1 * top / sum, t2 = t2 * top / sum, t3 = t3 * top / sum;         \
      DP_XPL_STORE4(y, t0, t1, t2, t3);                                                           \
    }                                                                                             \
    for (j = length & ~3; j < length; ++j) *y++ = (uint8_t)(DP_XPL_TERM(j) * top / sum);          \
  }

#define TX int8_t
#define SCALE 1
#define ENTRY dp_xpl_entry_u16
void dp_xpulp_isoftmax_s8_t16(const int8_t *x, uint8_t *y, int32_t length, const uint16_t *table, uint32_t top)
    DP_XPL_ISOFTMAX(dp_xpl_max_b, dp_xpl_lanes_max_s8)
#undef SCALE
#undef ENTRY
#define SCALE 2
#define ENTRY dp_xpl_entry_u32
void dp_xpulp_isoftmax_s8_t32(const int8_t *x, uint8_t *y, int32_t length, const uint32_t *table, uint32_t top)
    DP_XPL_ISOFTMAX(dp_xpl_max_b, dp_xpl_lanes_max_s8)
#undef TX
#define TX uint8_t
void dp_xpulp_isoftmax_u8_t32(const uint8_t *x, uint8_t *y, int32_t length, const uint32_t *table, uint32_t top)
    DP_XPL_ISOFTMAX(dp_xpl_maxu_b, dp_xpl_lanes_max_u8)
#undef SCALE
#undef ENTRY
#define SCALE 1
#define ENTRY dp_xpl_entry_u16
void dp_xpulp_isoftmax_u8_t16(const uint8_t *x, uint8_t *y, int32_t length, const uint16_t *table, uint32_t top)
    DP_XPL_ISOFTMAX(dp_xpl_maxu_b, dp_xpl_lanes_max_u8)

#endif
