/* Helpers of the CORE-V (Xpulp v2) kernels (include only where DP_XPULP is defined, see matmul_xpulp.h):
 * loads of words, SIMD dot products of four byte lanes, lane packing, and the register-blocked dot
 * products the NT and NN tiles are made of.
 *
 * clang-19 has no CORE-V builtins, so the CORE-V instructions are inline assembly; clang allocates the
 * registers and writes the loops. Word loads are assembly too, for two reasons: rows of k bytes are not
 * word-aligned when k % 4 != 0 (the CV32E40P-class cores of a PULP cluster, and the emulator, access
 * misaligned words; a C load of a misaligned uint32_t would be undefined and clang, knowing nothing of
 * it, would load byte by byte), and the post-increment and register-offset forms of xcvmem. The loads are
 * volatile: clang then treats them as memory accesses and keeps them after the C stores that filled the
 * memory they read (the NN panels); the dot products are pure. */
#ifndef DP_XPULP_H
#define DP_XPULP_H

#include <stdint.h>

#define DP_XP_INLINE static inline __attribute__((always_inline))

/* w = the word at p + off (register offset). */
#define DP_XP_LW(w, p, off) __asm__ volatile("cv.lw %0, %2(%1)" : "=r"(w) : "r"(p), "r"(off))
/* w = the word at p + imm (immediate offset). */
#define DP_XP_LWI(w, p, imm) __asm__ volatile("lw %0, %2(%1)" : "=r"(w) : "r"(p), "i"(imm))
/* w = the word at p, then p += inc (an immediate, or a register for DP_XP_LW_POSTR). */
#define DP_XP_LW_POST(w, p, inc) __asm__ volatile("cv.lw %0, (%1), %2" : "=r"(w), "+r"(p) : "i"(inc))
#define DP_XP_LW_POSTR(w, p, inc) __asm__ volatile("cv.lw %0, (%1), %2" : "=r"(w), "+r"(p) : "r"(inc))
/* w = the word at p + o[i] (o[0] = 0: an immediate offset) shifted right by `shift` bits: the k % 4 last
 * terms of a row ending at the word's end, in its low lanes (the tiles' tail group). */
#define DP_XP_LW_TAIL(w, p, o, i, shift) \
  do {                                   \
    if (i)                               \
      DP_XP_LW(w, p, (o)[i]);            \
    else                                 \
      DP_XP_LWI(w, p, 0);                \
    (w) >>= (shift);                     \
  } while (0)

/* s += the dot product of the four byte lanes of x and y: both signed (U = 0), or x unsigned (U = 1,
 * uint8 A against int8 B). s wraps modulo 2^32 like the generic kernels' uint32_t accumulators. */
#define DP_XP_DOT(U, s, x, y)                                               \
  do {                                                                      \
    if (U)                                                                  \
      __asm__("cv.sdotusp.b %0, %1, %2" : "+r"(s) : "r"(x), "r"(y));      \
    else                                                                    \
      __asm__("cv.sdotsp.b %0, %1, %2" : "+r"(s) : "r"(x), "r"(y));       \
  } while (0)

/* s = the same dot product, not accumulated (cv.dotsp.b, cv.dotusp.b): the first group of a block. */
#define DP_XP_DOT0(U, s, x, y)                                              \
  do {                                                                      \
    if (U)                                                                  \
      __asm__("cv.dotusp.b %0, %1, %2" : "=r"(s) : "r"(x), "r"(y));       \
    else                                                                    \
      __asm__("cv.dotsp.b %0, %1, %2" : "=r"(s) : "r"(x), "r"(y));        \
  } while (0)

/* name(x, y): the result of the two-operand instruction `insn` (a pure statement: clang allocates and
 * schedules it), operands and result of type T. */
#define DP_XP_DEFINE_OP2(name, T, insn)                      \
  DP_XP_INLINE T name(T x, T y) {                            \
    T r;                                                     \
    __asm__(insn " %0, %1, %2" : "=r"(r) : "r"(x), "r"(y));  \
    return r;                                                \
  }

/* cv.pack (hi, lo): (hi.low half << 16) | lo.low half; cv.pack.h: (hi.high half << 16) | lo.high half. */
DP_XP_DEFINE_OP2(dp_xp_pack_lo, uint32_t, "cv.pack")
DP_XP_DEFINE_OP2(dp_xp_pack_hi, uint32_t, "cv.pack.h")

/* Clamps (v, hi): cv.clipr to [-(hi + 1), hi], cv.clipur to [0, hi] (hi >= 0); cv.max and cv.min to
 * [lo, hi]. */
DP_XP_DEFINE_OP2(dp_xp_clipr, int32_t, "cv.clipr")
DP_XP_DEFINE_OP2(dp_xp_clipur, int32_t, "cv.clipur")
DP_XP_INLINE int32_t dp_xp_clamp(int32_t v, int32_t lo, int32_t hi) {
  int32_t r;
  __asm__("cv.max %0, %1, %2\n\tcv.min %0, %0, %3" : "=&r"(r) : "r"(v), "r"(lo), "r"(hi));
  return r;
}

/* cv.shuffle2.b: lane i of the result is lane sel[i] & 3 of `a` when bit 2 of sel[i] is set, else of
 * `d` (the destination's old value). */
DP_XP_INLINE uint32_t dp_xp_shuffle2(uint32_t d, uint32_t a, uint32_t sel) {
  __asm__("cv.shuffle2.b %0, %1, %2" : "+r"(d) : "r"(a), "r"(sel));
  return d;
}
/* Selectors of the byte interleaving: (d0 a0 d2 a2) and (d1 a1 d3 a3). */
#define DP_XP_SEL_EVEN 0x06020400u
#define DP_XP_SEL_ODD 0x07030501u

/* The 4x4 byte transposition: rows r0..r3 (lane c of row r: element (r, c)) into columns c0..c3 (lane r
 * of column c: element (r, c)): byte pairs of rows 0, 1 and of rows 2, 3 interleaved by cv.shuffle2.b,
 * (r0.0 r1.0 r0.2 r1.2) and (r0.1 r1.1 r0.3 r1.3), then halfword pairs by cv.pack / cv.pack.h: 8
 * instructions and the copies clang makes of r0 and r2 (shuffle2 overwrites its destination), 10 for 16
 * bytes. sel_even and sel_odd hold DP_XP_SEL_EVEN and DP_XP_SEL_ODD. */
#define DP_XP_TRANSPOSE4(r0, r1, r2, r3, c0, c1, c2, c3, sel_even, sel_odd) \
  do {                                                                    \
    const uint32_t u0 = dp_xp_shuffle2(r0, r1, sel_even);                 \
    const uint32_t u1 = dp_xp_shuffle2(r0, r1, sel_odd);                  \
    const uint32_t u2 = dp_xp_shuffle2(r2, r3, sel_even);                 \
    const uint32_t u3 = dp_xp_shuffle2(r2, r3, sel_odd);                  \
    c0 = dp_xp_pack_lo(u2, u0);                                           \
    c1 = dp_xp_pack_lo(u3, u1);                                           \
    c2 = dp_xp_pack_hi(u2, u0);                                           \
    c3 = dp_xp_pack_hi(u3, u1);                                           \
  } while (0)

/* v += x * y (cv.mac, which clang does not pick by itself). */
DP_XP_INLINE int32_t dp_xp_mac(int32_t v, int32_t x, int32_t y) {
  __asm__("cv.mac %0, %1, %2" : "+r"(v) : "r"(x), "r"(y));
  return v;
}

/* The K loop of a 4x4 block in one assembly statement: clang's allocation of the same loop written with
 * the statements above spent two moves per group (27 registers live: 16 sums, 4 + 1 operand words, the
 * two pointers, the offsets k, 2k, 3k and the end). DOT0 is cv.dotsp.b or cv.dotusp.b, which starts the
 * sums in the first group, DOT the accumulating cv.sdotsp.b or cv.sdotusp.b; LOAD_B loads the four B
 * words of a group into y0..y3 and advances pb. Per group: 8 loads, 16 dot products, a branch; at least
 * one group. */
#define DP_XP_ROW4(DOT, s0, s1, s2, s3)                                 \
  DOT " %[" s0 "], %[x], %[y0]\n\t" DOT " %[" s1 "], %[x], %[y1]\n\t"  \
  DOT " %[" s2 "], %[x], %[y2]\n\t" DOT " %[" s3 "], %[x], %[y3]\n\t"
#define DP_XP_LOAD_B_NT                                                           \
  "cv.lw %[y1], %[o1](%[pb])\n\tcv.lw %[y2], %[o2](%[pb])\n\tcv.lw %[y3], %[o3](%[pb])\n\t" \
  "cv.lw %[y0], (%[pb]), 4\n\t"
#define DP_XP_LOAD_B_PANEL \
  "lw %[y1], 4(%[pb])\n\tlw %[y2], 8(%[pb])\n\tlw %[y3], 12(%[pb])\n\tcv.lw %[y0], (%[pb]), 16\n\t"
#define DP_XP_GROUP4X4(DOT, LOAD_B)                                                                        \
  LOAD_B "cv.lw %[x], %[o1](%[pa])\n\t" DP_XP_ROW4(DOT, "s10", "s11", "s12", "s13")                       \
  "cv.lw %[x], %[o2](%[pa])\n\t" DP_XP_ROW4(DOT, "s20", "s21", "s22", "s23")                              \
  "cv.lw %[x], %[o3](%[pa])\n\t" DP_XP_ROW4(DOT, "s30", "s31", "s32", "s33")                              \
  "cv.lw %[x], (%[pa]), 4\n\t" DP_XP_ROW4(DOT, "s00", "s01", "s02", "s03")
#define DP_XP_LOOP4X4(DOT0, DOT, LOAD_B, S, PA, PB, O1, O2, O3, END)                                        \
  do {                                                                                                   \
    uint32_t y0, y1, y2, y3, x;                                                                          \
    __asm__ volatile(DP_XP_GROUP4X4(DOT0, LOAD_B) "beq %[pa], %[end], 2f\n"                              \
                     "1:\n\t" DP_XP_GROUP4X4(DOT, LOAD_B) "bne %[pa], %[end], 1b\n"                       \
                     "2:"                                                                                \
                     : [s00] "=&r"(S[0][0]), [s01] "=&r"(S[0][1]), [s02] "=&r"(S[0][2]), [s03] "=&r"(S[0][3]), \
                       [s10] "=&r"(S[1][0]), [s11] "=&r"(S[1][1]), [s12] "=&r"(S[1][2]), [s13] "=&r"(S[1][3]), \
                       [s20] "=&r"(S[2][0]), [s21] "=&r"(S[2][1]), [s22] "=&r"(S[2][2]), [s23] "=&r"(S[2][3]), \
                       [s30] "=&r"(S[3][0]), [s31] "=&r"(S[3][1]), [s32] "=&r"(S[3][2]), [s33] "=&r"(S[3][3]), \
                       [pa] "+r"(PA), [pb] "+r"(PB), [y0] "=&r"(y0), [y1] "=&r"(y1), [y2] "=&r"(y2),      \
                       [y3] "=&r"(y3), [x] "=&r"(x)                                                      \
                     : [o1] "r"(O1), [o2] "r"(O2), [o3] "r"(O3), [end] "r"(END));                        \
  } while (0)
/* The 4x4 loops of signed (U = 0) or unsigned (U = 1) A. */
#define DP_XP_LOOP4X4_U(U, LOAD_B, S, PA, PB, O1, O2, O3, END)                                  \
  do {                                                                                         \
    if (U)                                                                                     \
      DP_XP_LOOP4X4("cv.dotusp.b", "cv.sdotusp.b", LOAD_B, S, PA, PB, O1, O2, O3, END);         \
    else                                                                                       \
      DP_XP_LOOP4X4("cv.dotsp.b", "cv.sdotsp.b", LOAD_B, S, PA, PB, O1, O2, O3, END);           \
  } while (0)

/* One group of an R x C block in C: C words of B by LOAD_B(c, y) (the last one, c = 0, advancing pb),
 * R words of A (the last one, row 0, advancing pa), R * C dot products by DOT. */
#define DP_XP_GROUP(DOT, LOAD_B)                                      \
  do {                                                               \
    uint32_t y[8], x;                                                \
    for (c = 1; c < C; ++c) LOAD_B(c, y[c]);                         \
    LOAD_B(0, y[0]);                                                 \
    for (r = 1; r < R; ++r) {                                        \
      DP_XP_LW(x, pa, o[r]);                                         \
      for (c = 0; c < C; ++c) DOT(U, s[r][c], x, y[c]);              \
    }                                                                \
    DP_XP_LW_POST(x, pa, 4);                                         \
    for (c = 0; c < C; ++c) DOT(U, s[0][c], x, y[c]);                \
  } while (0)
/* The K loop of an R x C block in C: the first group starts the sums, the others add to them. */
#define DP_XP_LOOP(LOAD_B)                                           \
  do {                                                               \
    DP_XP_GROUP(DP_XP_DOT0, LOAD_B);                                 \
    while (pa != end) DP_XP_GROUP(DP_XP_DOT, LOAD_B);                \
  } while (0)
/* B words of the NT layout (rows of bt at offsets c * k) and of the NN panels (four words per group). */
#define DP_XP_LOAD_NT(c, w)        \
  do {                             \
    if (c)                         \
      DP_XP_LW(w, pb, o[c]);       \
    else                           \
      DP_XP_LW_POST(w, pb, 4);     \
  } while (0)
#define DP_XP_LOAD_PANEL(c, w)     \
  do {                             \
    if (c)                         \
      DP_XP_LWI(w, pb, 4 * (c));   \
    else                           \
      DP_XP_LW_POST(w, pb, 16);    \
  } while (0)

/* ---- NT blocks ----
 * dp_xp_nt_strip: `blocks` blocks of R rows of A (at a, stride k) by C rows of bt (at b, stride k, block
 * after block: C * k apart), each block's R x C sums stored at acc (rows acc_stride apart, blocks C
 * apart). Per group of four K: C words of bt (one by post-increment, the others at register offsets
 * r * k from it), then per row one word of A and C dot products: R + C loads and R * C cv.sdotsp.b,
 * plus one branch. The last k % 4 terms (shift = 8 * (4 - k % 4), 0 without them) come from the word
 * ending at each row's end shifted right by `shift` (zeros in the lanes past k): needs k >= 4. */
DP_XP_INLINE void dp_xp_nt_strip(const uint8_t *a, const uint8_t *b, int32_t k, int32_t shift, uint32_t *acc,
                                 int32_t acc_stride, int32_t blocks, const int R, const int C, const int U) {
  int32_t o[8];
  int r, c;
  const int32_t body = k & ~(int32_t)3, back = shift >> 3;
  for (c = 0; c < 8; ++c) o[c] = c * k;
  do {
    uint32_t s[4][8];
    const uint8_t *pa = a, *pb = b;
    const uint8_t *const end = a + body;
    if (R == 4 && C == 4)
      DP_XP_LOOP4X4_U(U, DP_XP_LOAD_B_NT, s, pa, pb, o[1], o[2], o[3], end);
    else
      DP_XP_LOOP(DP_XP_LOAD_NT);
    if (shift) {
      uint32_t y[8], x;
      pa -= back, pb -= back;
      for (c = 0; c < C; ++c) DP_XP_LW_TAIL(y[c], pb, o, c, shift);
      for (r = 0; r < R; ++r) {
        DP_XP_LW_TAIL(x, pa, o, r, shift);
        for (c = 0; c < C; ++c) DP_XP_DOT(U, s[r][c], x, y[c]);
      }
    }
    for (r = 0; r < R; ++r)
      for (c = 0; c < C; ++c) acc[r * acc_stride + c] = s[r][c];
    b += C * k, acc += C;
  } while (--blocks);
}

#endif
