/* Loop skeletons of products computed as tiles of 32-bit accumulators by a tile function, each tile then
 * stored through an epilogue: the Arm kernels of matmul_arm.h and the int16-weight kernels of
 * matmul_nt16.h. They expect in scope what matmul.h's loops do: a, b, y, batch, m, n, k, a_offsets,
 * b_offsets. TILE(TA, arows, bmat, j0, rows, cols, acc, stride) fills acc[r * stride + c] with the
 * wrapped sums of row r of A (rows at arows, stride k) against column j0 + c of the B matrix at bmat. */
#ifndef DP_MATMUL_TILED_H
#define DP_MATMUL_TILED_H

#include "kernels/dp_common.h"

/* Tiles of at most TILE_ROWS x TILE_COLS outputs, each stored by STORE_TILE (which sees bi, i0, j0,
 * tile_rows, tile_cols, ymat and tile_acc, whose rows are TILE_COLS apart). */
#define DP_TILED_MATMUL(TA, TB, TY, TILE, TILE_ROWS, TILE_COLS, STORE_TILE)                           \
  {                                                                                                   \
    uint32_t tile_acc[(TILE_ROWS) * (TILE_COLS)];                                                     \
    int32_t bi, i0, j0;                                                                               \
    TY *ymat = y;                                                                                     \
    for (bi = 0; bi < batch; ++bi, ymat += m * n) {                                                   \
      const TA *amat = a + a_offsets[bi];                                                             \
      const TB *bmat = b + b_offsets[bi];                                                             \
      for (i0 = 0; i0 < m; i0 += (TILE_ROWS)) {                                                       \
        const int32_t tile_rows = m - i0 < (TILE_ROWS) ? m - i0 : (TILE_ROWS);                        \
        for (j0 = 0; j0 < n; j0 += (TILE_COLS)) {                                                     \
          const int32_t tile_cols = n - j0 < (TILE_COLS) ? n - j0 : (TILE_COLS);                      \
          TILE(TA, amat + i0 * k, bmat, j0, tile_rows, tile_cols, tile_acc, (TILE_COLS));             \
          STORE_TILE                                                                                  \
        }                                                                                             \
      }                                                                                               \
    }                                                                                                 \
  }

/* 32-bit integer outputs receive the accumulators directly: one tile per batch, rows n apart. */
#define DP_TILED_MATMUL_DIRECT(TA, TILE)                                                      \
  {                                                                                           \
    int32_t bi;                                                                               \
    for (bi = 0; bi < batch; ++bi)                                                            \
      TILE(TA, a + a_offsets[bi], b + b_offsets[bi], 0, m, n, (uint32_t *)(void *)(y + bi * m * n), n); \
  }
/* Whether TY is a 32-bit integer type (int32_t or uint32_t). */
#define DP_TILED_IS_32BIT_INT(TY) (sizeof(TY) == 4 && (TY)1 / 2 == 0)

/* Stores a tile through the generic epilogue EPI(bi, i, j, acc). Store macros expand without top-level
 * commas: they are passed on as arguments of DP_TILED_MATMUL. */
#define DP_TILED_STORE_EPI(TY, EPI, TILE_COLS)                                                                   \
  {                                                                                                              \
    int32_t tr;                                                                                                  \
    int32_t tc;                                                                                                  \
    for (tr = 0; tr < tile_rows; ++tr)                                                                           \
      for (tc = 0; tc < tile_cols; ++tc)                                                                         \
        ymat[(i0 + tr) * n + j0 + tc] = (TY)(EPI(bi, i0 + tr, j0 + tc, tile_acc[tr * (TILE_COLS) + tc]));       \
  }

#endif
