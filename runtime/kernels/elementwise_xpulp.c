/* Integer Add, Sub and Mul rows of bytes to int32 for CORE-V cores (Xpulp v2); see elementwise_xpulp.h.
 *
 * Four elements per iteration from one word of each operand (cv.lw, post-increment; rows need not be
 * aligned). With E_i the word with 1 in lane i and N_i (M_i) the one with -1 (0xFF) there, output i is
 *   a + b:  dot(a, E_i) + dot(b, E_i)      (cv.dotsp.b, then cv.sdotsp.b accumulating)
 *   a - b:  dot(a, E_i) + dot(b, N_i)      (unsigned b: cv.sdotusp.b, b unsigned against a signed mask)
 *   a * b:  dot(a & M_i, b)
 *   a OP s (s broadcast): lane i of a extracted (cv.extract.b / cv.extractu.b) OP s, or for a product
 *           dot(a, S_i) with S_i holding s in lane i (one instruction per output).
 * All are exact: sums, differences and products of two bytes fit the lanes' 32-bit sums. The last n % 4
 * elements are done one at a time.
 *
 * Instructions per element (QEMU with the CORE-V patch, -icount shift=0, minstret; the whole kernel call,
 * generic kernels built by the same clang-19 for the same -march with -DDP_GENERIC_KERNELS; printed by
 * tests/xpulp/xpulp_misc_check.c):
 *                                              generic   Xpulp
 *   Add, Sub, Mul, int8 rows of 256              5.33     4.41 (the loop: 3.75, 15 instructions per 4)
 *   Add, Sub with a broadcast operand, 256       5.33     4.17
 *   Mul with a broadcast operand, 256            5.33     3.22
 *   Add, a row of 64                             6.32     5.15
 *   Add, 2 rows of 33 and a broadcast row        7.01     7.34 (below DP_XPULP_BINARY_MIN: the generic
 *                                                               loop, slower by the hook's test)
 * On microLlama32's decode step (8 cores, untiled) the attention mask's Add (2 rows of 33 per core) took 90
 * more instructions per core than without the hook although the hook does not apply: the generated code
 * calls the kernel with constant shapes, clang inlines and specialises the generic loop, and the hook's
 * call raises the kernel's inlining cost past clang's threshold (225 against 145). */
#include "kernels/elementwise_xpulp.h"

#ifdef DP_XPULP_LANES

/* The four outputs of a group, OUT(lane, E, N, M) for lane 0..3 with that lane's masks. */
#define DP_XPL_GROUP(OUT)                                                  \
  y[0] = (int32_t)(OUT(0, 0x00000001u, 0x000000FFu, 0x000000FFu));       \
  y[1] = (int32_t)(OUT(1, 0x00000100u, 0x0000FF00u, 0x0000FF00u));       \
  y[2] = (int32_t)(OUT(2, 0x00010000u, 0x00FF0000u, 0x00FF0000u));       \
  y[3] = (int32_t)(OUT(3, 0x01000000u, 0xFF000000u, 0xFF000000u));       \
  y += 4;

/* Groups of four from words of a and b (LOAD_A, LOAD_B: 1 to read that operand's word), then the last
 * n % 4 elements by the scalar TAIL(i) over a and b (advanced past the groups). */
#define DP_XPL_BINARY_GROUP(LOAD_A, LOAD_B, OUT)                            \
  {                                                                        \
    uint32_t wa = 0, wb = 0;                                               \
    if (LOAD_A) DP_XP_LW_POST(wa, a, 4);                                   \
    if (LOAD_B) DP_XP_LW_POST(wb, b, 4);                                   \
    DP_XPL_GROUP(OUT)                                                      \
  }
/* Two groups per iteration (the loop's pointer step and branch shared by eight elements). */
#define DP_XPL_BINARY_LOOP(LOAD_A, LOAD_B, OUT, TAIL)                       \
  do {                                                                     \
    int32_t pairs = n >> 3, i;                                             \
    for (; pairs > 0; --pairs) {                                           \
      DP_XPL_BINARY_GROUP(LOAD_A, LOAD_B, OUT)                             \
      DP_XPL_BINARY_GROUP(LOAD_A, LOAD_B, OUT)                             \
    }                                                                      \
    if (n & 4) DP_XPL_BINARY_GROUP(LOAD_A, LOAD_B, OUT)                    \
    for (i = 0; i < (n & 3); ++i) y[i] = TAIL(i);                          \
  } while (0)

/* Lane masks are constants: clang keeps the ones a loop uses in registers. */
#define DP_XPL_MASK(x) ((uint32_t)(x))

/* ---- int8 ---- */
#define ADD_S8(l, E, N, M) dp_xpl_sdotsp(dp_xpl_dotsp(wa, DP_XPL_MASK(E)), wb, DP_XPL_MASK(E))
#define SUB_S8(l, E, N, M) dp_xpl_sdotsp(dp_xpl_dotsp(wa, DP_XPL_MASK(E)), wb, DP_XPL_MASK(N))
#define MUL_S8(l, E, N, M) dp_xpl_dotsp(wa & DP_XPL_MASK(M), wb)
#define ADD_S8_BS(l, E, N, M) (DP_XPL_LANE_S8(wa, l) + s)
#define SUB_S8_BS(l, E, N, M) (DP_XPL_LANE_S8(wa, l) - s)
#define SUB_S8_AS(l, E, N, M) (s - DP_XPL_LANE_S8(wb, l))
#define ADD_S8_AS(l, E, N, M) (DP_XPL_LANE_S8(wb, l) + s)
#define MUL_S8_BS(l, E, N, M) dp_xpl_dotsp(wa, sw & DP_XPL_MASK(M))
#define MUL_S8_AS(l, E, N, M) dp_xpl_dotsp(wb, sw & DP_XPL_MASK(M))

/* Lane l of w, sign- or zero-extended (a statement expression is not C99: a helper per lane). */
#define DP_XPL_DEFINE_LANE(name, insn)                                          \
  DP_XP_INLINE int32_t name##0(uint32_t w) { int32_t r; insn(r, w, 0); return r; } \
  DP_XP_INLINE int32_t name##1(uint32_t w) { int32_t r; insn(r, w, 1); return r; } \
  DP_XP_INLINE int32_t name##2(uint32_t w) { int32_t r; insn(r, w, 2); return r; } \
  DP_XP_INLINE int32_t name##3(uint32_t w) { int32_t r; insn(r, w, 3); return r; }
DP_XPL_DEFINE_LANE(dp_xpl_lane_s8_, DP_XPL_EXTRACT_B)
DP_XPL_DEFINE_LANE(dp_xpl_lane_u8_, DP_XPL_EXTRACTU_B)
#define DP_XPL_LANE_S8(w, l) dp_xpl_lane_s8_##l(w)
#define DP_XPL_LANE_U8(w, l) dp_xpl_lane_u8_##l(w)

#define TAIL_ADD(i) ((int32_t)a[i] + (int32_t)b[i])
#define TAIL_SUB(i) ((int32_t)a[i] - (int32_t)b[i])
#define TAIL_MUL(i) ((int32_t)a[i] * (int32_t)b[i])
#define TAIL_ADD_BS(i) ((int32_t)a[i] + s)
#define TAIL_SUB_BS(i) ((int32_t)a[i] - s)
#define TAIL_MUL_BS(i) ((int32_t)a[i] * s)
#define TAIL_ADD_AS(i) (s + (int32_t)b[i])
#define TAIL_SUB_AS(i) (s - (int32_t)b[i])
#define TAIL_MUL_AS(i) (s * (int32_t)b[i])

/* One row function per operation and type: rows, or one operand broadcast (s its value, sw its byte in
 * every lane). */
#define DP_XPL_BINARY_FN(name, TX, OP, T)                                                              \
  DP_XP_INLINE void name(const TX *a, const TX *b, int32_t mode, int32_t *y, int32_t n) {                         \
    int32_t s;                                                                                        \
    uint32_t sw;                                                                                      \
    if (mode == DP_XPULP_ROWS) {                                                                      \
      DP_XPL_BINARY_LOOP(1, 1, OP##_##T, TAIL_##OP);                                                  \
      return;                                                                                         \
    }                                                                                                 \
    s = mode == DP_XPULP_B_SCALAR ? (int32_t)b[0] : (int32_t)a[0];                                    \
    sw = ((uint32_t)s & 0xFFu) * 0x01010101u;                                                         \
    (void)sw;                                                                                         \
    if (mode == DP_XPULP_B_SCALAR)                                                                    \
      DP_XPL_BINARY_LOOP(1, 0, OP##_##T##_BS, TAIL_##OP##_BS);                                        \
    else                                                                                              \
      DP_XPL_BINARY_LOOP(0, 1, OP##_##T##_AS, TAIL_##OP##_AS);                                        \
  }

DP_XPL_BINARY_FN(dp_xpulp_add_s8_s32, int8_t, ADD, S8)
DP_XPL_BINARY_FN(dp_xpulp_sub_s8_s32, int8_t, SUB, S8)
DP_XPL_BINARY_FN(dp_xpulp_mul_s8_s32, int8_t, MUL, S8)

/* ---- uint8: the same with unsigned lanes ---- */
#define ADD_U8(l, E, N, M) dp_xpl_sdotup(dp_xpl_dotup(wa, DP_XPL_MASK(E)), wb, DP_XPL_MASK(E))
#define SUB_U8(l, E, N, M) dp_xpl_sdotusp(dp_xpl_dotup(wa, DP_XPL_MASK(E)), wb, DP_XPL_MASK(N))
#define MUL_U8(l, E, N, M) dp_xpl_dotup(wa & DP_XPL_MASK(M), wb)
#define ADD_U8_BS(l, E, N, M) (DP_XPL_LANE_U8(wa, l) + s)
#define SUB_U8_BS(l, E, N, M) (DP_XPL_LANE_U8(wa, l) - s)
#define SUB_U8_AS(l, E, N, M) (s - DP_XPL_LANE_U8(wb, l))
#define ADD_U8_AS(l, E, N, M) (DP_XPL_LANE_U8(wb, l) + s)
#define MUL_U8_BS(l, E, N, M) dp_xpl_dotup(wa, sw & DP_XPL_MASK(M))
#define MUL_U8_AS(l, E, N, M) dp_xpl_dotup(wb, sw & DP_XPL_MASK(M))

DP_XPL_BINARY_FN(dp_xpulp_add_u8_s32, uint8_t, ADD, U8)
DP_XPL_BINARY_FN(dp_xpulp_sub_u8_s32, uint8_t, SUB, U8)
DP_XPL_BINARY_FN(dp_xpulp_mul_u8_s32, uint8_t, MUL, U8)

/* The rows of a call: the generic kernel's walk over the outer dimensions (elementwise.h), each row by
 * ROW (one loop per operation, the row functions inlined). */
#define DP_XPL_BINARY_ROWS(ROW)                                                                       \
  do {                                                                                                \
    if (ndim == 1) {                                                                                  \
      ROW(a, b, mode, y, inner);                                                                      \
      return 1;                                                                                       \
    }                                                                                                 \
    for (d = 0; d < ndim - 1; ++d) outer *= shape[d], index[d] = 0;                                   \
    for (o = 0; o < outer; ++o, y += inner) {                                                         \
      ROW(a + ao, b + bo, mode, y, inner);                                                            \
      DP_NEXT_ROW2(ndim, shape, index, ao, a_strides, bo, b_strides);                                 \
    }                                                                                                 \
  } while (0)
#define DP_XPL_BINARY_CALL(TX, T)                                                                     \
  int32_t dp_xpulp_binary_##T##_s32(DP_XPULP_BINARY_PARAMS(TX)) {                                     \
    const int32_t inner = shape[ndim - 1], as = a_strides[ndim - 1], bs = b_strides[ndim - 1];        \
    const int32_t mode = as == 0 ? DP_XPULP_A_SCALAR : bs == 0 ? DP_XPULP_B_SCALAR : DP_XPULP_ROWS;   \
    int32_t index[DP_MAX_DIMS], outer = 1, d, o, ao = 0, bo = 0;                                      \
    if (inner < DP_XPULP_BINARY_MIN || !((as == 1 && (uint32_t)bs <= 1u) || (as == 0 && bs == 1))) return 0; \
    if (kind == DP_ARM_OP_ADD)                                                                        \
      DP_XPL_BINARY_ROWS(dp_xpulp_add_##T##_s32);                                                     \
    else if (kind == DP_ARM_OP_SUB)                                                                   \
      DP_XPL_BINARY_ROWS(dp_xpulp_sub_##T##_s32);                                                     \
    else                                                                                              \
      DP_XPL_BINARY_ROWS(dp_xpulp_mul_##T##_s32);                                                     \
    return 1;                                                                                         \
  }
DP_XPL_BINARY_CALL(int8_t, s8)
DP_XPL_BINARY_CALL(uint8_t, u8)

#endif
