/* NT products (Gemm, MatMul, RQGemm, RQMatMul with constant int8 weights) whose weights the compiler
 * widened to int16 at compile time ("nt16" layout): twice the weight bytes, and no widening of weights in
 * the inner loops. On cores with the DSP extension and no MVE (Cortex-M4) both operands of SMLAD then
 * come by LDM: matmul_arm_dsp.c computes 3x2 blocks at 16 instructions per 24 MACs (6 accumulators, a
 * column pair's four weight words by one LDM, two panel words per row), single rows against four
 * columns at 11 per 16 MACs. Elsewhere matmul_nt16.c computes the same sums with plain loops over the
 * layout (bit-exact; host builds test the layout).
 *
 * Layout of one bt[n][k] matrix (batch slices follow each other): 32-bit words, each a pair of int16
 * lanes (low half first). Columns go in pairs, K in groups of four (G = ceil(k / 4) groups); column pair p
 * holds G groups of four words, for columns c0 = 2p and c1 = 2p + 1 and K values t = 4g .. 4g + 3:
 *   (bt[c0][t], bt[c0][t+2]), (bt[c0][t+1], bt[c0][t+3]), (bt[c1][t], bt[c1][t+2]), (bt[c1][t+1], bt[c1][t+3])
 * with zeros past k and past n (a last, lone column). Rows of A are converted at run time to the same
 * lane pairs, (a[t], a[t+2]) and (a[t+1], a[t+3]), so SMLAD of matching words adds four products.
 *
 * Kernels: DP_DEFINE_MATMUL_NT16, DP_DEFINE_RQMATMUL_NT16, DP_DEFINE_GEMM_NT16 take the parameters of
 * their NT counterparts (matmul.h, gemm.h) with b the layout's words (const int32_t *) and b_offsets in
 * words; A is int8 or uint8, the accumulators uint32_t, and the epilogues those of matmul.h and gemm.h. */
#ifndef DP_MATMUL_NT16_H
#define DP_MATMUL_NT16_H

#include "kernels/gemm.h"
#include "kernels/matmul_tiled.h"

/* Groups of four K, words of a column pair, and the word and lane (0: low half) of bt[j][t]. */
#define DP_NT16_GROUPS(k) (((k) + 3) >> 2)
#define DP_NT16_PAIR_WORDS(k) (4 * DP_NT16_GROUPS(k))
#define DP_NT16_WORD(j, t, k) (((j) >> 1) * DP_NT16_PAIR_WORDS(k) + ((t) >> 2) * 4 + ((j)&1) * 2 + ((t)&1))
#define DP_NT16_LANE(t) (((t) >> 1) & 1)

/* acc[r * acc_stride + c] = sum over t < k of a[r * k + t] * bt[c][t], modulo 2^32, for r < rows and
 * c < cols, with bt in the nt16 layout starting at bw (a column pair's start). */
void dp_nt16_tile_s8(const int8_t *a, const int32_t *bw, int32_t rows, int32_t cols, int32_t k, uint32_t *acc,
                     int32_t acc_stride);
void dp_nt16_tile_u8(const uint8_t *a, const int32_t *bw, int32_t rows, int32_t cols, int32_t k, uint32_t *acc,
                     int32_t acc_stride);

/* Tiles of the kernels: rows a multiple of the DSP code's 3-row blocks, columns even (tiles start at a
 * column pair). */
#define DP_NT16_TILE_ROWS 6
#define DP_NT16_TILE_COLS 64

/* The tile of matmul_tiled.h's skeletons. */
#define DP_NT16_TILE(TA, arows, bmat, j0, rows, cols, acc, stride)                                                  \
  ((TA)-1 < 0 ? dp_nt16_tile_s8((const int8_t *)(const void *)(arows), (bmat) + ((j0) >> 1) * DP_NT16_PAIR_WORDS(k), \
                                rows, cols, k, acc, stride)                                                         \
              : dp_nt16_tile_u8((const uint8_t *)(const void *)(arows),                                             \
                                (bmat) + ((j0) >> 1) * DP_NT16_PAIR_WORDS(k), rows, cols, k, acc, stride))
#define DP_NT16_LOOPS(TA, TY, STORE_TILE) \
  DP_TILED_MATMUL(TA, int32_t, TY, DP_NT16_TILE, DP_NT16_TILE_ROWS, DP_NT16_TILE_COLS, STORE_TILE)
#define DP_NT16_STORE_EPI(TY, EPI) DP_TILED_STORE_EPI(TY, EPI, DP_NT16_TILE_COLS)

/* Requantized 8-bit outputs go through the requantization of tiles of the SIMD kernels (Arm, CORE-V) where
 * it applies. */
#ifdef DP_SIMD_NT
#define DP_NT16_RQ_FLAG(TY) DP_SIMD_RQ_TILE_FLAG(TY)
#define DP_NT16_STORE_RQ(TY) DP_SIMD_STORE_RQ(TY, DP_NT16_TILE_COLS)
#else
#define DP_NT16_RQ_FLAG(TY)
#define DP_NT16_STORE_RQ(TY) DP_NT16_STORE_EPI(TY, DP_MATMUL_RQ_EPI)
#endif

/* y[bi][i][j] = sum_t a[i][t] * bt[j][t] (TB, the weights' type before widening, is int8_t). */
#define DP_DEFINE_MATMUL_NT16(SCOPE, name, TA, TB, TACC, TY)                   \
  SCOPE void name(DP_MATMUL_PARAMS(TA, int32_t, TY)) {                         \
    if (DP_TILED_IS_32BIT_INT(TY)) {                                           \
      DP_TILED_MATMUL_DIRECT(TA, DP_NT16_TILE)                                 \
      return;                                                                  \
    }                                                                          \
    DP_NT16_LOOPS(TA, TY, DP_NT16_STORE_EPI(TY, DP_MATMUL_PLAIN_EPI))          \
  }

#define DP_DEFINE_RQMATMUL_NT16(SCOPE, name, TA, TB, TY)            \
  SCOPE void name(DP_MATMUL_PARAMS(TA, int32_t, TY), DP_RQ_PARAMS) { \
    DP_MATMUL_RQ_SETUP(TA, TB)                                      \
    DP_NT16_RQ_FLAG(TY)                                             \
    DP_NT16_LOOPS(TA, TY, DP_NT16_STORE_RQ(TY))                     \
  }

#define DP_DEFINE_GEMM_NT16(SCOPE, name, TA, TB, TACC, TY)          \
  SCOPE void name(DP_GEMM_PARAMS(TA, int32_t, TACC, TY)) {          \
    typedef TACC TACC_C;                                            \
    DP_GEMM_SINGLE_BATCH                                            \
    if (DP_TILED_IS_32BIT_INT(TY) && DP_GEMM_IS_PLAIN_PRODUCT) {     \
      DP_TILED_MATMUL_DIRECT(TA, DP_NT16_TILE)                      \
      return;                                                       \
    }                                                               \
    DP_NT16_LOOPS(TA, TY, DP_NT16_STORE_EPI(TY, DP_GEMM_EPI))       \
  }

#endif
