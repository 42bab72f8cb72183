/* int8 NN matrix-product tiles for CORE-V cores (Xpulp v2); see matmul_xpulp.h.
 *
 * cv.sdotsp.b wants four K of a column of B in one word, but b[k][n] holds a column's K values n bytes
 * apart: four rows of B (words of four adjacent columns) are transposed as 4x4 bytes (xpulp.h: byte pairs
 * by cv.shuffle2.b, halfword pairs by cv.pack / cv.pack.h, 10 instructions for 16 bytes; with masks and
 * shifts instead of cv.shuffle2.b it took 16, and the GEMV below 1.64 instructions per MAC).
 *  - Several rows of A: the tile's columns, four at a time, are transposed once per chunk of K into a
 *    panel on the stack (per group of four K, the four columns' words side by side: about 1.25
 *    instructions per byte of B), which 4x4 blocks read with immediate offsets and one post-increment per
 *    group (8 loads, 16 dot products per 64 MACs, as NT) for all the tile's rows (up to
 *    DP_XPULP_NN_TILE_ROWS, which share the transposition).
 *  - One row of A (m = 1: the decode step's attention against the value cache): nothing to share, so
 *    each group is transposed in registers right before its four dot products (4 loads of B, 10 of
 *    transposition, 1 load of A, 4 dot products and a branch per 16 MACs: 1.25).
 * Columns past the last multiple of four are gathered byte by byte into the panel (several rows) or summed
 * in C (one row); the last k % 4 terms use zero-padded panel words against A words shifted as in NT (the
 * tiles need k >= 4).
 *
 * Measured as in matmul_xpulp.c (instructions per MAC, generic clang / gcc in parentheses):
 *   MatMul NN int32:        64x64x64 0.50 (2.84, 3.04), 256^3 0.42 (2.78, 2.85), 1x256x256 1.27 (3.30, 3.34)
 *   RQMatMul NN uint8 A:    64x64x64 0.69 (3.16, 3.33), 256^3 0.55 (2.90, 2.94), 1x256x256 1.38 (3.40, 3.42)
 *   attention (RQMatMul NN, int8, per-tensor parameters; the epilogue dominates; the first two by
 *   matmul_xpulp.c's rows path): 16 x [1,4]x[4,33] 6.75 (9.94), 16 x [1,33]x[33,4] 3.25 (5.26),
 *   [16,4]x[4,4] 7.25 (11.74). */
#include "kernels/matmul.h"

#ifdef DP_XPULP
#include "kernels/xpulp.h"

/* K values per panel chunk (a multiple of four): the panel holds DP_XP_NN_KC words (four columns). */
#define DP_XP_NN_KC 256

/* The panel of columns b[.][0 .. cs-1] (cs <= 4) over rows 0 .. kc-1 of b (rows ldb apart): per group of four
 * rows four words, word c holding the group's bytes of column c (zero past kc and past cs). */
static void dp_xp_nn_pack(const uint8_t *b, int32_t ldb, int32_t kc, int32_t cs, uint32_t *panel) {
  const int32_t o1 = ldb, o2 = 2 * ldb, o3 = 3 * ldb, step = 4 * ldb, groups = kc >> 2, rest = kc & 3;
  const uint32_t sel_even = DP_XP_SEL_EVEN, sel_odd = DP_XP_SEL_ODD;
  int32_t g, t, c;
  if (cs == 4) {
    for (g = 0; g < groups; ++g, panel += 4) {
      uint32_t r0, r1, r2, r3, c0, c1, c2, c3;
      DP_XP_LW(r1, b, o1);
      DP_XP_LW(r2, b, o2);
      DP_XP_LW(r3, b, o3);
      DP_XP_LW_POSTR(r0, b, step);
      DP_XP_TRANSPOSE4(r0, r1, r2, r3, c0, c1, c2, c3, sel_even, sel_odd);
      panel[0] = c0, panel[1] = c1, panel[2] = c2, panel[3] = c3;
    }
  } else {
    for (g = 0; g < groups; ++g, panel += 4, b += step)
      for (c = 0; c < 4; ++c)
        panel[c] = c < cs ? (uint32_t)b[c] | (uint32_t)b[o1 + c] << 8 | (uint32_t)b[o2 + c] << 16 |
                                (uint32_t)b[o3 + c] << 24
                          : 0;
  }
  if (rest) {
    for (c = 0; c < 4; ++c) {
      uint32_t w = 0;
      if (c < cs)
        for (t = 0; t < rest; ++t) w |= (uint32_t)b[t * ldb + c] << (8 * t);
      panel[c] = w;
    }
  }
}

/* `blocks` blocks of R rows of A (at a, stride lda) against the panel's four columns over `groups` groups,
 * then with shift != 0 the tail group (the panel's next four words against A words shifted as in NT),
 * stored at acc (rows acc_stride apart; only the first cs columns unless FULL) or, with accumulate, added
 * to it; blocks are R rows apart. */
DP_XP_INLINE void dp_xp_nn_strip(const uint8_t *a, int32_t lda, const uint32_t *panel, int32_t groups, int32_t shift,
                                 uint32_t *acc, int32_t acc_stride, int32_t blocks, int32_t cs, int32_t accumulate,
                                 const int R, const int FULL, const int U) {
  const int C = 4;
  int32_t o[4];
  int r, c;
  const int32_t back = shift >> 3;
  for (r = 0; r < 4; ++r) o[r] = r * lda;
  do {
    uint32_t s[4][4];
    const uint8_t *pa = a;
    const uint8_t *pb = (const uint8_t *)panel;
    const uint8_t *const end = a + 4 * groups;
    if (groups) {
      if (R == 4)
        DP_XP_LOOP4X4_U(U, DP_XP_LOAD_B_PANEL, s, pa, pb, o[1], o[2], o[3], end);
      else
        DP_XP_LOOP(DP_XP_LOAD_PANEL);
    } else
      for (r = 0; r < R; ++r)
        for (c = 0; c < C; ++c) s[r][c] = 0;
    if (shift) {
      uint32_t y[4], x;
      pa -= back;
      DP_XP_LWI(y[0], pb, 0);
      DP_XP_LWI(y[1], pb, 4);
      DP_XP_LWI(y[2], pb, 8);
      DP_XP_LWI(y[3], pb, 12);
      for (r = 0; r < R; ++r) {
        DP_XP_LW_TAIL(x, pa, o, r, shift);
        for (c = 0; c < 4; ++c) DP_XP_DOT(U, s[r][c], x, y[c]);
      }
    }
    for (r = 0; r < R; ++r) {
      uint32_t *row = acc + r * acc_stride;
      for (c = 0; c < 4; ++c)
        if (FULL || c < cs) row[c] = accumulate ? row[c] + s[r][c] : s[r][c];
    }
    a += R * lda, acc += R * acc_stride;
  } while (--blocks);
}

/* One row of A against columns of b, four at a time, transposing each group of four rows of b in
 * registers; the last cols % 4 columns in C. */
DP_XP_INLINE void dp_xp_nn_row(const uint8_t *a, const uint8_t *b, int32_t ldb, int32_t cols, int32_t k,
                               uint32_t *acc, const int U) {
  const int32_t o1 = ldb, o2 = 2 * ldb, o3 = 3 * ldb, step = 4 * ldb, body = k & ~(int32_t)3, rest = k & 3;
  const int32_t shift = 8 * (4 - rest), cols4 = cols & ~(int32_t)3;
  const uint32_t sel_even = DP_XP_SEL_EVEN, sel_odd = DP_XP_SEL_ODD;
  int32_t j, t;
  for (j = 0; j < cols4; j += 4) {
    uint32_t s0 = 0, s1 = 0, s2 = 0, s3 = 0, r0, r1, r2, r3, c0, c1, c2, c3, x;
    const uint8_t *pa = a, *pb = b + j;
    const uint8_t *const end = a + body;
    do {
      DP_XP_LW(r1, pb, o1);
      DP_XP_LW(r2, pb, o2);
      DP_XP_LW(r3, pb, o3);
      DP_XP_LW_POSTR(r0, pb, step);
      DP_XP_TRANSPOSE4(r0, r1, r2, r3, c0, c1, c2, c3, sel_even, sel_odd);
      DP_XP_LW_POST(x, pa, 4);
      DP_XP_DOT(U, s0, x, c0);
      DP_XP_DOT(U, s1, x, c1);
      DP_XP_DOT(U, s2, x, c2);
      DP_XP_DOT(U, s3, x, c3);
    } while (pa != end);
    if (rest) {
      /* Rows past k are never read; the A word's lanes past k are zero, so their lanes may hold anything. */
      r1 = r2 = r3 = 0;
      DP_XP_LWI(r0, pb, 0);
      if (rest > 1) DP_XP_LW(r1, pb, o1);
      if (rest > 2) DP_XP_LW(r2, pb, o2);
      DP_XP_TRANSPOSE4(r0, r1, r2, r3, c0, c1, c2, c3, sel_even, sel_odd);
      DP_XP_LW(x, pa, rest - 4);
      x >>= shift;
      DP_XP_DOT(U, s0, x, c0);
      DP_XP_DOT(U, s1, x, c1);
      DP_XP_DOT(U, s2, x, c2);
      DP_XP_DOT(U, s3, x, c3);
    }
    acc[j] = s0, acc[j + 1] = s1, acc[j + 2] = s2, acc[j + 3] = s3;
  }
  for (; j < cols; ++j) {
    const uint8_t *pb = b + j;
    uint32_t s = 0;
    for (t = 0; t < k; ++t, pb += ldb)
      s += U ? (uint32_t)a[t] * (uint32_t)(int32_t)(int8_t)*pb
             : (uint32_t)((int32_t)(int8_t)a[t] * (int32_t)(int8_t)*pb);
    acc[j] = s;
  }
}

/* The strips of the panel (R rows, all four columns stored or the first cs) and the single row, out of
 * line. */
#define DP_XP_NN_STRIP(T, U, R, FULL, SUFFIX)                                                                     \
  static __attribute__((noinline)) void dp_xp_nn_##T##_##R##SUFFIX(                                               \
      const uint8_t *a, int32_t lda, const uint32_t *panel, int32_t groups, int32_t shift, uint32_t *acc,         \
      int32_t acc_stride, int32_t blocks, int32_t cs, int32_t accumulate) {                                       \
    dp_xp_nn_strip(a, lda, panel, groups, shift, acc, acc_stride, blocks, cs, accumulate, R, FULL, U);           \
  }
#define DP_XP_NN_STRIPS(T, U)                                                                                       \
  DP_XP_NN_STRIP(T, U, 4, 1, x4)                                                                                  \
  DP_XP_NN_STRIP(T, U, 3, 1, x4)                                                                                  \
  DP_XP_NN_STRIP(T, U, 2, 1, x4)                                                                                  \
  DP_XP_NN_STRIP(T, U, 1, 1, x4)                                                                                  \
  DP_XP_NN_STRIP(T, U, 4, 0, xc)                                                                                  \
  DP_XP_NN_STRIP(T, U, 3, 0, xc)                                                                                  \
  DP_XP_NN_STRIP(T, U, 2, 0, xc)                                                                                  \
  DP_XP_NN_STRIP(T, U, 1, 0, xc)                                                                                  \
  static __attribute__((noinline)) void dp_xp_nn_##T##_row(const uint8_t *a, const uint8_t *b, int32_t ldb,      \
                                                           int32_t cols, int32_t k, uint32_t *acc) {             \
    dp_xp_nn_row(a, b, ldb, cols, k, acc, U);                                                                     \
  }

/* All rows against one panel: four-row blocks, then the last one to three rows (their A at arest). */
#define DP_XP_NN_ROWS(T, SUFFIX)                                                                                \
  {                                                                                                             \
    const int32_t accumulate = t0 > 0;                                                                          \
    if (rows4)                                                                                                  \
      dp_xp_nn_##T##_4##SUFFIX(a + t0, k, panel, groups, shift, accj, acc_stride, rows4 >> 2, cs, accumulate);  \
    switch (rows & 3) {                                                                                         \
      case 3:                                                                                                   \
        dp_xp_nn_##T##_3##SUFFIX(arest + t0, k, panel, groups, shift, accrest, acc_stride, 1, cs, accumulate);  \
        break;                                                                                                  \
      case 2:                                                                                                   \
        dp_xp_nn_##T##_2##SUFFIX(arest + t0, k, panel, groups, shift, accrest, acc_stride, 1, cs, accumulate);  \
        break;                                                                                                  \
      case 1:                                                                                                   \
        dp_xp_nn_##T##_1##SUFFIX(arest + t0, k, panel, groups, shift, accrest, acc_stride, 1, cs, accumulate);  \
        break;                                                                                                  \
      default: break;                                                                                           \
    }                                                                                                           \
  }

/* The tile: a single row in registers; otherwise per four columns and chunk of K, the panel, then all
 * rows against it (later chunks add to the sums). */
#define DP_XP_DEFINE_NN_TILE(T, TA)                                                                               \
  void dp_xpulp_nn_tile_##T(const TA *a_in, const int8_t *b_in, int32_t ldb, int32_t rows, int32_t cols,          \
                            int32_t k, uint32_t *acc, int32_t acc_stride) {                                       \
    const uint8_t *const a = (const uint8_t *)(const void *)a_in, *const b = (const uint8_t *)(const void *)b_in; \
    const int32_t rows4 = rows & ~(int32_t)3;                                                                     \
    const uint8_t *const arest = a + rows4 * k;                                                                   \
    uint32_t panel[DP_XP_NN_KC];                                                                                  \
    int32_t j, t0;                                                                                                \
    if (rows <= 0 || cols <= 0) return;                                                                           \
    if (rows == 1) {                                                                                              \
      dp_xp_nn_##T##_row(a, b, ldb, cols, k, acc);                                                                \
      return;                                                                                                     \
    }                                                                                                             \
    for (j = 0; j < cols; j += 4) {                                                                               \
      const int32_t cs = cols - j < 4 ? cols - j : 4;                                                             \
      uint32_t *const accj = acc + j, *const accrest = acc + rows4 * acc_stride + j;                              \
      for (t0 = 0; t0 < k; t0 += DP_XP_NN_KC) {                                                                   \
        const int32_t kc = k - t0 < DP_XP_NN_KC ? k - t0 : DP_XP_NN_KC, groups = kc >> 2;                         \
        const int32_t shift = (kc & 3) ? 8 * (4 - (kc & 3)) : 0;                                                  \
        dp_xp_nn_pack(b + t0 * ldb + j, ldb, kc, cs, panel);                                                      \
        if (cs == 4)                                                                                              \
          DP_XP_NN_ROWS(T, x4)                                                                                    \
        else                                                                                                      \
          DP_XP_NN_ROWS(T, xc)                                                                                    \
      }                                                                                                           \
    }                                                                                                             \
  }

DP_XP_NN_STRIPS(s8, 0)
DP_XP_NN_STRIPS(u8, 1)
DP_XP_DEFINE_NN_TILE(s8, int8_t)
DP_XP_DEFINE_NN_TILE(u8, uint8_t)

#endif
