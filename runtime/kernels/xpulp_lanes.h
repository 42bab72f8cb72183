/* Lane helpers of the CORE-V (Xpulp v2) kernels other than the products (element-wise, requantization,
 * normalization, softmax, reductions, pooling, depthwise convolution; the *_xpulp.c files beside this one).
 * Include only where DP_XPULP_LANES is defined: clang targeting xcvsimd, xcvmem and xcvalu, without
 * -DDP_GENERIC_KERNELS (DP_XPULP of matmul_xpulp.h, plus xcvalu for the clamps).
 *
 * clang-19 has no CORE-V builtins: each instruction is a pure inline-assembly statement, so clang allocates
 * the registers, schedules and writes the loops (it emits the post-increment loads and stores of xcvmem
 * and cv.max/cv.min itself). Word loads of byte rows go through DP_XP_LW_POST of xpulp.h: rows of bytes
 * need not be word-aligned (the cores of a PULP cluster and the emulator access misaligned words).
 *
 * Lane notation: a word holds four byte lanes, lane i in bits 8i..8i+7. */
#ifndef DP_XPULP_LANES_H
#define DP_XPULP_LANES_H

#include "kernels/matmul_xpulp.h"

#if defined(DP_XPULP) && defined(__riscv_xcvalu)
#define DP_XPULP_LANES 1

#include "kernels/xpulp.h"

/* Dot products of the four byte lanes (signed x signed, unsigned x unsigned, unsigned x signed), started
 * (DP_XP_DEFINE_OP2) or added to s (SDOT); all wrap modulo 2^32. */
#define DP_XPL_DEFINE_SDOT(name, insn)                                  \
  DP_XP_INLINE uint32_t name(uint32_t s, uint32_t x, uint32_t y) {      \
    __asm__(insn " %0, %1, %2" : "+r"(s) : "r"(x), "r"(y));             \
    return s;                                                           \
  }
DP_XP_DEFINE_OP2(dp_xpl_dotsp, uint32_t, "cv.dotsp.b")
DP_XP_DEFINE_OP2(dp_xpl_dotup, uint32_t, "cv.dotup.b")
DP_XP_DEFINE_OP2(dp_xpl_dotusp, uint32_t, "cv.dotusp.b")
DP_XPL_DEFINE_SDOT(dp_xpl_sdotsp, "cv.sdotsp.b")
DP_XPL_DEFINE_SDOT(dp_xpl_sdotup, "cv.sdotup.b")
DP_XPL_DEFINE_SDOT(dp_xpl_sdotusp, "cv.sdotusp.b")

/* s + the sum of the four lanes of x, signed or unsigned (a dot product with 1 in every lane). */
DP_XP_INLINE uint32_t dp_xpl_sum_s8(uint32_t s, uint32_t x) {
  __asm__("cv.sdotsp.sci.b %0, %1, 1" : "+r"(s) : "r"(x));
  return s;
}
DP_XP_INLINE uint32_t dp_xpl_sum_u8(uint32_t s, uint32_t x) {
  __asm__("cv.sdotup.sci.b %0, %1, 1" : "+r"(s) : "r"(x));
  return s;
}

/* Lane-wise maximum of signed (max_b) or unsigned (maxu_b) bytes; lane-wise difference modulo 256. */
DP_XP_DEFINE_OP2(dp_xpl_max_b, uint32_t, "cv.max.b")
DP_XP_DEFINE_OP2(dp_xpl_maxu_b, uint32_t, "cv.maxu.b")
DP_XP_DEFINE_OP2(dp_xpl_sub_b, uint32_t, "cv.sub.b")

/* Lane `lane` (a constant) of x sign- or zero-extended; halfword lane of x zero-extended. */
#define DP_XPL_EXTRACT_B(r, x, lane) __asm__("cv.extract.b %0, %1, %2" : "=r"(r) : "r"(x), "i"(lane))
#define DP_XPL_EXTRACTU_B(r, x, lane) __asm__("cv.extractu.b %0, %1, %2" : "=r"(r) : "r"(x), "i"(lane))
#define DP_XPL_EXTRACTU_H(r, x, lane) __asm__("cv.extractu.h %0, %1, %2" : "=r"(r) : "r"(x), "i"(lane))

/* (v + b) >> shift (arithmetic, shift in 0..31): the floor of dp_asr32 when v + b does not overflow. */
DP_XP_INLINE int32_t dp_xpl_addnr(int32_t v, int32_t b, int32_t shift) {
  __asm__("cv.addNr %0, %1, %2" : "+r"(v) : "r"(b), "r"(shift));
  return v;
}

/* x with its halfwords swapped. */
DP_XP_INLINE uint32_t dp_xpl_swap_halves(uint32_t x) {
  uint32_t r;
  __asm__("cv.shuffle.sci.h %0, %1, 1" : "=r"(r) : "r"(x));
  return r;
}

/* The maximum of the four signed (unsigned) lanes of x, as an int32: the lane-wise maximum with the
 * halfwords swapped, then with the word shifted by a byte; lane 0 holds it. */
DP_XP_INLINE int32_t dp_xpl_lanes_max_s8(uint32_t x) {
  int32_t r;
  x = dp_xpl_max_b(x, dp_xpl_swap_halves(x));
  x = dp_xpl_max_b(x, x >> 8);
  DP_XPL_EXTRACT_B(r, x, 0);
  return r;
}
DP_XP_INLINE int32_t dp_xpl_lanes_max_u8(uint32_t x) {
  int32_t r;
  x = dp_xpl_maxu_b(x, dp_xpl_swap_halves(x));
  x = dp_xpl_maxu_b(x, x >> 8);
  DP_XPL_EXTRACTU_B(r, x, 0);
  return r;
}

/* The low bytes of v0..v3 (lanes 0..3) stored as one word at p (need not be aligned), then p += 4:
 * cv.packlo.b and cv.packhi.b build the word, cv.sw stores it. */
#define DP_XPL_STORE4(p, v0, v1, v2, v3)                                                      \
  do {                                                                                        \
    uint32_t w_;                                                                              \
    __asm__("cv.packlo.b %0, %2, %1\n\tcv.packhi.b %0, %4, %3"                                \
            : "=&r"(w_)                                                                       \
            : "r"(v0), "r"(v1), "r"(v2), "r"(v3));                                            \
    __asm__ volatile("cv.sw %1, (%0), 4" : "+r"(p) : "r"(w_) : "memory");                     \
  } while (0)

/* Clamps of a value to [lo, hi] with lo <= hi, by the cheapest instruction the range allows: KIND 1
 * symmetric ranges [-(hi + 1), hi] (cv.clipr), 2 [0, hi] (cv.clipur), 0 any (cv.max, cv.min). */
enum { DP_XPL_CLAMP_ANY = 0, DP_XPL_CLAMP_SYMMETRIC = 1, DP_XPL_CLAMP_UNSIGNED = 2 };
DP_XP_INLINE int32_t dp_xpl_clamp_kind(int32_t lo, int32_t hi) {
  if (hi >= 0 && lo == -hi - 1) return DP_XPL_CLAMP_SYMMETRIC;
  if (hi >= 0 && lo == 0) return DP_XPL_CLAMP_UNSIGNED;
  return DP_XPL_CLAMP_ANY;
}
#define DP_XPL_CLAMP(KIND, v, lo, hi)                                                     \
  ((KIND) == DP_XPL_CLAMP_SYMMETRIC  ? dp_xp_clipr(v, hi)                                  \
   : (KIND) == DP_XPL_CLAMP_UNSIGNED ? dp_xp_clipur(v, hi)                                 \
                                     : dp_xp_clamp(v, lo, hi))

#endif

#endif
