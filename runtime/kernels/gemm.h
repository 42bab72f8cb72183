/* Gemm kernels: y[i][j] = alpha * sum_t A[i][t] * B[t][j] + beta * c[i * c_row_stride + j * c_col_stride],
 * with the loops, layouts (NT: B given as bt[n][k]; NN: B given as b[k][n]) and accumulator types of
 * matmul.h. C is broadcast through its strides (0 on broadcast dimensions); without C the compiler passes
 * one zero element and beta = 0. Integer kernels take alpha and beta as uint32_t (wrapping arithmetic,
 * the bits of the int32 result); float kernels take floats. A transposed runtime A is first copied to
 * scratch memory with dp_transpose_2d so the kernels' inner loops stay contiguous. */
#ifndef DP_GEMM_H
#define DP_GEMM_H

#include "kernels/matmul.h"

#define DP_GEMM_EPI(bi, i, j, acc) (alpha * (acc) + beta * (TACC_C)c[(i) * c_row_stride + (j) * c_col_stride])

/* alpha 1 and no C (beta 0): the products of MatMul, which tiled kernels store without an epilogue. */
#define DP_GEMM_IS_PLAIN_PRODUCT (alpha == 1 && beta == 0)

#define DP_GEMM_PARAMS(TA, TB, TACC, TY)                                                             \
  const TA *a, const TB *b, const TY *c, TY *y, int32_t m, int32_t n, int32_t k, TACC alpha, TACC beta, \
      int32_t c_row_stride, int32_t c_col_stride

/* A single matrix: the batch loop of the shared skeletons runs once. */
#define DP_GEMM_SINGLE_BATCH          \
  const int32_t batch = 1;            \
  const int32_t no_offset[1] = {0};   \
  const int32_t *a_offsets = no_offset; \
  const int32_t *b_offsets = no_offset;

#define DP_DEFINE_GEMM_NT(SCOPE, name, TA, TB, TACC, TY)    \
  DP_BLOCKED_BEGIN                                          \
  DP_DEFINE_NT_KERNELS(name, TA, TB, TACC)                  \
  SCOPE void name(DP_GEMM_PARAMS(TA, TB, TACC, TY)) {       \
    typedef TACC TACC_C;                                    \
    DP_GEMM_SINGLE_BATCH                                    \
    if (DP_GEMM_IS_PLAIN_PRODUCT) {                         \
      DP_SIMD_NT_MATMUL_PLAIN(TA, TB, TACC, TY)             \
    }                                                       \
    DP_SIMD_NT_MATMUL(TA, TB, TACC, TY, DP_SIMD_STORE_EPI(TY, DP_GEMM_EPI)) \
    DP_MATMUL_NT_LOOPS(TA, TB, TACC, TY, name, DP_GEMM_EPI) \
  }                                                         \
  DP_BLOCKED_END

#define DP_DEFINE_GEMM_NN(SCOPE, name, TA, TB, TACC, TY)    \
  DP_BLOCKED_BEGIN                                          \
  DP_DEFINE_NN_KERNELS(name, TA, TB, TACC)                  \
  SCOPE void name(DP_GEMM_PARAMS(TA, TB, TACC, TY)) {       \
    typedef TACC TACC_C;                                    \
    DP_GEMM_SINGLE_BATCH                                    \
    DP_SIMD_NN_GEMM(TA, TB, TACC, TY)                       \
    DP_MATMUL_NN_LOOPS(TA, TB, TACC, TY, name, DP_GEMM_EPI) \
  }                                                         \
  DP_BLOCKED_END

/* dst[j][i] = src[i][j] for a rows x cols matrix of elem_bytes-sized elements (1, 2, 4 or 8). */
void dp_transpose_2d(const void *src, void *dst, int32_t rows, int32_t cols, int32_t elem_bytes);

/* Compiled variants (gemm.c). */
void dp_gemm_nt_s8_s8_s32(DP_GEMM_PARAMS(int8_t, int8_t, uint32_t, int32_t));
void dp_gemm_nn_s8_s8_s32(DP_GEMM_PARAMS(int8_t, int8_t, uint32_t, int32_t));
void dp_gemm_nt_u8_s8_s32(DP_GEMM_PARAMS(uint8_t, int8_t, uint32_t, int32_t));
void dp_gemm_nn_u8_s8_s32(DP_GEMM_PARAMS(uint8_t, int8_t, uint32_t, int32_t));
void dp_gemm_nt_f32_f32_f32(DP_GEMM_PARAMS(float, float, float, float));
void dp_gemm_nn_f32_f32_f32(DP_GEMM_PARAMS(float, float, float, float));

#endif
