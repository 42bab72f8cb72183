/* int8 NT matrix-product tiles for Arm cores with MVE (Helium, e.g. Cortex-M55); see matmul_arm.h.
 *
 * VMLADAVA multiplies 16 byte pairs and adds all products to a 32-bit general-purpose register, so an
 * output is a chain of VMLADAVA over contiguous 16-byte chunks of its A row and bt row. Blocks of 3 rows
 * by 2 columns keep 6 accumulators (VMLADAVA accumulates only into even registers, of which 7 are free)
 * and load 5 vectors per 6 instructions of 16 MACs; the K tail is one predicated step (zeroing loads, so
 * lanes past k read nothing and add 0).
 *
 * uint8 A: VMLADAVA needs operands of one signedness, so bt bytes are flipped to b + 128 (an unsigned
 * byte, XOR 0x80) and the unsigned products corrected by -128 * sum(a row), which seeds the row's
 * accumulators: sum a*b = sum a*(b+128) - 128 * sum a, exact modulo 2^32. */
#include "kernels/matmul_arm.h"

#ifdef DP_ARM_MVE
#include <arm_mve.h>

/* Element types and operations of the two A signednesses: loads of A (LDA), of bt as MAC operand (LDB),
 * their zeroing predicated forms (tail), the MAC. */
#define DP_MVE_S8_LDA(p) vldrbq_s8(p)
#define DP_MVE_S8_LDA_Z(p, pred) vldrbq_z_s8(p, pred)
#define DP_MVE_S8_LDB(p) vldrbq_s8(p)
#define DP_MVE_S8_LDB_Z(p, pred) vldrbq_z_s8(p, pred)
#define DP_MVE_S8_MAC(s, x, y) (uint32_t) vmladavaq_s8((int32_t)(s), x, y)
#define DP_MVE_U8_LDA(p) vldrbq_u8(p)
#define DP_MVE_U8_LDA_Z(p, pred) vldrbq_z_u8(p, pred)
#define DP_MVE_U8_LDB(p) veorq_u8(vldrbq_u8((const uint8_t *)(p)), flip)
#define DP_MVE_U8_LDB_Z(p, pred) veorq_u8(vldrbq_z_u8((const uint8_t *)(p), pred), flip)
#define DP_MVE_U8_MAC(s, x, y) vmladavaq_u8(s, x, y)

/* One K step of a block: rows x0.. of A against columns y0.. of bt, accumulators s<row><col>. */
#define DP_MVE_STEP3X2(T, LD_A, LD_B)                                  \
  x0 = LD_A(a0), x1 = LD_A(a1), x2 = LD_A(a2), y0 = LD_B(b0), y1 = LD_B(b1); \
  s00 = T##_MAC(s00, x0, y0), s10 = T##_MAC(s10, x1, y0), s20 = T##_MAC(s20, x2, y0); \
  s01 = T##_MAC(s01, x0, y1), s11 = T##_MAC(s11, x1, y1), s21 = T##_MAC(s21, x2, y1);
#define DP_MVE_STEP3X1(T, LD_A, LD_B)                                             \
  x0 = LD_A(a0), x1 = LD_A(a1), x2 = LD_A(a2), y0 = LD_B(b0);                     \
  s00 = T##_MAC(s00, x0, y0), s10 = T##_MAC(s10, x1, y0), s20 = T##_MAC(s20, x2, y0);
#define DP_MVE_STEP1X4(T, LD_A, LD_B)                                                         \
  x0 = LD_A(a0), y0 = LD_B(b0), y1 = LD_B(b1), y2 = LD_B(b2), y3 = LD_B(b3);                  \
  s00 = T##_MAC(s00, x0, y0), s01 = T##_MAC(s01, x0, y1), s02 = T##_MAC(s02, x0, y2);         \
  s03 = T##_MAC(s03, x0, y3);
#define DP_MVE_STEP1X1(T, LD_A, LD_B) \
  x0 = LD_A(a0), y0 = LD_B(b0);       \
  s00 = T##_MAC(s00, x0, y0);

#define DP_MVE_FULL(T, STEP, ADVANCE) STEP(T, T##_LDA, T##_LDB) ADVANCE(16)
/* The K loop: full 16-byte steps, then one predicated step for k % 16. */
#define DP_MVE_K_LOOP(T, STEP, ADVANCE)                                          \
  {                                                                              \
    int32_t steps = k >> 4;                                                      \
    const mve_pred16_t tail = vctp8q((uint32_t)k & 15u);                         \
    for (; steps > 0; --steps) { DP_MVE_FULL(T, STEP, ADVANCE) }                 \
    if (k & 15) { STEP(T, DP_MVE_TAIL_A_##T, DP_MVE_TAIL_B_##T) }                \
  }
#define DP_MVE_TAIL_A_DP_MVE_S8(p) DP_MVE_S8_LDA_Z(p, tail)
#define DP_MVE_TAIL_B_DP_MVE_S8(p) DP_MVE_S8_LDB_Z(p, tail)
#define DP_MVE_TAIL_A_DP_MVE_U8(p) DP_MVE_U8_LDA_Z(p, tail)
#define DP_MVE_TAIL_B_DP_MVE_U8(p) DP_MVE_U8_LDB_Z(p, tail)

#define DP_MVE_ADVANCE_3X2(d) a0 += (d), a1 += (d), a2 += (d), b0 += (d), b1 += (d);
#define DP_MVE_ADVANCE_3X1(d) a0 += (d), a1 += (d), a2 += (d), b0 += (d);
#define DP_MVE_ADVANCE_1X4(d) a0 += (d), b0 += (d), b1 += (d), b2 += (d), b3 += (d);
#define DP_MVE_ADVANCE_1X1(d) a0 += (d), b0 += (d);

/* The block kernels of one A type: TA its element type, VA/VB the vector types of A and of the bt
 * operand, T the operation prefix. seed[r] is the initial accumulator of row r (the uint8 correction). */
#define DP_MVE_DEFINE_BLOCKS(T, TA, VA, VB)                                                          \
  static void T##_3x2(const TA *a, const int8_t *b, int32_t k, const uint32_t *seed, uint32_t *acc,  \
                      int32_t stride, VB flip) {                                                    \
    const TA *a0 = a, *a1 = a0 + k, *a2 = a1 + k;                                                    \
    const int8_t *b0 = b, *b1 = b0 + k;                                                              \
    uint32_t s00 = seed[0], s01 = seed[0], s10 = seed[1], s11 = seed[1], s20 = seed[2], s21 = seed[2]; \
    VA x0, x1, x2;                                                                                   \
    VB y0, y1;                                                                                       \
    (void)flip;                                                                                      \
    DP_MVE_K_LOOP(T, DP_MVE_STEP3X2, DP_MVE_ADVANCE_3X2)                                             \
    acc[0] = s00, acc[1] = s01, acc[stride] = s10, acc[stride + 1] = s11;                            \
    acc[2 * stride] = s20, acc[2 * stride + 1] = s21;                                                \
  }                                                                                                  \
  static void T##_3x1(const TA *a, const int8_t *b, int32_t k, const uint32_t *seed, uint32_t *acc,  \
                      int32_t stride, VB flip) {                                                    \
    const TA *a0 = a, *a1 = a0 + k, *a2 = a1 + k;                                                    \
    const int8_t *b0 = b;                                                                            \
    uint32_t s00 = seed[0], s10 = seed[1], s20 = seed[2];                                            \
    VA x0, x1, x2;                                                                                   \
    VB y0;                                                                                           \
    (void)flip;                                                                                      \
    DP_MVE_K_LOOP(T, DP_MVE_STEP3X1, DP_MVE_ADVANCE_3X1)                                             \
    acc[0] = s00, acc[stride] = s10, acc[2 * stride] = s20;                                          \
  }                                                                                                  \
  static void T##_1x4(const TA *a, const int8_t *b, int32_t k, uint32_t seed, uint32_t *acc, VB flip) { \
    const TA *a0 = a;                                                                                \
    const int8_t *b0 = b, *b1 = b0 + k, *b2 = b1 + k, *b3 = b2 + k;                                  \
    uint32_t s00 = seed, s01 = seed, s02 = seed, s03 = seed;                                         \
    VA x0;                                                                                           \
    VB y0, y1, y2, y3;                                                                               \
    (void)flip;                                                                                      \
    DP_MVE_K_LOOP(T, DP_MVE_STEP1X4, DP_MVE_ADVANCE_1X4)                                             \
    acc[0] = s00, acc[1] = s01, acc[2] = s02, acc[3] = s03;                                          \
  }                                                                                                  \
  static uint32_t T##_1x1(const TA *a, const int8_t *b, int32_t k, uint32_t seed, VB flip) {         \
    const TA *a0 = a;                                                                                \
    const int8_t *b0 = b;                                                                            \
    uint32_t s00 = seed;                                                                             \
    VA x0;                                                                                           \
    VB y0;                                                                                           \
    (void)flip;                                                                                      \
    DP_MVE_K_LOOP(T, DP_MVE_STEP1X1, DP_MVE_ADVANCE_1X1)                                             \
    return s00;                                                                                      \
  }                                                                                                  \
  /* A tile: 3x2 blocks (3x1 for an odd last column), then leftover rows with 1x4 and 1x1. */         \
  static void T##_tile(const TA *a, const int8_t *bt, int32_t rows, int32_t cols, int32_t k,          \
                       const uint32_t *seed, uint32_t *acc, int32_t stride, VB flip) {               \
    const int32_t rows3 = rows - rows % 3, cols2 = cols & ~(int32_t)1, cols4 = cols & ~(int32_t)3;   \
    int32_t i, j;                                                                                    \
    for (i = 0; i < rows3; i += 3) {                                                                 \
      const TA *arow = a + i * k;                                                                    \
      uint32_t *accrow = acc + i * stride;                                                           \
      for (j = 0; j < cols2; j += 2) T##_3x2(arow, bt + j * k, k, seed + i, accrow + j, stride, flip); \
      if (cols & 1) T##_3x1(arow, bt + cols2 * k, k, seed + i, accrow + cols2, stride, flip);        \
    }                                                                                                \
    for (i = rows3; i < rows; ++i) {                                                                 \
      const TA *arow = a + i * k;                                                                    \
      uint32_t *accrow = acc + i * stride;                                                           \
      for (j = 0; j < cols4; j += 4) T##_1x4(arow, bt + j * k, k, seed[i], accrow + j, flip);        \
      for (j = cols4; j < cols; ++j) accrow[j] = T##_1x1(arow, bt + j * k, k, seed[i], flip);        \
    }                                                                                                \
  }

DP_MVE_DEFINE_BLOCKS(DP_MVE_S8, int8_t, int8x16_t, int8x16_t)
DP_MVE_DEFINE_BLOCKS(DP_MVE_U8, uint8_t, uint8x16_t, uint8x16_t)

void dp_arm_nt_tile_s8(const int8_t *a, const int8_t *bt, int32_t rows, int32_t cols, int32_t k, uint32_t *acc,
                       int32_t acc_stride) {
  static const uint32_t zero_seed[DP_ARM_TILE_ROWS] = {0};
  int32_t i0;
  for (i0 = 0; i0 < rows; i0 += DP_ARM_TILE_ROWS) {
    const int32_t band = rows - i0 < DP_ARM_TILE_ROWS ? rows - i0 : DP_ARM_TILE_ROWS;
    DP_MVE_S8_tile(a + i0 * k, bt, band, cols, k, zero_seed, acc + i0 * acc_stride, acc_stride, vdupq_n_s8(0));
  }
}

/* -128 * sum of a row (mod 2^32): the seed of its accumulators against flipped bt bytes. */
static uint32_t dp_mve_u8_row_seed(const uint8_t *row, int32_t k) {
  uint32_t sum = 0;
  int32_t t;
  for (t = 0; t < k; t += 16) sum = vaddvaq_u8(sum, vldrbq_z_u8(row + t, vctp8q((uint32_t)(k - t))));
  return 0u - (sum << 7);
}

void dp_arm_nt_tile_u8(const uint8_t *a, const int8_t *bt, int32_t rows, int32_t cols, int32_t k, uint32_t *acc,
                       int32_t acc_stride) {
  uint32_t seed[DP_ARM_TILE_ROWS];
  int32_t i0, i;
  for (i0 = 0; i0 < rows; i0 += DP_ARM_TILE_ROWS) {
    const int32_t band = rows - i0 < DP_ARM_TILE_ROWS ? rows - i0 : DP_ARM_TILE_ROWS;
    for (i = 0; i < band; ++i) seed[i] = dp_mve_u8_row_seed(a + (i0 + i) * k, k);
    DP_MVE_U8_tile(a + i0 * k, bt, band, cols, k, seed, acc + i0 * acc_stride, acc_stride, vdupq_n_u8(0x80));
  }
}

void dp_arm_requantize_tile(const uint32_t *acc, int32_t acc_stride, int32_t rows, int32_t cols, uint8_t *y,
                            int32_t y_stride, const int32_t *mul, const int32_t *add, int32_t rq_r, int32_t rq_c,
                            int32_t shift_32, int32_t lo, int32_t hi) {
  const int32x4_t vlo = vdupq_n_s32(lo), vhi = vdupq_n_s32(hi);
  int32_t r, c;
  for (r = 0; r < rows; ++r, acc += acc_stride, y += y_stride, mul += rq_r, add += rq_r) {
    int32x4_t vmul = vdupq_n_s32(mul[0]), vadd = vdupq_n_s32(add[0]);
    for (c = 0; c < cols; c += 4) {
      const mve_pred16_t lanes = vctp32q((uint32_t)(cols - c));
      int32x4_t v = vreinterpretq_s32_u32(vldrwq_z_u32(acc + c, lanes));
      if (rq_c) vmul = vldrwq_z_s32(mul + c, lanes), vadd = vldrwq_z_s32(add + c, lanes);
      v = vaddq_s32(vmulq_s32(v, vmul), vadd);
      v = vminq_s32(vmaxq_s32(vshlq_r_s32(v, -shift_32), vlo), vhi);
      vstrbq_p_s32((int8_t *)(y + c), v, lanes);
    }
  }
}
#endif
