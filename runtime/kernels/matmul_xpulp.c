/* int8 NT matrix-product tiles and the tile requantization for CORE-V cores (Xpulp v2); see
 * matmul_xpulp.h.
 *
 * cv.sdotsp.b (cv.sdotusp.b for uint8 A) adds the four products of two words of bytes to a 32-bit
 * register. Rows of A and of bt (both k bytes apart) are read a word (four K) at a time, one row by a
 * post-increment load and the others at register offsets r * k from it (xcvmem), which costs one load
 * per word and no pointer arithmetic. Blocks of 4 rows by 4 columns keep 16 accumulators: per four K,
 * 8 loads, 16 dot products (64 MACs) and a branch, 25 instructions, 0.39 per MAC; 27 registers, so the
 * loop is one assembly statement (xpulp.h; clang's own allocation added two moves per group). A single
 * row (the GEMV of m = 1, leftover rows, Conv's im2col column) goes against 8 columns at a time (9 loads,
 * 8 dot products and a branch per 32 MACs: 0.56). Leftover rows and columns use blocks of their own size
 * (3x4, 2x4, 4x1..4x3, 1x4..1x1); the first group of a block starts its sums with cv.dotsp.b (no zeroing);
 * the k % 4 last terms are the word ending at each row's end shifted right (xpulp.h), so tiles need
 * k >= 4 (the hooks leave smaller k to the generic code).
 *
 * Requantized 8-bit outputs (dp_xpulp_requantize_tile): per output a load of the accumulator (and of
 * mul and add when they are per column), cv.mac, the shift, one cv.clipr / cv.clipur (two cv.max / cv.min
 * for other ranges) and a byte store: 7 to 8 instructions; the check that every parameter is bounded
 * (dp_xpulp_requantize_all_bounded) costs 7 per parameter and call.
 *
 * Measured on one hart (deeploy's QEMU with the CORE-V patch, -icount shift=0, minstret around the call,
 * tests/xpulp; int8 operands, per-column requantization), instructions per MAC, against the generic
 * kernels built by the same clang (and by gcc for --target rv32: matmul.h's figures):
 *   Gemm NT int32:      64x64x64 0.46 (clang 3.62, gcc 3.00), 256^3 0.41 (3.49, 2.76),
 *                       GEMV 1x256x256 0.58 (3.44, 3.28)
 *   RQMatMul NT int8:   64x64x64 0.61 (3.95, 3.22), 256^3 0.44 (3.65, 2.81), 1x256x256 0.63 (3.46, 3.34)
 *   decode RQMatMul NT (m = 1, dp_xpulp_rqmatmul_rows_nt_*): 1x64x64 0.85 (3.86), 1x256x64 0.82 (3.79),
 *   1x64x256 0.64 (3.48); these test every output's parameters (rq_strides[3] = 0), the compiler's calls
 *   skip that (bench/siracusa_table: 1x256x256 0.61)
 *   RQConv 3x3, 16 to 16 channels of 32 x 32, im2col rows: 1.52 (4.49); most of it is now the im2col copy
 *   (generic code) and the per-pixel epilogue. */
#include "kernels/matmul.h"

#ifdef DP_XPULP
#include "kernels/xpulp.h"

/* The strips of one block shape (R rows, C columns) for A signed (U = 0) or unsigned (U = 1), out of
 * line: the tiles call them once per row block (and once per leftover column block). */
#define DP_XP_NT_STRIP(T, U, R, C)                                                                             \
  static __attribute__((noinline)) void dp_xp_nt_##T##_##R##x##C(const uint8_t *a, const uint8_t *b, int32_t k, \
                                                                 int32_t shift, uint32_t *acc, int32_t stride,  \
                                                                 int32_t blocks) {                              \
    dp_xp_nt_strip(a, b, k, shift, acc, stride, blocks, R, C, U);                                              \
  }
#define DP_XP_NT_STRIPS(T, U)                                                                                   \
  DP_XP_NT_STRIP(T, U, 4, 4)                                                                                   \
  DP_XP_NT_STRIP(T, U, 4, 3)                                                                                   \
  DP_XP_NT_STRIP(T, U, 4, 2)                                                                                   \
  DP_XP_NT_STRIP(T, U, 4, 1)                                                                                   \
  DP_XP_NT_STRIP(T, U, 3, 4)                                                                                   \
  DP_XP_NT_STRIP(T, U, 2, 4)                                                                                   \
  DP_XP_NT_STRIP(T, U, 1, 8)                                                                                   \
  DP_XP_NT_STRIP(T, U, 1, 4)                                                                                   \
  DP_XP_NT_STRIP(T, U, 1, 3)                                                                                   \
  DP_XP_NT_STRIP(T, U, 1, 2)                                                                                   \
  DP_XP_NT_STRIP(T, U, 1, 1)

/* Columns j0 .. cols-1 (fewer than 4 or 8) of one row against row i of A. */
#define DP_XP_NT_ROW_REST(T, arow, j0, accrow)                                                                \
  switch (cols - (j0)) {                                                                                      \
    case 7:                                                                                                   \
      dp_xp_nt_##T##_1x4(arow, b + (j0)*k, k, shift, (accrow) + (j0), acc_stride, 1);                         \
      dp_xp_nt_##T##_1x3(arow, b + ((j0) + 4) * k, k, shift, (accrow) + (j0) + 4, acc_stride, 1);             \
      break;                                                                                                  \
    case 6:                                                                                                   \
      dp_xp_nt_##T##_1x4(arow, b + (j0)*k, k, shift, (accrow) + (j0), acc_stride, 1);                         \
      dp_xp_nt_##T##_1x2(arow, b + ((j0) + 4) * k, k, shift, (accrow) + (j0) + 4, acc_stride, 1);             \
      break;                                                                                                  \
    case 5:                                                                                                   \
      dp_xp_nt_##T##_1x4(arow, b + (j0)*k, k, shift, (accrow) + (j0), acc_stride, 1);                         \
      dp_xp_nt_##T##_1x1(arow, b + ((j0) + 4) * k, k, shift, (accrow) + (j0) + 4, acc_stride, 1);             \
      break;                                                                                                  \
    case 4: dp_xp_nt_##T##_1x4(arow, b + (j0)*k, k, shift, (accrow) + (j0), acc_stride, 1); break;            \
    case 3: dp_xp_nt_##T##_1x3(arow, b + (j0)*k, k, shift, (accrow) + (j0), acc_stride, 1); break;            \
    case 2: dp_xp_nt_##T##_1x2(arow, b + (j0)*k, k, shift, (accrow) + (j0), acc_stride, 1); break;            \
    case 1: dp_xp_nt_##T##_1x1(arow, b + (j0)*k, k, shift, (accrow) + (j0), acc_stride, 1); break;            \
    default: break;                                                                                           \
  }

/* The tile: blocks of four rows (4x4, then 4x3, 4x2 or 4x1 for the last columns), then the last rows:
 * three or two as 3x4 or 2x4 blocks and their last columns row by row, a single one as 1x8 blocks. */
#define DP_XP_DEFINE_NT_TILE(T, TA)                                                                             \
  void dp_xpulp_nt_tile_##T(const TA *a_in, const int8_t *bt, int32_t rows, int32_t cols, int32_t k,            \
                            uint32_t *acc, int32_t acc_stride) {                                               \
    const uint8_t *const a = (const uint8_t *)(const void *)a_in, *const b = (const uint8_t *)(const void *)bt; \
    const int32_t shift = (k & 3) ? 8 * (4 - (k & 3)) : 0, cols4 = cols & ~(int32_t)3;                          \
    const int32_t rows4 = rows & ~(int32_t)3, rest = rows - rows4;                                              \
    int32_t i;                                                                                                  \
    if (rows <= 0 || cols <= 0) return;                                                                         \
    for (i = 0; i < rows4; i += 4) {                                                                            \
      const uint8_t *arow = a + i * k;                                                                          \
      uint32_t *accrow = acc + i * acc_stride;                                                                  \
      if (cols4) dp_xp_nt_##T##_4x4(arow, b, k, shift, accrow, acc_stride, cols4 >> 2);                         \
      switch (cols & 3) {                                                                                       \
        case 3: dp_xp_nt_##T##_4x3(arow, b + cols4 * k, k, shift, accrow + cols4, acc_stride, 1); break;        \
        case 2: dp_xp_nt_##T##_4x2(arow, b + cols4 * k, k, shift, accrow + cols4, acc_stride, 1); break;        \
        case 1: dp_xp_nt_##T##_4x1(arow, b + cols4 * k, k, shift, accrow + cols4, acc_stride, 1); break;        \
        default: break;                                                                                         \
      }                                                                                                         \
    }                                                                                                           \
    if (rest >= 2) {                                                                                            \
      const uint8_t *arow = a + rows4 * k;                                                                      \
      uint32_t *accrow = acc + rows4 * acc_stride;                                                              \
      if (cols4) {                                                                                              \
        if (rest == 3)                                                                                          \
          dp_xp_nt_##T##_3x4(arow, b, k, shift, accrow, acc_stride, cols4 >> 2);                                \
        else                                                                                                    \
          dp_xp_nt_##T##_2x4(arow, b, k, shift, accrow, acc_stride, cols4 >> 2);                                \
      }                                                                                                         \
      for (i = 0; i < rest; ++i, arow += k, accrow += acc_stride) DP_XP_NT_ROW_REST(T, arow, cols4, accrow)     \
    } else if (rest == 1) {                                                                                     \
      const uint8_t *arow = a + rows4 * k;                                                                      \
      uint32_t *accrow = acc + rows4 * acc_stride;                                                              \
      const int32_t cols8 = cols & ~(int32_t)7;                                                                 \
      if (cols8) dp_xp_nt_##T##_1x8(arow, b, k, shift, accrow, acc_stride, cols8 >> 3);                         \
      DP_XP_NT_ROW_REST(T, arow, cols8, accrow)                                                                 \
    }                                                                                                           \
  }

DP_XP_NT_STRIPS(s8, 0)
DP_XP_NT_STRIPS(u8, 1)
DP_XP_DEFINE_NT_TILE(s8, int8_t)
DP_XP_DEFINE_NT_TILE(u8, uint8_t)

/* ---- Requantization of a tile to bytes ----
 * One row: v = acc * mul + add in 32 bits (bounded: no overflow), the arithmetic shift, the clamp, a
 * byte store; mul and add per column (RQ_C = 1) or the row's (RQ_C = 0). The clamp is one cv.clipr when
 * lo = -hi - 1 (CLAMP = 1: [-(hi + 1), hi], int8's [-128, 127]), one cv.clipur when lo = 0 (CLAMP = 2:
 * [0, hi], uint8's [0, 255] and ReLU-fused ranges), else cv.max and cv.min. */
DP_XP_INLINE void dp_xp_requantize_row(const uint32_t *acc, int32_t cols, uint8_t *y, const int32_t *mul,
                                       const int32_t *add, int32_t shift, int32_t lo, int32_t hi, const int RQ_C,
                                       const int CLAMP) {
  const int32_t m0 = mul[0], d0 = add[0];
  int32_t c;
  for (c = 0; c < cols; ++c) {
    const int32_t v = dp_xp_mac(RQ_C ? add[c] : d0, dp_acc_to_s32(acc[c]), RQ_C ? mul[c] : m0);
    const int32_t f = v >= 0 ? v >> shift : ~(~v >> shift);
    y[c] = (uint8_t)(CLAMP == 1 ? dp_xp_clipr(f, hi) : CLAMP == 2 ? dp_xp_clipur(f, hi) : dp_xp_clamp(f, lo, hi));
  }
}
#define DP_XP_REQUANTIZE_ROWS(RQ_C, CLAMP)                                                                  \
  for (r = 0; r < rows; ++r)                                                                                \
    dp_xp_requantize_row(acc + r * acc_stride, cols, y + r * y_stride, mul + r * rq_r, add + r * rq_r, shift_32, \
                         lo, hi, RQ_C, CLAMP);

int dp_xpulp_requantize_all_bounded(const int32_t *mul, const int32_t *add, int32_t count, uint32_t mul_limit) {
  uint32_t mul_max = 0, add_max = 0;
  int32_t i;
  for (i = 0; i < count; ++i) {
    const uint32_t m = mul[i] < 0 ? 0u - (uint32_t)mul[i] : (uint32_t)mul[i];
    const uint32_t d = add[i] < 0 ? 0u - (uint32_t)add[i] : (uint32_t)add[i];
    mul_max = m > mul_max ? m : mul_max;
    add_max = d > add_max ? d : add_max;
  }
  return mul_max <= mul_limit && add_max <= 0x3FFFFFFFu;
}

void dp_xpulp_requantize_tile(const uint32_t *acc, int32_t acc_stride, int32_t rows, int32_t cols, uint8_t *y,
                              int32_t y_stride, const int32_t *mul, const int32_t *add, int32_t rq_r, int32_t rq_c,
                              int32_t shift_32, int32_t lo, int32_t hi) {
  const int clamp = lo == -hi - 1 ? 1 : lo == 0 ? 2 : 0;
  int32_t r;
  if (rq_c) {
    if (clamp == 1)
      DP_XP_REQUANTIZE_ROWS(1, 1)
    else if (clamp == 2)
      DP_XP_REQUANTIZE_ROWS(1, 2)
    else
      DP_XP_REQUANTIZE_ROWS(1, 0)
  } else {
    if (clamp == 1)
      DP_XP_REQUANTIZE_ROWS(0, 1)
    else if (clamp == 2)
      DP_XP_REQUANTIZE_ROWS(0, 2)
    else
      DP_XP_REQUANTIZE_ROWS(0, 0)
  }
}

/* ---- Requantized products row by row (dp_xpulp_rqmatmul_rows_*, matmul_xpulp.h) ----
 * No scan of the parameters and no tile functions: per row of A and run of DP_XP_ROW_COLS columns the
 * row's sums, then each output requantized; a call costs a few dozen instructions besides its products. */
#define DP_XP_ROW_COLS 128

/* One row of A against columns 0 .. cols-1 of bt: blocks of eight columns, then the last ones. */
#define DP_XP_DEFINE_NT_ROW(T)                                                                                 \
  DP_XP_INLINE void dp_xp_nt_row_##T(const uint8_t *arow, const uint8_t *b, int32_t cols, int32_t k, uint32_t *acc) { \
    const int32_t shift = (k & 3) ? 8 * (4 - (k & 3)) : 0, cols8 = cols & ~(int32_t)7, acc_stride = 0;          \
    if (cols8) dp_xp_nt_##T##_1x8(arow, b, k, shift, acc, acc_stride, cols8 >> 3);                               \
    DP_XP_NT_ROW_REST(T, arow, cols8, acc)                                                                      \
  }
DP_XP_DEFINE_NT_ROW(s8)
DP_XP_DEFINE_NT_ROW(u8)

/* y[c] = dp_requantize(acc[c], mul, add, shift, lo, hi) for c < cols, mul and add per column (rq_c = 1) or
 * shared: in 32 bits where they are bounded (the same value; all of them when `bounded`, rq_strides[3]:
 * the compiler tested every mul and add), clamped as dp_xp_requantize_row's CLAMP says. */
DP_XP_INLINE void dp_xp_requantize_checked(const uint32_t *acc, int32_t cols, uint8_t *y, const int32_t *mul,
                                           const int32_t *add, int32_t rq_c, int32_t bounded, uint32_t limit,
                                           int32_t shift, int32_t lo, int32_t hi, const int CLAMP) {
  const int32_t shift_32 = shift < 31 ? shift : 31;
  int32_t c;
  if (bounded || (!rq_c && dp_requantize_is_bounded(mul[0], add[0], limit))) {
    if (rq_c)
      dp_xp_requantize_row(acc, cols, y, mul, add, shift_32, lo, hi, 1, CLAMP);
    else
      dp_xp_requantize_row(acc, cols, y, mul, add, shift_32, lo, hi, 0, CLAMP);
    return;
  }
  for (c = 0; c < cols; ++c) {
    const int32_t mc = mul[c * rq_c], dc = add[c * rq_c], v = dp_acc_to_s32(acc[c]);
    if (dp_requantize_is_bounded(mc, dc, limit)) {
      const int32_t w = dp_xp_mac(dc, v, mc), f = w >= 0 ? w >> shift_32 : ~(~w >> shift_32);
      y[c] = (uint8_t)(CLAMP == 1 ? dp_xp_clipr(f, hi) : CLAMP == 2 ? dp_xp_clipur(f, hi) : dp_xp_clamp(f, lo, hi));
    } else {
      y[c] = (uint8_t)dp_requantize(v, mc, dc, shift, lo, hi);
    }
  }
}
static void dp_xp_requantize_run(const uint32_t *acc, int32_t cols, uint8_t *y, const int32_t *mul, const int32_t *add,
                                 int32_t rq_c, int32_t bounded, uint32_t limit, int32_t shift, int32_t lo, int32_t hi) {
  if (lo == -hi - 1)
    dp_xp_requantize_checked(acc, cols, y, mul, add, rq_c, bounded, limit, shift, lo, hi, 1);
  else if (lo == 0)
    dp_xp_requantize_checked(acc, cols, y, mul, add, rq_c, bounded, limit, shift, lo, hi, 2);
  else
    dp_xp_requantize_checked(acc, cols, y, mul, add, rq_c, bounded, limit, shift, lo, hi, 0);
}

/* Per batch, row of A and run of DP_XP_ROW_COLS columns: the sums, then their outputs. */
DP_XP_INLINE void dp_xp_rq_rows(const uint8_t *a, const int8_t *b, uint8_t *y, int32_t batch, int32_t m, int32_t n,
                                int32_t k, const int32_t *a_offsets, const int32_t *b_offsets, const int32_t *mul,
                                const int32_t *add, const int32_t *rq_strides, int32_t shift, int32_t lo, int32_t hi,
                                const int NN, const int U) {
  const int32_t rq_b = rq_strides[0], rq_r = rq_strides[1], rq_c = rq_strides[2];
  const uint32_t limit = dp_requantize_mul_limit(k, U ? 255u : 128u, 128u);
  uint32_t acc[DP_XP_ROW_COLS];
  int32_t bi, i, j0;
  for (bi = 0; bi < batch; ++bi) {
    const uint8_t *arow = a + a_offsets[bi];
    const uint8_t *const bmat = (const uint8_t *)(const void *)(b + b_offsets[bi]);
    for (i = 0; i < m; ++i, arow += k, y += n) {
      for (j0 = 0; j0 < n; j0 += DP_XP_ROW_COLS) {
        const int32_t cols = n - j0 < DP_XP_ROW_COLS ? n - j0 : DP_XP_ROW_COLS;
        const int32_t rq_at = bi * rq_b + i * rq_r + j0 * rq_c;
        if (NN && U)
          dp_xpulp_nn_tile_u8(arow, (const int8_t *)(const void *)(bmat + j0), n, 1, cols, k, acc, cols);
        else if (NN)
          dp_xpulp_nn_tile_s8((const int8_t *)(const void *)arow, (const int8_t *)(const void *)(bmat + j0), n, 1,
                              cols, k, acc, cols);
        else if (U)
          dp_xp_nt_row_u8(arow, bmat + j0 * k, cols, k, acc);
        else
          dp_xp_nt_row_s8(arow, bmat + j0 * k, cols, k, acc);
        dp_xp_requantize_run(acc, cols, y + j0, mul + rq_at, add + rq_at, rq_c, rq_strides[3], limit, shift, lo, hi);
      }
    }
  }
}

/* The commonest calls, one run of one row per batch (a core's share of a GEMV, attention heads): no loops
 * around the sums but the batch's (clang keeps the loops' state of dp_xp_rq_rows on the stack, over a
 * hundred instructions per call). */
DP_XP_INLINE void dp_xp_rq_run(const uint8_t *arow, const uint8_t *bmat, uint8_t *y, int32_t n, int32_t k,
                               const int32_t *mul, const int32_t *add, int32_t rq_c, int32_t bounded, int32_t shift,
                               int32_t lo, int32_t hi, const int NN, const int U) {
  uint32_t acc[DP_XP_ROW_COLS];
  if (NN && U)
    dp_xpulp_nn_tile_u8(arow, (const int8_t *)(const void *)bmat, n, 1, n, k, acc, n);
  else if (NN)
    dp_xpulp_nn_tile_s8((const int8_t *)(const void *)arow, (const int8_t *)(const void *)bmat, n, 1, n, k, acc, n);
  else if (U)
    dp_xp_nt_row_u8(arow, bmat, n, k, acc);
  else
    dp_xp_nt_row_s8(arow, bmat, n, k, acc);
  dp_xp_requantize_run(acc, n, y, mul, add, rq_c, bounded, dp_requantize_mul_limit(k, U ? 255u : 128u, 128u), shift, lo,
                       hi);
}

#define DP_XP_DEFINE_RQMATMUL_ROWS(LAYOUT, T, TA, NN, U)                                                          \
  static __attribute__((noinline)) void dp_xp_rq_rows_##LAYOUT##_##T(DP_XPULP_RQMATMUL_PARAMS(TA)) {             \
    dp_xp_rq_rows((const uint8_t *)(const void *)a, b, y, batch, m, n, k, a_offsets, b_offsets, mul, add,         \
                  rq_strides, shift, lo, hi, NN, U);                                                              \
  }                                                                                                               \
  static __attribute__((noinline)) void dp_xp_rq_heads_##LAYOUT##_##T(                                            \
      const TA *a, const int8_t *b, uint8_t *y, int32_t batch, int32_t n, int32_t k, const int32_t *a_offsets,    \
      const int32_t *b_offsets, const int32_t *mul, const int32_t *add, const int32_t *rq_strides, int32_t shift,  \
      int32_t lo, int32_t hi) {                                                                                   \
    int32_t bi;                                                                                                   \
    for (bi = 0; bi < batch; ++bi)                                                                                \
      dp_xp_rq_run((const uint8_t *)(const void *)(a + a_offsets[bi]),                                            \
                   (const uint8_t *)(const void *)(b + b_offsets[bi]), y + bi * n, n, k, mul + bi * rq_strides[0], \
                   add + bi * rq_strides[0], rq_strides[2], rq_strides[3], shift, lo, hi, NN, U);                 \
  }                                                                                                               \
  void dp_xpulp_rqmatmul_rows_##LAYOUT##_##T(DP_XPULP_RQMATMUL_PARAMS(TA)) {                                      \
    if (batch == 1 && m == 1 && n <= DP_XP_ROW_COLS)                                                              \
      dp_xp_rq_run((const uint8_t *)(const void *)(a + a_offsets[0]), (const uint8_t *)(const void *)(b + b_offsets[0]), \
                   y, n, k, mul, add, rq_strides[2], rq_strides[3], shift, lo, hi, NN, U);                        \
    else if (m == 1 && n <= DP_XP_ROW_COLS)                                                                       \
      dp_xp_rq_heads_##LAYOUT##_##T(a, b, y, batch, n, k, a_offsets, b_offsets, mul, add, rq_strides, shift, lo, hi); \
    else                                                                                                          \
      dp_xp_rq_rows_##LAYOUT##_##T(a, b, y, batch, m, n, k, a_offsets, b_offsets, mul, add, rq_strides, shift, lo, \
                                   hi);                                                                           \
  }
DP_XP_DEFINE_RQMATMUL_ROWS(nt, s8, int8_t, 0, 0)
DP_XP_DEFINE_RQMATMUL_ROWS(nt, u8, uint8_t, 0, 1)
DP_XP_DEFINE_RQMATMUL_ROWS(nn, s8, int8_t, 1, 0)
DP_XP_DEFINE_RQMATMUL_ROWS(nn, u8, uint8_t, 1, 1)

#endif
