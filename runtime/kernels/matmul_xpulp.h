/* CORE-V kernels (Xpulp v2: the CV32E40P v2 encodings of xcvsimd, xcvmem, xcvalu, xcvmac; the cores of a
 * PULP cluster such as Siracusa's) for the int8 products, chosen at compile time when clang targets them
 * (__riscv_xcvsimd and __riscv_xcvmem) unless -DDP_GENERIC_KERNELS:
 *   NT layout (B given transposed as bt[n][k]: Gemm, MatMul and their requantized forms with constant
 *   weights, attention's Q K^T over a key cache, Conv's im2col columns): matmul_xpulp.c;
 *   NN layout (B given as b[k][n], a run-time operand): matmul_nn_xpulp.c.
 * Both compute tiles of 32-bit accumulators with cv.sdotsp.b / cv.sdotusp.b (four byte products added
 * to a register: wrapping, exactly the generic kernels' sums), so, as for the Arm kernels of
 * matmul_arm.h, everything after the sum stays the generic epilogue of matmul.h, gemm.h and conv.h
 * applied to the tile, with the same two shortcuts: int32 products are written straight into y, and
 * requantization to 8-bit outputs runs dp_xpulp_requantize_tile (clamped by cv.clipr / cv.clipur where
 * the range allows) when every mul/add of the call satisfies dp_requantize_is_bounded (its 32-bit path
 * gives the generic result exactly). The hooks apply when A is int8 or uint8, B int8, the accumulator
 * uint32_t and k >= 4 (the tiles read the last k % 4 terms from the word ending at a row's end); other
 * types and shapes keep the generic kernels. kernels/simd_hooks.h maps the generic kernels' DP_SIMD_*
 * hooks to the DP_XPULP_* ones below.
 *
 * Instructions per MAC on one hart (QEMU with the CORE-V patch, -icount shift=0, minstret; int8 A and
 * B; the whole call: tiles, epilogue, stores) are listed in matmul_xpulp.c and matmul_nn_xpulp.c. */
#ifndef DP_MATMUL_XPULP_H
#define DP_MATMUL_XPULP_H

#include "kernels/dp_common.h"
#include "kernels/matmul_tiled.h"

#if defined(__riscv_xcvsimd) && defined(__riscv_xcvmem) && !defined(DP_GENERIC_KERNELS)
#define DP_XPULP 1

/* Tiles of the requantized and Gemm epilogues (NT: row blocks of four by many columns, the accumulators
 * on the stack: 1 KiB; NN: many rows, which reuse the packed B panel of the tile's columns, by eight
 * columns, or for a single row (m = 1) one row by many columns). */
#define DP_XPULP_TILE_ROWS 4
#define DP_XPULP_TILE_COLS 64
#define DP_XPULP_NN_TILE_ROWS 32
#define DP_XPULP_NN_TILE_COLS 8
#define DP_XPULP_NN_ROW_TILE_COLS 128

/* acc[r * acc_stride + c] = sum over t < k of a[r * k + t] * bt[c * k + t], modulo 2^32, for r < rows and
 * c < cols (any rows and cols, k >= 4). */
void dp_xpulp_nt_tile_s8(const int8_t *a, const int8_t *bt, int32_t rows, int32_t cols, int32_t k, uint32_t *acc,
                         int32_t acc_stride);
void dp_xpulp_nt_tile_u8(const uint8_t *a, const int8_t *bt, int32_t rows, int32_t cols, int32_t k, uint32_t *acc,
                         int32_t acc_stride);
/* acc[r * acc_stride + c] = sum over t < k of a[r * k + t] * b[t * ldb + c], modulo 2^32 (any rows and
 * cols, k >= 4). */
void dp_xpulp_nn_tile_s8(const int8_t *a, const int8_t *b, int32_t ldb, int32_t rows, int32_t cols, int32_t k,
                         uint32_t *acc, int32_t acc_stride);
void dp_xpulp_nn_tile_u8(const uint8_t *a, const int8_t *b, int32_t ldb, int32_t rows, int32_t cols, int32_t k,
                         uint32_t *acc, int32_t acc_stride);

/* dp_requantize_all_bounded (matmul.h), out of line and cheaper: the largest |mul| and |add|, compared once
 * (the same condition: |mul| <= mul_limit <= 2^30 and |add| <= 2^30 - 1). */
int dp_xpulp_requantize_all_bounded(const int32_t *mul, const int32_t *add, int32_t count, uint32_t mul_limit);

/* y[r * y_stride + c] = clamp((acc * mul + add) >> shift_32, lo, hi) in int32 arithmetic (stored as a
 * byte) with mul/add at r * rq_r + c * rq_c, rq_c 0 or 1: valid when every mul/add is
 * dp_requantize_is_bounded for the accumulators' range (then equal to dp_requantize) and lo <= hi. */
void dp_xpulp_requantize_tile(const uint32_t *acc, int32_t acc_stride, int32_t rows, int32_t cols, uint8_t *y,
                              int32_t y_stride, const int32_t *mul, const int32_t *add, int32_t rq_r, int32_t rq_c,
                              int32_t shift_32, int32_t lo, int32_t hi);

/* Constants: whether T is int8_t; whether A is int8/uint8, B int8 and the accumulator uint32_t (written
 * to compile for float types too). */
#define DP_XPULP_IS_S8(T) (sizeof(T) == 1 && (T)-1 < 0)
#define DP_XPULP_TYPES(TA, TB, TACC) (sizeof(TA) == 1 && DP_XPULP_IS_S8(TB) && sizeof(TACC) == 4 && (TACC)-1 > 0)
/* The shapes the tiles take (k >= 4); the NN tiles also want four columns or two rows (below that the
 * generic register blocks are as fast as the transposition of B). */
#define DP_XPULP_NT_APPLIES(TA, TB, TACC) (DP_XPULP_TYPES(TA, TB, TACC) && k >= 4)
#define DP_XPULP_NN_APPLIES(TA, TB, TACC) (DP_XPULP_TYPES(TA, TB, TACC) && k >= 4 && (n >= 4 || m >= 2))

#define DP_XPULP_NT_TILE(TA, a, bt, rows, cols, k, acc, stride)                                                       \
  (DP_XPULP_IS_S8(TA) ? dp_xpulp_nt_tile_s8((const int8_t *)(const void *)(a), (const int8_t *)(const void *)(bt),    \
                                            rows, cols, k, acc, stride)                                               \
                      : dp_xpulp_nt_tile_u8((const uint8_t *)(const void *)(a), (const int8_t *)(const void *)(bt),   \
                                            rows, cols, k, acc, stride))
#define DP_XPULP_NN_TILE(TA, a, b, ldb, rows, cols, k, acc, stride)                                                   \
  (DP_XPULP_IS_S8(TA) ? dp_xpulp_nn_tile_s8((const int8_t *)(const void *)(a), (const int8_t *)(const void *)(b), ldb, \
                                            rows, cols, k, acc, stride)                                               \
                      : dp_xpulp_nn_tile_u8((const uint8_t *)(const void *)(a), (const int8_t *)(const void *)(b),    \
                                            ldb, rows, cols, k, acc, stride))
/* The tiles of matmul_tiled.h's skeletons: columns j0.. of bt start at row j0, of b at element j0. */
#define DP_XPULP_NT_TILE_AT(TA, arows, bmat, j0, rows, cols, acc, stride) \
  DP_XPULP_NT_TILE(TA, arows, (bmat) + (j0) * k, rows, cols, k, acc, stride)
#define DP_XPULP_NN_TILE_AT(TA, arows, bmat, j0, rows, cols, acc, stride) \
  DP_XPULP_NN_TILE(TA, arows, (bmat) + (j0), n, rows, cols, k, acc, stride)

/* The body of an NT kernel over (a, b, y, batch, m, n, k, a_offsets, b_offsets) when the types and k
 * qualify: tiles of accumulators, each stored by STORE_TILE, then return. */
#define DP_XPULP_NT_MATMUL(TA, TB, TACC, TY, STORE_TILE)                                                   \
  if (DP_XPULP_NT_APPLIES(TA, TB, TACC)) {                                                                 \
    DP_TILED_MATMUL(TA, TB, TY, DP_XPULP_NT_TILE_AT, DP_XPULP_TILE_ROWS, DP_XPULP_TILE_COLS, STORE_TILE)   \
    return;                                                                                                \
  }
/* Stores an NT tile through the generic epilogue EPI(bi, i, j, acc). */
#define DP_XPULP_STORE_EPI(TY, EPI) DP_TILED_STORE_EPI(TY, EPI, DP_XPULP_TILE_COLS)

/* MatMul: 32-bit integer outputs receive the accumulators directly. */
#define DP_XPULP_NT_MATMUL_PLAIN(TA, TB, TACC, TY)                          \
  if (DP_XPULP_NT_APPLIES(TA, TB, TACC) && DP_TILED_IS_32BIT_INT(TY)) {     \
    DP_TILED_MATMUL_DIRECT(TA, DP_XPULP_NT_TILE_AT)                         \
    return;                                                                 \
  }                                                                         \
  DP_XPULP_NT_MATMUL(TA, TB, TACC, TY, DP_XPULP_STORE_EPI(TY, DP_MATMUL_PLAIN_EPI))

/* Requantized MatMul (after DP_MATMUL_RQ_SETUP): 8-bit outputs through dp_xpulp_requantize_tile when
 * every parameter the call reads is bounded and columns share or step through them (xpulp_rq_tile). */
#define DP_XPULP_RQ_TILE_FLAG(TY)                                                                                  \
  const int xpulp_rq_tile =                                                                                        \
      sizeof(TY) == 1 && (rq_c == 0 || rq_c == 1) && lo <= hi && batch > 0 && m > 0 && n > 0 &&                    \
      (rq_strides[3] ||                                                                                            \
       dp_xpulp_requantize_all_bounded(mul, add, (batch - 1) * rq_b + (m - 1) * rq_r + (n - 1) * rq_c + 1,          \
                                       rq_mul_limit));
/* Stores a tile of TILE_COLS columns through dp_xpulp_requantize_tile when xpulp_rq_tile holds. */
#define DP_XPULP_STORE_RQ(TY, TILE_COLS)                                                                             \
  if (xpulp_rq_tile) {                                                                                               \
    const int32_t rq_at = bi * rq_b + i0 * rq_r + j0 * rq_c;                                                         \
    dp_xpulp_requantize_tile(tile_acc, (TILE_COLS), tile_rows, tile_cols, (uint8_t *)(void *)(ymat + i0 * n + j0), \
                             n, mul + rq_at, add + rq_at, rq_r, rq_c, rq_shift_32, lo, hi);                          \
  } else                                                                                                             \
    DP_TILED_STORE_EPI(TY, DP_MATMUL_RQ_EPI, TILE_COLS)
#define DP_XPULP_NT_RQMATMUL(TA, TB, TY)                                                  \
  if (DP_XPULP_NT_APPLIES(TA, TB, uint32_t)) {                                            \
    DP_XPULP_RQ_TILE_FLAG(TY)                                                             \
    DP_XPULP_NT_MATMUL(TA, TB, uint32_t, TY, DP_XPULP_STORE_RQ(TY, DP_XPULP_TILE_COLS))   \
  }

/* Requantized products of few rows (NT: one; NN: up to DP_XPULP_NN_ROWS_MAX, whose tiles would transpose
 * B for them alone; the decode step's GEMV, a core's share of it, its attention and its rotations) to 8-bit
 * outputs, int8 or uint8 A, int8 B, k >= 4 (NN: n >= 4), rq_strides[2] 0 or 1, lo <= hi: per row the
 * sums, then each output requantized in 32 bits when its own mul and add are bounded (all of them when
 * rq_strides[3] says so, else tested one by one: dp_requantize_is_bounded), else in 64 (the value
 * dp_requantize gives either way). */
#define DP_XPULP_NN_ROWS_MAX 4
#define DP_XPULP_RQMATMUL_PARAMS(TA)                                                                               \
  const TA *a, const int8_t *b, uint8_t *y, int32_t batch, int32_t m, int32_t n, int32_t k, const int32_t *a_offsets, \
      const int32_t *b_offsets, const int32_t *mul, const int32_t *add, const int32_t *rq_strides, int32_t shift,     \
      int32_t lo, int32_t hi
void dp_xpulp_rqmatmul_rows_nt_s8(DP_XPULP_RQMATMUL_PARAMS(int8_t));
void dp_xpulp_rqmatmul_rows_nt_u8(DP_XPULP_RQMATMUL_PARAMS(uint8_t));
void dp_xpulp_rqmatmul_rows_nn_s8(DP_XPULP_RQMATMUL_PARAMS(int8_t));
void dp_xpulp_rqmatmul_rows_nn_u8(DP_XPULP_RQMATMUL_PARAMS(uint8_t));

/* In a function with the RQMatMul kernels' parameters: hands a product of few rows (LAYOUT nt or nn) to the
 * functions above and returns; falls through for the others. At the head of the generic kernels, and
 * inlined where the generated code calls them (dp_rqmatmul_*_call, matmul.h), so that a core's small share
 * of a GEMV skips the kernel's dispatch (fifteen arguments passed on, seven on the stack) and, for constant
 * arguments, the test itself. */
#define DP_XPULP_RQ_ROWS_PICK(LAYOUT, TA, TB, TY)                                                                    \
    if (sizeof(TY) == 1 && DP_XPULP_TYPES(TA, TB, uint32_t) && k >= 4 &&                                           \
        (DP_XPULP_LAYOUT_IS_NT(LAYOUT) ? m == 1 : m <= DP_XPULP_NN_ROWS_MAX && n >= 4) &&                          \
        (uint32_t)rq_strides[2] <= 1u && lo <= hi) {                                                               \
      if (DP_XPULP_IS_S8(TA))                                                                                      \
        dp_xpulp_rqmatmul_rows_##LAYOUT##_s8((const int8_t *)(const void *)a, (const int8_t *)(const void *)b,      \
                                            (uint8_t *)(void *)y, batch, m, n, k, a_offsets, b_offsets, mul, add,  \
                                            rq_strides, shift, lo, hi);                                            \
      else                                                                                                         \
        dp_xpulp_rqmatmul_rows_##LAYOUT##_u8((const uint8_t *)(const void *)a, (const int8_t *)(const void *)b,     \
                                            (uint8_t *)(void *)y, batch, m, n, k, a_offsets, b_offsets, mul, add,  \
                                            rq_strides, shift, lo, hi);                                            \
      return;                                                                                                      \
    }

/* The head of the generic RQMatMul kernels (the parameter list and the generic body follow it): `name`
 * hands products of few rows to the functions above, everything else to the generic body, a function of
 * its own (name##_generic), whose hooks take the larger products. */
#define DP_XPULP_RQMATMUL_HEAD(LAYOUT, SCOPE, name, TA, TB, TY)                                                      \
  static void name##_generic(DP_MATMUL_PARAMS(TA, TB, TY), DP_RQ_PARAMS);                                          \
  SCOPE void name(DP_MATMUL_PARAMS(TA, TB, TY), DP_RQ_PARAMS) {                                                    \
    DP_XPULP_RQ_ROWS_PICK(LAYOUT, TA, TB, TY)                                                                      \
    name##_generic(a, b, y, batch, m, n, k, a_offsets, b_offsets, mul, add, rq_strides, shift, lo, hi);            \
  }                                                                                                                \
  static __attribute__((noinline)) void name##_generic
#define DP_XPULP_LAYOUT_IS_NT(LAYOUT) DP_XPULP_LAYOUT_IS_NT_##LAYOUT
#define DP_XPULP_LAYOUT_IS_NT_nt 1
#define DP_XPULP_LAYOUT_IS_NT_nn 0

/* One row of A against n columns of bt, each stored by STORE (see DP_NT_ROW_LOOP): Conv's im2col
 * column against its filters. */
#define DP_XPULP_NT_ROW_LOOP(TA, TB, K, TACC, arow, bt, n, k, STORE)                              \
  if (DP_XPULP_TYPES(TA, TB, TACC) && (k) >= 4) {                                                 \
    typedef TACC TACC_ROW;                                                                        \
    int32_t jr, cr;                                                                               \
    uint32_t row_acc[DP_XPULP_TILE_COLS];                                                         \
    for (jr = 0; jr < (n); jr += DP_XPULP_TILE_COLS) {                                            \
      const int32_t row_cols = (n)-jr < DP_XPULP_TILE_COLS ? (n)-jr : DP_XPULP_TILE_COLS;         \
      DP_XPULP_NT_TILE(TA, arow, (bt) + jr * (k), 1, row_cols, k, row_acc, DP_XPULP_TILE_COLS);   \
      DP_ROW_STORE(jr, row_cols, row_acc, STORE)                                                  \
    }                                                                                             \
  } else                                                                                          \
    DP_NT_ROW_LOOP(K, TACC, arow, bt, n, k, STORE)

/* NN: the same hooks over the NN tiles, whose tiles are many rows by few columns (rows share the
 * transposed panel of the tile's columns) except for products of one row (m = 1: no panel), which go in
 * tiles of one row by many columns. STORE(TY, TILE_COLS) stores a tile whose rows are TILE_COLS apart. */
#define DP_XPULP_NN_MATMUL(TA, TB, TACC, TY, STORE)                                                             \
  if (DP_XPULP_NN_APPLIES(TA, TB, TACC)) {                                                                      \
    if (m == 1)                                                                                                 \
      DP_TILED_MATMUL(TA, TB, TY, DP_XPULP_NN_TILE_AT, 1, DP_XPULP_NN_ROW_TILE_COLS,                            \
                      STORE(TY, DP_XPULP_NN_ROW_TILE_COLS))                                                       \
    else                                                                                                        \
      DP_TILED_MATMUL(TA, TB, TY, DP_XPULP_NN_TILE_AT, DP_XPULP_NN_TILE_ROWS, DP_XPULP_NN_TILE_COLS,            \
                      STORE(TY, DP_XPULP_NN_TILE_COLS))                                                           \
    return;                                                                                                     \
  }
#define DP_XPULP_NN_STORE_PLAIN(TY, TILE_COLS) DP_TILED_STORE_EPI(TY, DP_MATMUL_PLAIN_EPI, TILE_COLS)
#define DP_XPULP_NN_STORE_RQ(TY, TILE_COLS) DP_XPULP_STORE_RQ(TY, TILE_COLS)
#define DP_XPULP_NN_STORE_GEMM(TY, TILE_COLS) DP_TILED_STORE_EPI(TY, DP_GEMM_EPI, TILE_COLS)
#define DP_XPULP_NN_MATMUL_PLAIN(TA, TB, TACC, TY)                          \
  if (DP_XPULP_NN_APPLIES(TA, TB, TACC) && DP_TILED_IS_32BIT_INT(TY)) {     \
    DP_TILED_MATMUL_DIRECT(TA, DP_XPULP_NN_TILE_AT)                         \
    return;                                                                 \
  }                                                                         \
  DP_XPULP_NN_MATMUL(TA, TB, TACC, TY, DP_XPULP_NN_STORE_PLAIN)
#define DP_XPULP_NN_RQMATMUL(TA, TB, TY)                            \
  if (DP_XPULP_NN_APPLIES(TA, TB, uint32_t)) {                      \
    DP_XPULP_RQ_TILE_FLAG(TY)                                       \
    DP_XPULP_NN_MATMUL(TA, TB, uint32_t, TY, DP_XPULP_NN_STORE_RQ)  \
  }
/* Gemm (inside DP_DEFINE_GEMM_NN). */
#define DP_XPULP_NN_GEMM(TA, TB, TACC, TY) DP_XPULP_NN_MATMUL(TA, TB, TACC, TY, DP_XPULP_NN_STORE_GEMM)

#endif

#endif
