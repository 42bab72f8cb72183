/* int8 NN matrix-product tiles for Arm cores with MVE (Helium, e.g. Cortex-M55); see matmul_nn_arm.h.
 *
 * MVE has no lane-wise dot product, so outputs are vectorised over columns: per step t, VLDRB.S32
 * widens four adjacent bytes of B row t to 32-bit lanes and VMLA adds them times the scalar a[r][t]
 * (LDRSB, or LDRB for uint8: the scalar is a full 32-bit value, so unsigned A needs no correction).
 * Blocks of 3 rows by 2 vectors (8 columns) keep 6 accumulator vectors of the 8 Q registers: per step 2
 * loads of B, 3 of A, a pointer step, 6 VMLA and the loop's LE (GCC forms DLS/LE loops), 14 instructions
 * per 24 MACs; single rows (the GEMV of M = 1) take 1x4 blocks (16 columns), 12 per 16 MACs.
 * Columns left of a row (fewer than a block) are dot products along K of gathered B columns (see
 * dp_nn_mve_*_gather below), which keeps narrow products (attention heads of 4) from running mostly
 * empty lanes. Measured on QEMU (instructions per MAC, int8): MatMul 1x256x64 0.76 (generic 3.65),
 * 64x64x64 0.61 (2.95), 1x255x4 0.37 (4.08). */
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

/* A block of 3 rows by 2 full vectors of columns from b (rows of ldb bytes), accumulators at acc (rows of
 * stride). */
#define DP_NN_MVE_DEFINE_BLOCK3X2(name, TA)                                                                    \
  static void name(const TA *a, int32_t k, const int8_t *b, int32_t ldb, int32_t *acc, int32_t stride) {       \
    const TA *a0 = a, *a1 = a0 + k, *a2 = a1 + k;                                                              \
    int32x4_t s00 = vdupq_n_s32(0), s01 = s00, s10 = s00, s11 = s00, s20 = s00, s21 = s00;                    \
    int32_t t;                                                                                                 \
    for (t = 0; t < k; ++t, b += ldb) {                                                                        \
      const int32x4_t y0 = vldrbq_s32(b), y1 = vldrbq_s32(b + 4);                                              \
      const int32_t x0 = *a0++, x1 = *a1++, x2 = *a2++;                                                        \
      s00 = vmlaq_n_s32(s00, y0, x0), s10 = vmlaq_n_s32(s10, y0, x1), s20 = vmlaq_n_s32(s20, y0, x2);          \
      s01 = vmlaq_n_s32(s01, y1, x0), s11 = vmlaq_n_s32(s11, y1, x1), s21 = vmlaq_n_s32(s21, y1, x2);          \
    }                                                                                                          \
    vstrwq_s32(acc, s00), vstrwq_s32(acc + 4, s01);                                                            \
    vstrwq_s32(acc + stride, s10), vstrwq_s32(acc + stride + 4, s11);                                          \
    vstrwq_s32(acc + 2 * stride, s20), vstrwq_s32(acc + 2 * stride + 4, s21);                                  \
  }
/* A block of 1 row by 4 vectors of columns; q0 .. q3: the vectors' lanes (predicates) for LOAD and STORE. */
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

/* Narrow column ranges (n below a block, e.g. attention's P V with heads of 4): each output is a dot
 * product along k, its B column gathered by VLDRB with offsets (0, ldb, 2 ldb, ...) into one vector and
 * multiplied with the A row by VMLADAVA. Bytes (16 K per step) for int8 A and ldb <= 17 (8-bit
 * offsets), halfwords (8 K per step, uint8 A as int16 lanes) otherwise, up to ldb of 9362 (16-bit
 * offsets). Columns go four at a time (one A load, four gathers with offsets + 0 .. 3), then one at a
 * time; the k % lanes tail is predicated (inactive lanes load nothing and add 0). */
#define DP_NN_MVE_GATHER_MAX_LDB8 17
#define DP_NN_MVE_GATHER_MAX_LDB16 9362
#define DP_NN_MVE_GATHER4(MAC, GATHER, v, p, pred)                                                     \
  s0 = MAC(s0, v, GATHER(p, o0, pred)), s1 = MAC(s1, v, GATHER(p, o1, pred)), s2 = MAC(s2, v, GATHER(p, o2, pred)), \
  s3 = MAC(s3, v, GATHER(p, o3, pred));
#define DP_NN_MVE_GATHER1(MAC, GATHER, v, p, pred) s0 = MAC(s0, v, GATHER(p, o0, pred));
#define DP_NN_MVE_GATHER_COLUMNS(COLUMNS, TA, VA, LDA, GATHER, MAC)                                 \
  {                                                                                                  \
    const TA *x = a;                                                                                 \
    const int8_t *p = b + j;                                                                         \
    int32_t s0 = 0, s1 = 0, s2 = 0, s3 = 0, i;                                                       \
    for (i = steps; i > 0; --i, x += lanes, p += step_bytes) {                                       \
      const VA v = LDA(x, tail); /* the full loads ignore the predicate */                           \
      COLUMNS(MAC, GATHER, v, p, tail)                                                               \
    }                                                                                                \
    if (rest) {                                                                                      \
      const VA v = LDA##_Z(x, tail);                                                                 \
      COLUMNS(MAC, GATHER##_Z, v, p, tail)                                                           \
    }                                                                                                \
    acc[j] = (uint32_t)s0;                                                                           \
    if (width == 4) acc[j + 1] = (uint32_t)s1, acc[j + 2] = (uint32_t)s2, acc[j + 3] = (uint32_t)s3; \
  }
#define DP_NN_MVE_DEFINE_GATHER(name, TA, VA, VO, LANES, OFFSETS, ADD_N, LDA, GATHER, MAC, VCTP)     \
  static void name(const TA *a, int32_t k, const int8_t *b, int32_t ldb, int32_t cols, uint32_t *acc) { \
    const int32_t lanes = LANES, steps = k / LANES, rest = k % LANES, step_bytes = LANES * ldb;      \
    const VO o0 = OFFSETS(ldb), o1 = ADD_N(o0, 1), o2 = ADD_N(o0, 2), o3 = ADD_N(o0, 3);             \
    const mve_pred16_t tail = VCTP(rest);                                                            \
    int32_t j = 0, width = 4;                                                                        \
    for (; j + 4 <= cols; j += 4) DP_NN_MVE_GATHER_COLUMNS(DP_NN_MVE_GATHER4, TA, VA, LDA, GATHER, MAC)\
    for (width = 1; j < cols; ++j) DP_NN_MVE_GATHER_COLUMNS(DP_NN_MVE_GATHER1, TA, VA, LDA, GATHER, MAC)\
  }
/* Loads of the gather kernels (the full ones ignore the predicate). */
#define DP_NN_MVE_OFFSETS8(ldb) vmulq_n_u8(vidupq_n_u8(0, 1), (uint8_t)(ldb))
#define DP_NN_MVE_OFFSETS16(ldb) vmulq_n_u16(vidupq_n_u16(0, 1), (uint16_t)(ldb))
#define DP_NN_MVE_A8(p, pred) vldrbq_s8(p)
#define DP_NN_MVE_A8_Z(p, pred) vldrbq_z_s8(p, pred)
#define DP_NN_MVE_GATHER8(p, o, pred) vldrbq_gather_offset_s8(p, o)
#define DP_NN_MVE_GATHER8_Z(p, o, pred) vldrbq_gather_offset_z_s8(p, o, pred)
#define DP_NN_MVE_S8_A16(p, pred) vldrbq_s16(p)
#define DP_NN_MVE_S8_A16_Z(p, pred) vldrbq_z_s16(p, pred)
#define DP_NN_MVE_U8_A16(p, pred) vreinterpretq_s16_u16(vldrbq_u16(p))
#define DP_NN_MVE_U8_A16_Z(p, pred) vreinterpretq_s16_u16(vldrbq_z_u16(p, pred))
#define DP_NN_MVE_GATHER16(p, o, pred) vldrbq_gather_offset_s16(p, o)
#define DP_NN_MVE_GATHER16_Z(p, o, pred) vldrbq_gather_offset_z_s16(p, o, pred)

DP_NN_MVE_DEFINE_GATHER(dp_nn_mve_s8_gather8, int8_t, int8x16_t, uint8x16_t, 16, DP_NN_MVE_OFFSETS8, vaddq_n_u8,
                        DP_NN_MVE_A8, DP_NN_MVE_GATHER8, vmladavaq_s8, vctp8q)
DP_NN_MVE_DEFINE_GATHER(dp_nn_mve_s8_gather16, int8_t, int16x8_t, uint16x8_t, 8, DP_NN_MVE_OFFSETS16, vaddq_n_u16,
                        DP_NN_MVE_S8_A16, DP_NN_MVE_GATHER16, vmladavaq_s16, vctp16q)
DP_NN_MVE_DEFINE_GATHER(dp_nn_mve_u8_gather16, uint8_t, int16x8_t, uint16x8_t, 8, DP_NN_MVE_OFFSETS16, vaddq_n_u16,
                        DP_NN_MVE_U8_A16, DP_NN_MVE_GATHER16, vmladavaq_s16, vctp16q)
/* uint8 A never takes byte lanes (VMLADAVA multiplies operands of one signedness). */
#define dp_nn_mve_u8_gather8 dp_nn_mve_u8_gather16

/* A tile of one A type: bands of three rows in 3x2 blocks, single rows in 1x4 blocks; the columns left
 * of each row go to the gather kernels, or (B rows too long for their offsets) to predicated 1x4 blocks. */
#define DP_NN_MVE_DEFINE_TILE(T, TA)                                                                           \
  DP_NN_MVE_DEFINE_BLOCK3X2(dp_nn_mve_##T##_3x2, TA)                                                         \
  DP_NN_MVE_DEFINE_BLOCK1X4(dp_nn_mve_##T##_1x4, TA, DP_NN_MVE_LOAD_FULL, DP_NN_MVE_STORE_FULL)                \
  DP_NN_MVE_DEFINE_BLOCK1X4(dp_nn_mve_##T##_1x4_pred, TA, DP_NN_MVE_LOAD_PRED, DP_NN_MVE_STORE_PRED)           \
  /* Columns from j0 to cols of one row. */                                                                    \
  static void dp_nn_mve_##T##_narrow(const TA *a, int32_t k, const int8_t *b, int32_t ldb, int32_t j0,        \
                                     int32_t cols, uint32_t *acc) {                                            \
    int32_t j;                                                                                                 \
    if (DP_ARM_IS_S8(TA) && ldb <= DP_NN_MVE_GATHER_MAX_LDB8)                                                  \
      dp_nn_mve_##T##_gather8(a, k, b + j0, ldb, cols - j0, acc + j0);                                         \
    else if (ldb <= DP_NN_MVE_GATHER_MAX_LDB16)                                                                \
      dp_nn_mve_##T##_gather16(a, k, b + j0, ldb, cols - j0, acc + j0);                                        \
    else                                                                                                       \
      for (j = j0; j < cols; j += 16)                                                                          \
        dp_nn_mve_##T##_1x4_pred(a, k, b + j, ldb, (int32_t *)(void *)(acc + j), dp_nn_mve_lanes(cols - j, 0), \
                                 dp_nn_mve_lanes(cols - j, 1), dp_nn_mve_lanes(cols - j, 2),                   \
                                 dp_nn_mve_lanes(cols - j, 3));                                                \
  }                                                                                                            \
  void dp_arm_nn_tile_##T(const TA *a, const int8_t *b, int32_t ldb, int32_t rows, int32_t cols, int32_t k,    \
                          uint32_t *acc, int32_t acc_stride) {                                                 \
    const int32_t band_cols = cols & ~(int32_t)(4 * DP_NN_MVE_BAND_VECTORS - 1);                               \
    const int32_t row_cols = cols & ~(int32_t)(4 * DP_NN_MVE_ROW_VECTORS - 1);                                 \
    int32_t i = 0, j, r;                                                                                       \
    for (; i + 3 <= rows; i += 3) {                                                                            \
      const TA *arow = a + i * k;                                                                              \
      uint32_t *orow = acc + i * acc_stride;                                                                   \
      for (j = 0; j < band_cols; j += 4 * DP_NN_MVE_BAND_VECTORS)                                              \
        dp_nn_mve_##T##_3x2(arow, k, b + j, ldb, (int32_t *)(void *)(orow + j), acc_stride);                   \
      if (band_cols < cols)                                                                                    \
        for (r = 0; r < 3; ++r)                                                                                \
          dp_nn_mve_##T##_narrow(arow + r * k, k, b, ldb, band_cols, cols, orow + r * acc_stride);             \
    }                                                                                                          \
    for (; i < rows; ++i) {                                                                                    \
      const TA *arow = a + i * k;                                                                              \
      uint32_t *orow = acc + i * acc_stride;                                                                   \
      for (j = 0; j < row_cols; j += 4 * DP_NN_MVE_ROW_VECTORS)                                                \
        dp_nn_mve_##T##_1x4(arow, k, b + j, ldb, (int32_t *)(void *)(orow + j), 0, 0, 0, 0);                   \
      if (row_cols < cols) dp_nn_mve_##T##_narrow(arow, k, b, ldb, row_cols, cols, orow);                     \
    }                                                                                                          \
  }

DP_NN_MVE_DEFINE_TILE(s8, int8_t)
DP_NN_MVE_DEFINE_TILE(u8, uint8_t)
#endif
