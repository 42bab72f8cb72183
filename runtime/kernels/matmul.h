/* Matrix multiplication kernels (MatMul, and the core shared with Gemm and Conv).
 *
 * Accumulation: integer kernels accumulate in a 32-bit register of type uint32_t: unsigned arithmetic
 * wraps modulo 2^32 without undefined behaviour and gives exactly the bits of the int32 result (products
 * of any integer operands are correct modulo 2^32). Float kernels accumulate in float, in order.
 *
 * Two operand layouts, both with contiguous inner loops:
 *   NT: B is given transposed, bt[n][k] (the compiler transposes constant weights at compile time), so
 *       each output is a dot product of two contiguous rows, unrolled by 4; outputs are produced two
 *       columns at a time so every load of A feeds two multiply-accumulates.
 *   NN: B is given as b[k][n] (a runtime operand); four columns are accumulated in registers while
 *       walking down K, reading four adjacent elements of each B row.
 * Batches: output batch i reads A at a + a_offsets[i] and B at b + b_offsets[i] (element offsets computed
 * at compile time, which covers any broadcasting of batch dimensions); outputs are contiguous.
 *
 * Requantized variants apply, in the epilogue, y = clamp((acc * mul + add) >> shift, lo, hi) with the
 * rounding term already folded into add, so the 32-bit accumulator never goes to memory. mul and add are
 * read at  batch * rq_strides[0] + row * rq_strides[1] + col * rq_strides[2]  (0 where they are
 * broadcast), which covers per-tensor, per-row, per-column and per-batch parameters.
 *
 * Kernels are instantiated per type combination with the DP_DEFINE_* macros below; matmul.c compiles the
 * common ones (declared at the end of this header), generated code instantiates others as static. */
#ifndef DP_MATMUL_H
#define DP_MATMUL_H

#include "kernels/dp_common.h"

/* The int32 value of a wrapped 32-bit accumulator (no implementation-defined conversion). */
static inline int32_t dp_acc_to_s32(uint32_t v) {
  return v <= 0x7FFFFFFFu ? (int32_t)v : -(int32_t)(~v) - 1;
}

/* The requantization epilogue; `add` already contains the rounding term 2^(shift-1). */
static inline int32_t dp_requantize(int32_t acc, int32_t mul, int32_t add, int32_t shift, int32_t lo, int32_t hi) {
  return dp_clamp_i32(dp_asr64((int64_t)acc * mul + add, shift), lo, hi);
}

/* dot(a, b) over k elements, unrolled by 4, and two dot products sharing a. */
#define DP_DEFINE_DOT(name, TA, TB, TACC)                                      \
  static inline TACC name(const TA *a, const TB *b, int32_t k) {               \
    TACC s = 0;                                                                \
    int32_t i = 0;                                                             \
    for (; i + 4 <= k; i += 4) {                                               \
      s += (TACC)a[i] * (TACC)b[i];                                            \
      s += (TACC)a[i + 1] * (TACC)b[i + 1];                                    \
      s += (TACC)a[i + 2] * (TACC)b[i + 2];                                    \
      s += (TACC)a[i + 3] * (TACC)b[i + 3];                                    \
    }                                                                          \
    for (; i < k; ++i) s += (TACC)a[i] * (TACC)b[i];                           \
    return s;                                                                  \
  }

#define DP_DEFINE_DOT2(name, TA, TB, TACC)                                                              \
  static inline void name(const TA *a, const TB *b0, const TB *b1, int32_t k, TACC *r0, TACC *r1) {     \
    TACC s0 = 0, s1 = 0, v;                                                                             \
    int32_t i = 0;                                                                                      \
    for (; i + 4 <= k; i += 4) {                                                                        \
      v = (TACC)a[i];                                                                                   \
      s0 += v * (TACC)b0[i];                                                                            \
      s1 += v * (TACC)b1[i];                                                                            \
      v = (TACC)a[i + 1];                                                                               \
      s0 += v * (TACC)b0[i + 1];                                                                        \
      s1 += v * (TACC)b1[i + 1];                                                                        \
      v = (TACC)a[i + 2];                                                                               \
      s0 += v * (TACC)b0[i + 2];                                                                        \
      s1 += v * (TACC)b1[i + 2];                                                                        \
      v = (TACC)a[i + 3];                                                                               \
      s0 += v * (TACC)b0[i + 3];                                                                        \
      s1 += v * (TACC)b1[i + 3];                                                                        \
    }                                                                                                   \
    for (; i < k; ++i) {                                                                                \
      v = (TACC)a[i];                                                                                   \
      s0 += v * (TACC)b0[i];                                                                            \
      s1 += v * (TACC)b1[i];                                                                            \
    }                                                                                                   \
    *r0 = s0;                                                                                           \
    *r1 = s1;                                                                                           \
  }

/* Loop skeletons shared by the plain, Gemm and requantized kernels. They expect in scope: a, b, y,
 * batch, m, n, k, a_offsets, b_offsets, and call EPI(bi, i, j, acc) for the value stored at y[bi][i][j]
 * (converted to TY). DOT and DOT2 are the kernel's dot-product helpers. */
#define DP_MATMUL_NT_LOOPS(TA, TB, TACC, TY, DOT, DOT2, EPI)                                  \
  {                                                                                           \
    int32_t bi, i, j;                                                                         \
    TY *yrow = y;                                                                             \
    for (bi = 0; bi < batch; ++bi) {                                                          \
      const TA *arow = a + a_offsets[bi];                                                     \
      const TB *bmat = b + b_offsets[bi];                                                     \
      for (i = 0; i < m; ++i, arow += k, yrow += n) {                                         \
        const TB *brow = bmat;                                                                \
        for (j = 0; j + 2 <= n; j += 2, brow += 2 * k) {                                      \
          TACC s0, s1;                                                                        \
          DOT2(arow, brow, brow + k, k, &s0, &s1);                                            \
          yrow[j] = (TY)(EPI(bi, i, j, s0));                                                  \
          yrow[j + 1] = (TY)(EPI(bi, i, j + 1, s1));                                          \
        }                                                                                     \
        if (j < n) yrow[j] = (TY)(EPI(bi, i, j, DOT(arow, brow, k)));                         \
      }                                                                                       \
    }                                                                                         \
  }

#define DP_MATMUL_NN_LOOPS(TA, TB, TACC, TY, EPI)                                             \
  {                                                                                           \
    int32_t bi, i, j, t;                                                                      \
    TY *yrow = y;                                                                             \
    for (bi = 0; bi < batch; ++bi) {                                                          \
      const TA *arow = a + a_offsets[bi];                                                     \
      const TB *bmat = b + b_offsets[bi];                                                     \
      for (i = 0; i < m; ++i, arow += k, yrow += n) {                                         \
        for (j = 0; j < (n & ~3); j += 4) {                                                   \
          TACC s0 = 0, s1 = 0, s2 = 0, s3 = 0;                                                \
          const TB *bp = bmat + j;                                                            \
          for (t = 0; t < k; ++t, bp += n) {                                                  \
            TACC v = (TACC)arow[t];                                                           \
            s0 += v * (TACC)bp[0];                                                            \
            s1 += v * (TACC)bp[1];                                                            \
            s2 += v * (TACC)bp[2];                                                            \
            s3 += v * (TACC)bp[3];                                                            \
          }                                                                                   \
          yrow[j] = (TY)(EPI(bi, i, j, s0));                                                  \
          yrow[j + 1] = (TY)(EPI(bi, i, j + 1, s1));                                          \
          yrow[j + 2] = (TY)(EPI(bi, i, j + 2, s2));                                          \
          yrow[j + 3] = (TY)(EPI(bi, i, j + 3, s3));                                          \
        }                                                                                     \
        for (j = n & ~3; j < n; ++j) {                                                        \
          TACC s = 0;                                                                         \
          for (t = 0; t < k; ++t) s += (TACC)arow[t] * (TACC)bmat[t * n + j];                 \
          yrow[j] = (TY)(EPI(bi, i, j, s));                                                   \
        }                                                                                     \
      }                                                                                       \
    }                                                                                         \
  }

#define DP_MATMUL_PLAIN_EPI(bi, i, j, acc) (acc)
#define DP_MATMUL_RQ_EPI(bi, i, j, acc)                                                       \
  dp_requantize(dp_acc_to_s32(acc), mul[(bi) * rq_b + (i) * rq_r + (j) * rq_c],               \
                add[(bi) * rq_b + (i) * rq_r + (j) * rq_c], shift, lo, hi)

#define DP_MATMUL_PARAMS(TA, TB, TY)                                                          \
  const TA *a, const TB *b, TY *y, int32_t batch, int32_t m, int32_t n, int32_t k,            \
      const int32_t *a_offsets, const int32_t *b_offsets
#define DP_RQ_PARAMS \
  const int32_t *mul, const int32_t *add, const int32_t *rq_strides, int32_t shift, int32_t lo, int32_t hi

/* y[bi][i][j] = sum_t a[i][t] * bt[j][t]   (SCOPE: empty or static). */
#define DP_DEFINE_MATMUL_NT(SCOPE, name, TA, TB, TACC, TY)                                    \
  DP_DEFINE_DOT(name##_dot, TA, TB, TACC)                                                     \
  DP_DEFINE_DOT2(name##_dot2, TA, TB, TACC)                                                   \
  SCOPE void name(DP_MATMUL_PARAMS(TA, TB, TY))                                               \
      DP_MATMUL_NT_LOOPS(TA, TB, TACC, TY, name##_dot, name##_dot2, DP_MATMUL_PLAIN_EPI)

/* y[bi][i][j] = sum_t a[i][t] * b[t][j]. */
#define DP_DEFINE_MATMUL_NN(SCOPE, name, TA, TB, TACC, TY) \
  SCOPE void name(DP_MATMUL_PARAMS(TA, TB, TY)) DP_MATMUL_NN_LOOPS(TA, TB, TACC, TY, DP_MATMUL_PLAIN_EPI)

/* Requantized: integer operands, uint32_t accumulator, TY an integer type holding [lo, hi]. */
#define DP_DEFINE_RQMATMUL_NT(SCOPE, name, TA, TB, TY)                                        \
  DP_DEFINE_DOT(name##_dot, TA, TB, uint32_t)                                                 \
  DP_DEFINE_DOT2(name##_dot2, TA, TB, uint32_t)                                               \
  SCOPE void name(DP_MATMUL_PARAMS(TA, TB, TY), DP_RQ_PARAMS) {                               \
    const int32_t rq_b = rq_strides[0], rq_r = rq_strides[1], rq_c = rq_strides[2];           \
    DP_MATMUL_NT_LOOPS(TA, TB, uint32_t, TY, name##_dot, name##_dot2, DP_MATMUL_RQ_EPI)       \
  }

#define DP_DEFINE_RQMATMUL_NN(SCOPE, name, TA, TB, TY)                                        \
  SCOPE void name(DP_MATMUL_PARAMS(TA, TB, TY), DP_RQ_PARAMS) {                               \
    const int32_t rq_b = rq_strides[0], rq_r = rq_strides[1], rq_c = rq_strides[2];           \
    DP_MATMUL_NN_LOOPS(TA, TB, uint32_t, TY, DP_MATMUL_RQ_EPI)                                \
  }

/* Compiled variants (matmul.c). */
void dp_matmul_nt_s8_s8_s32(DP_MATMUL_PARAMS(int8_t, int8_t, int32_t));
void dp_matmul_nn_s8_s8_s32(DP_MATMUL_PARAMS(int8_t, int8_t, int32_t));
void dp_matmul_nt_u8_s8_s32(DP_MATMUL_PARAMS(uint8_t, int8_t, int32_t));
void dp_matmul_nn_u8_s8_s32(DP_MATMUL_PARAMS(uint8_t, int8_t, int32_t));
void dp_matmul_nt_f32_f32_f32(DP_MATMUL_PARAMS(float, float, float));
void dp_matmul_nn_f32_f32_f32(DP_MATMUL_PARAMS(float, float, float));

void dp_rqmatmul_nt_s8_s8_s8(DP_MATMUL_PARAMS(int8_t, int8_t, int8_t), DP_RQ_PARAMS);
void dp_rqmatmul_nn_s8_s8_s8(DP_MATMUL_PARAMS(int8_t, int8_t, int8_t), DP_RQ_PARAMS);
void dp_rqmatmul_nt_s8_s8_u8(DP_MATMUL_PARAMS(int8_t, int8_t, uint8_t), DP_RQ_PARAMS);
void dp_rqmatmul_nn_s8_s8_u8(DP_MATMUL_PARAMS(int8_t, int8_t, uint8_t), DP_RQ_PARAMS);
void dp_rqmatmul_nt_u8_s8_s8(DP_MATMUL_PARAMS(uint8_t, int8_t, int8_t), DP_RQ_PARAMS);
void dp_rqmatmul_nn_u8_s8_s8(DP_MATMUL_PARAMS(uint8_t, int8_t, int8_t), DP_RQ_PARAMS);
void dp_rqmatmul_nt_u8_s8_u8(DP_MATMUL_PARAMS(uint8_t, int8_t, uint8_t), DP_RQ_PARAMS);
void dp_rqmatmul_nn_u8_s8_u8(DP_MATMUL_PARAMS(uint8_t, int8_t, uint8_t), DP_RQ_PARAMS);

#endif
