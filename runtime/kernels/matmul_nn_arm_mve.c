/* int8 NN matrix-product tiles for Arm cores with MVE (Helium, e.g. Cortex-M55); see matmul_nn_arm.h.
 *
 * MVE has no lane-wise dot product, so outputs are vectorised over columns: per step t, VLDRB.S32
 * widens four adjacent bytes of B row t to 32-bit lanes and VMLA adds them times the scalar a[r][t]
 * (LDRSB, or LDRB for uint8: the scalar is a full 32-bit value, so unsigned A needs no correction).
 * Blocks of 3 rows by 2 vectors (8 columns) keep 6 accumulator vectors of the 8 Q registers and cost 2
 * loads of B, 3 of A, a pointer step and 6 VMLA per 24 MACs; single rows take 4 vectors (16 columns).
 * The last block of a row predicates its vectors (zeroing loads, predicated stores) on the columns left. */
#include "kernels/matmul_nn_arm.h"

#ifdef DP_ARM_MVE
#include <arm_mve.h>

#define DP_NN_MVE_BAND_VECTORS 2
#define DP_NN_MVE_ROW_VECTORS 4

/* Loads of four B bytes as int32 lanes: all of them, or the lanes of predicate P (others 0). */
#define DP_NN_MVE_LOAD_FULL(p, pred) vldrbq_s32(p)
#define DP_NN_MVE_LOAD_PRED(p, pred) vldrbq_z_s32(p, pred)
#define DP_NN_MVE_STORE_FULL(p, v, pred) vstrwq_s32(p, v)
#define DP_NN_MVE_STORE_PRED(p, v, pred) vstrwq_p_s32(p, v, pred)

/* A block of 3 rows by 2 vectors of columns from b (rows of ldb bytes), accumulators at acc (rows of
 * stride); q0, q1: the vectors' lanes (predicates) for LOAD and STORE. */
#define DP_NN_MVE_DEFINE_BLOCK3X2(name, TA, LOAD, STORE)                                                       \
  static void name(const TA *a, int32_t k, const int8_t *b, int32_t ldb, int32_t *acc, int32_t stride,         \
                   mve_pred16_t q0, mve_pred16_t q1) {                                                          \
    const TA *a0 = a, *a1 = a0 + k, *a2 = a1 + k;                                                              \
    int32x4_t s00 = vdupq_n_s32(0), s01 = s00, s10 = s00, s11 = s00, s20 = s00, s21 = s00;                    \
    int32_t t;                                                                                                 \
    (void)q0, (void)q1;                                                                                        \
    for (t = 0; t < k; ++t, b += ldb) {                                                                        \
      const int32x4_t y0 = LOAD(b, q0), y1 = LOAD(b + 4, q1);                                                  \
      const int32_t x0 = *a0++, x1 = *a1++, x2 = *a2++;                                                        \
      s00 = vmlaq_n_s32(s00, y0, x0), s10 = vmlaq_n_s32(s10, y0, x1), s20 = vmlaq_n_s32(s20, y0, x2);          \
      s01 = vmlaq_n_s32(s01, y1, x0), s11 = vmlaq_n_s32(s11, y1, x1), s21 = vmlaq_n_s32(s21, y1, x2);          \
    }                                                                                                          \
    STORE(acc, s00, q0), STORE(acc + 4, s01, q1);                                                              \
    STORE(acc + stride, s10, q0), STORE(acc + stride + 4, s11, q1);                                            \
    STORE(acc + 2 * stride, s20, q0), STORE(acc + 2 * stride + 4, s21, q1);                                    \
  }
/* A block of 1 row by 4 vectors of columns. */
#define DP_NN_MVE_DEFINE_BLOCK1X4(name, TA, LOAD, STORE)                                                       \
  static void name(const TA *a, int32_t k, const int8_t *b, int32_t ldb, int32_t *acc, mve_pred16_t q0,        \
                   mve_pred16_t q1, mve_pred16_t q2, mve_pred16_t q3) {                                        \
    int32x4_t s0 = vdupq_n_s32(0), s1 = s0, s2 = s0, s3 = s0;                                                  \
    int32_t t;                                                                                                 \
    (void)q0, (void)q1, (void)q2, (void)q3;                                                                    \
    for (t = 0; t < k; ++t, b += ldb) {                                                                        \
      const int32_t x0 = *a++;                                                                                 \
      s0 = vmlaq_n_s32(s0, LOAD(b, q0), x0), s1 = vmlaq_n_s32(s1, LOAD(b + 4, q1), x0);                        \
      s2 = vmlaq_n_s32(s2, LOAD(b + 8, q2), x0), s3 = vmlaq_n_s32(s3, LOAD(b + 12, q3), x0);                   \
    }                                                                                                          \
    STORE(acc, s0, q0), STORE(acc + 4, s1, q1), STORE(acc + 8, s2, q2), STORE(acc + 12, s3, q3);               \
  }

/* The lanes of vector v of a block whose columns from its first are `left` (all four when left >= 4v+4). */
static mve_pred16_t dp_nn_mve_lanes(int32_t left, int32_t v) {
  const int32_t lanes = left - 4 * v;
  return vctp32q(lanes > 0 ? (uint32_t)lanes : 0u);
}

/* A tile of one A type: bands of three rows (3x2 blocks, the last one predicated), then single rows
 * (1x4 blocks, the last one predicated). */
#define DP_NN_MVE_DEFINE_TILE(T, TA)                                                                           \
  DP_NN_MVE_DEFINE_BLOCK3X2(dp_nn_mve_##T##_3x2, TA, DP_NN_MVE_LOAD_FULL, DP_NN_MVE_STORE_FULL)                \
  DP_NN_MVE_DEFINE_BLOCK3X2(dp_nn_mve_##T##_3x2_pred, TA, DP_NN_MVE_LOAD_PRED, DP_NN_MVE_STORE_PRED)           \
  DP_NN_MVE_DEFINE_BLOCK1X4(dp_nn_mve_##T##_1x4, TA, DP_NN_MVE_LOAD_FULL, DP_NN_MVE_STORE_FULL)                \
  DP_NN_MVE_DEFINE_BLOCK1X4(dp_nn_mve_##T##_1x4_pred, TA, DP_NN_MVE_LOAD_PRED, DP_NN_MVE_STORE_PRED)           \
  void dp_arm_nn_tile_##T(const TA *a, const int8_t *b, int32_t ldb, int32_t rows, int32_t cols, int32_t k,    \
                          uint32_t *acc, int32_t acc_stride) {                                                 \
    const int32_t band_cols = 4 * DP_NN_MVE_BAND_VECTORS, row_cols = 4 * DP_NN_MVE_ROW_VECTORS;                \
    int32_t *const out = (int32_t *)(void *)acc;                                                              \
    int32_t i = 0, j;                                                                                          \
    for (; i + 3 <= rows; i += 3) {                                                                            \
      const TA *arow = a + i * k;                                                                              \
      int32_t *orow = out + i * acc_stride;                                                                    \
      for (j = 0; j + band_cols <= cols; j += band_cols)                                                       \
        dp_nn_mve_##T##_3x2(arow, k, b + j, ldb, orow + j, acc_stride, 0, 0);                                  \
      if (j < cols)                                                                                            \
        dp_nn_mve_##T##_3x2_pred(arow, k, b + j, ldb, orow + j, acc_stride, dp_nn_mve_lanes(cols - j, 0),      \
                                 dp_nn_mve_lanes(cols - j, 1));                                                \
    }                                                                                                          \
    for (; i < rows; ++i) {                                                                                    \
      const TA *arow = a + i * k;                                                                              \
      int32_t *orow = out + i * acc_stride;                                                                    \
      for (j = 0; j + row_cols <= cols; j += row_cols) dp_nn_mve_##T##_1x4(arow, k, b + j, ldb, orow + j, 0, 0, 0, 0); \
      if (j < cols)                                                                                            \
        dp_nn_mve_##T##_1x4_pred(arow, k, b + j, ldb, orow + j, dp_nn_mve_lanes(cols - j, 0),                  \
                                 dp_nn_mve_lanes(cols - j, 1), dp_nn_mve_lanes(cols - j, 2),                   \
                                 dp_nn_mve_lanes(cols - j, 3));                                                \
    }                                                                                                          \
  }

DP_NN_MVE_DEFINE_TILE(s8, int8_t)
DP_NN_MVE_DEFINE_TILE(u8, uint8_t)
#endif
