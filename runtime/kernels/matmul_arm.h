/* Arm Cortex-M kernels for the int8 products of the NT layout (B given transposed as bt[n][k]: Gemm, MatMul
 * with constant weights, Conv's im2col columns), chosen at compile time by the ACLE feature macros:
 *   __ARM_FEATURE_MVE (Helium, Cortex-M55): matmul_arm_mve.c, VMLADAVA (16 MACs per instruction);
 *   __ARM_FEATURE_DSP without MVE (Cortex-M4, M7, M33): matmul_arm_dsp.c, SMLAD (2 MACs per instruction).
 * Elsewhere, or with -DDP_GENERIC_KERNELS, the hooks below expand to the generic code of matmul.h.
 *
 * The Arm code computes tiles of 32-bit accumulators (wrapping, exactly the generic kernels' sums);
 * everything after the sum (requantization, Gemm's alpha/beta/C, Conv's bias, batch offsets, output
 * types) stays the generic epilogue of matmul.h, gemm.h and conv.h, applied to the tile. Two shortcuts
 * keep the epilogue off the instruction count: int32 products are written straight into y, and
 * requantization to 8-bit outputs runs dp_arm_requantize_tile (vectorized on MVE) when every mul/add of
 * the call satisfies dp_requantize_is_bounded (its 32-bit path gives the generic result exactly).
 * The hooks apply when A is int8 or uint8, B int8 and the accumulator uint32_t; other types (int16,
 * float, ...) keep the generic kernels. The NN layout has kernels of its own (matmul_nn_arm.h), and
 * constant weights widened at compile time theirs (matmul_nt16.h). */
#ifndef DP_MATMUL_ARM_H
#define DP_MATMUL_ARM_H

#include "kernels/dp_common.h"
#include "kernels/matmul_tiled.h"

#if defined(DP_GENERIC_KERNELS) /* built with the generic kernels only (for comparison): no DP_ARM_* */
#elif defined(__ARM_FEATURE_MVE) && (__ARM_FEATURE_MVE & 1)
#define DP_ARM_MVE 1
/* Tile shape of the drivers below: rows a multiple of the 3-row blocks. */
#define DP_ARM_TILE_ROWS 6
#define DP_ARM_TILE_COLS 64
#elif defined(__ARM_FEATURE_DSP)
#define DP_ARM_DSP 1
/* Rows: one 4-row panel (converted to int16 once per tile), columns: the panel's reuse. */
#define DP_ARM_TILE_ROWS 4
#define DP_ARM_TILE_COLS 64
#endif

#if defined(DP_ARM_MVE) || defined(DP_ARM_DSP)
#define DP_ARM_NT 1

/* acc[r * acc_stride + c] = sum over t < k of a[r * k + t] * bt[c * k + t], modulo 2^32, for r < rows and
 * c < cols (rows and cols of any size). */
void dp_arm_nt_tile_s8(const int8_t *a, const int8_t *bt, int32_t rows, int32_t cols, int32_t k, uint32_t *acc,
                       int32_t acc_stride);
void dp_arm_nt_tile_u8(const uint8_t *a, const int8_t *bt, int32_t rows, int32_t cols, int32_t k, uint32_t *acc,
                       int32_t acc_stride);

/* y[r * y_stride + c] = clamp((acc * mul + add) >> shift_32, lo, hi) in int32 arithmetic (stored as a
 * byte) with mul/add at r * rq_r + c * rq_c, rq_c 0 or 1: valid when every mul/add is
 * dp_requantize_is_bounded for the accumulators' range (then equal to dp_requantize). */
void dp_arm_requantize_tile(const uint32_t *acc, int32_t acc_stride, int32_t rows, int32_t cols, uint8_t *y,
                            int32_t y_stride, const int32_t *mul, const int32_t *add, int32_t rq_r, int32_t rq_c,
                            int32_t shift_32, int32_t lo, int32_t hi);

/* Constants: whether T is int8_t (a signed one-byte type); whether A is int8/uint8, B int8 and the
 * accumulator uint32_t (written to compile for float types too). */
#define DP_ARM_IS_S8(T) (sizeof(T) == 1 && (T)-1 < 0)
#define DP_ARM_NT_TYPES(TA, TB, TACC) (sizeof(TA) == 1 && DP_ARM_IS_S8(TB) && sizeof(TACC) == 4 && (TACC)-1 > 0)

#define DP_ARM_NT_TILE(TA, a, bt, rows, cols, k, acc, stride)                                                         \
  (DP_ARM_IS_S8(TA) ? dp_arm_nt_tile_s8((const int8_t *)(const void *)(a), (const int8_t *)(const void *)(bt), rows,  \
                                        cols, k, acc, stride)                                                         \
                    : dp_arm_nt_tile_u8((const uint8_t *)(const void *)(a), (const int8_t *)(const void *)(bt), rows, \
                                        cols, k, acc, stride))
/* The tile of matmul_tiled.h's skeletons: columns j0.. of bt start at row j0. */
#define DP_ARM_NT_TILE_AT(TA, arows, bmat, j0, rows, cols, acc, stride) \
  DP_ARM_NT_TILE(TA, arows, (bmat) + (j0) * k, rows, cols, k, acc, stride)

/* The body of an NT kernel over (a, b, y, batch, m, n, k, a_offsets, b_offsets) when the types qualify:
 * tiles of accumulators, each stored by STORE_TILE, then return. */
#define DP_ARM_NT_MATMUL(TA, TB, TACC, TY, STORE_TILE)                                                   \
  if (DP_ARM_NT_TYPES(TA, TB, TACC)) {                                                                   \
    DP_TILED_MATMUL(TA, TB, TY, DP_ARM_NT_TILE_AT, DP_ARM_TILE_ROWS, DP_ARM_TILE_COLS, STORE_TILE)       \
    return;                                                                                              \
  }
/* Stores a tile through the generic epilogue EPI(bi, i, j, acc). */
#define DP_ARM_STORE_EPI(TY, EPI) DP_TILED_STORE_EPI(TY, EPI, DP_ARM_TILE_COLS)

/* MatMul: 32-bit integer outputs receive the accumulators directly. */
#define DP_ARM_NT_MATMUL_PLAIN(TA, TB, TACC, TY)                            \
  if (DP_ARM_NT_TYPES(TA, TB, TACC) && DP_TILED_IS_32BIT_INT(TY)) {         \
    DP_TILED_MATMUL_DIRECT(TA, DP_ARM_NT_TILE_AT)                           \
    return;                                                                 \
  }                                                                         \
  DP_ARM_NT_MATMUL(TA, TB, TACC, TY, DP_ARM_STORE_EPI(TY, DP_MATMUL_PLAIN_EPI))

/* Requantized MatMul (after DP_MATMUL_RQ_SETUP): 8-bit outputs through dp_arm_requantize_tile when
 * every parameter the call reads is bounded and columns share or step through them (arm_rq_tile). */
#define DP_ARM_RQ_TILE_FLAG(TY)                                                                                    \
  const int arm_rq_tile =                                                                                          \
      sizeof(TY) == 1 && (rq_c == 0 || rq_c == 1) && batch > 0 && m > 0 && n > 0 &&                                \
      dp_requantize_all_bounded(mul, add, (batch - 1) * rq_b + (m - 1) * rq_r + (n - 1) * rq_c + 1, rq_mul_limit);
#define DP_ARM_NT_RQMATMUL(TA, TB, TY)                                                      \
  {                                                                                         \
    DP_ARM_RQ_TILE_FLAG(TY)                                                                 \
    DP_ARM_NT_MATMUL(TA, TB, uint32_t, TY, DP_ARM_STORE_RQ(TY, DP_ARM_TILE_COLS))           \
  }
/* Stores a tile of TILE_COLS columns through dp_arm_requantize_tile when arm_rq_tile holds. */
#define DP_ARM_STORE_RQ(TY, TILE_COLS)                                                                                \
  if (arm_rq_tile) {                                                                                                  \
    const int32_t rq_at = bi * rq_b + i0 * rq_r + j0 * rq_c;                                                          \
    dp_arm_requantize_tile(tile_acc, (TILE_COLS), tile_rows, tile_cols, (uint8_t *)(void *)(ymat + i0 * n + j0), n,  \
                           mul + rq_at, add + rq_at, rq_r, rq_c, rq_shift_32, lo, hi);                                \
  } else                                                                                                              \
    DP_TILED_STORE_EPI(TY, DP_MATMUL_RQ_EPI, TILE_COLS)

/* One row of A against n columns of bt, each stored by STORE (see DP_NT_ROW_LOOP). */
#define DP_ARM_NT_ROW_LOOP(TA, TB, K, TACC, arow, bt, n, k, STORE)                          \
  if (DP_ARM_NT_TYPES(TA, TB, TACC)) {                                                      \
    typedef TACC TACC_ROW;                                                                  \
    int32_t jr, cr;                                                                         \
    uint32_t row_acc[DP_ARM_TILE_COLS];                                                     \
    for (jr = 0; jr < (n); jr += DP_ARM_TILE_COLS) {                                        \
      const int32_t row_cols = (n)-jr < DP_ARM_TILE_COLS ? (n)-jr : DP_ARM_TILE_COLS;       \
      DP_ARM_NT_TILE(TA, arow, (bt) + jr * (k), 1, row_cols, k, row_acc, DP_ARM_TILE_COLS); \
      DP_ROW_STORE(jr, row_cols, row_acc, STORE)                                            \
    }                                                                                       \
  } else                                                                                    \
    DP_NT_ROW_LOOP(K, TACC, arow, bt, n, k, STORE)

#else /* generic targets */
#define DP_ARM_NT_MATMUL(TA, TB, TACC, TY, STORE_TILE)
#define DP_ARM_NT_MATMUL_PLAIN(TA, TB, TACC, TY)
#define DP_ARM_NT_RQMATMUL(TA, TB, TY)
#define DP_ARM_NT_ROW_LOOP(TA, TB, K, TACC, arow, bt, n, k, STORE) DP_NT_ROW_LOOP(K, TACC, arow, bt, n, k, STORE)
#endif

#endif
