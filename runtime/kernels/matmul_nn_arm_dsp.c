/* int8 NN matrix-product tiles for Arm cores with the DSP extension and no MVE (Cortex-M4, M7, M33); see
 * matmul_nn_arm.h.
 *
 * SMLAD multiplies two pairs of 16-bit lanes and adds both products to a 32-bit accumulator, so its B
 * operand must hold two values of one column from two rows of B. Per group of four K (rows t .. t+3 of
 * B) and four columns, a word of A gives the A pairs (a[t], a[t+2]) and (a[t+1], a[t+3]) by SXTB16 of
 * its even and odd bytes (UXTB16 for uint8), and words w0 .. w3 of the four B rows are paired the same
 * way: PKHBT / PKHTB join the low (high) halves of rows t and t+2, (w0.b0 w0.b1 w2.b0 w2.b1), and SXTB16
 * of its even and odd bytes gives (b[t][c], b[t+2][c]) for c = 0, 1. That is 4 loads, 4 PKH, 8 SXTB16
 * and 8 SMLAD per 16 MACs, plus the A pairs and pointer steps; the last k % 4 terms and the last cols % 4
 * columns are scalar. */
#include "kernels/matmul_nn_arm.h"

#ifdef DP_ARM_DSP
#include <arm_acle.h>
#include <string.h>

/* Four bytes from any address (unaligned loads are allowed on these cores). */
static inline uint32_t dp_nn_dsp_load4(const void *p) {
  uint32_t v;
  memcpy(&v, p, sizeof v);
  return v;
}

/* SXTB16 / UXTB16 of a word rotated right by 8 (its odd bytes) in one instruction. */
static inline uint32_t dp_nn_dsp_sxtb16_odd(uint32_t w) {
  uint32_t r;
  __asm("sxtb16 %0, %1, ror #8" : "=r"(r) : "r"(w));
  return r;
}
static inline uint32_t dp_nn_dsp_uxtb16_odd(uint32_t w) {
  uint32_t r;
  __asm("uxtb16 %0, %1, ror #8" : "=r"(r) : "r"(w));
  return r;
}
#define DP_NN_DSP_EVEN_S8(w) (uint32_t) __sxtb16(w)
#define DP_NN_DSP_ODD_S8(w) dp_nn_dsp_sxtb16_odd(w)
#define DP_NN_DSP_EVEN_U8(w) (uint32_t) __uxtb16(w)
#define DP_NN_DSP_ODD_U8(w) dp_nn_dsp_uxtb16_odd(w)
#define DP_NN_DSP_SMLAD(x, y, acc) (uint32_t) __smlad((int16x2_t)(x), (int16x2_t)(y), (int32_t)(acc))

/* The low halves of words lo_row and hi_row side by side (PKHBT), and their high halves (PKHTB): one
 * instruction each, which GCC does not form from the shifts and masks. */
static inline uint32_t dp_nn_dsp_low_halves(uint32_t lo_row, uint32_t hi_row) {
  uint32_t r;
  __asm("pkhbt %0, %1, %2, lsl #16" : "=r"(r) : "r"(lo_row), "r"(hi_row));
  return r;
}
static inline uint32_t dp_nn_dsp_high_halves(uint32_t lo_row, uint32_t hi_row) {
  uint32_t r;
  __asm("pkhtb %0, %2, %1, asr #16" : "=r"(r) : "r"(lo_row), "r"(hi_row));
  return r;
}

/* Four columns of B rows r0 and r2 (two rows apart) against the A pair x: s0 .. s3 += x . (b[r0][c], b[r2][c]). */
#define DP_NN_DSP_ROW_PAIR(r0, r2, x)                             \
  {                                                               \
    const uint32_t lo = dp_nn_dsp_low_halves(r0, r2);             \
    const uint32_t hi = dp_nn_dsp_high_halves(r0, r2);            \
    s0 = DP_NN_DSP_SMLAD(x, DP_NN_DSP_EVEN_S8(lo), s0);           \
    s1 = DP_NN_DSP_SMLAD(x, DP_NN_DSP_ODD_S8(lo), s1);            \
    s2 = DP_NN_DSP_SMLAD(x, DP_NN_DSP_EVEN_S8(hi), s2);           \
    s3 = DP_NN_DSP_SMLAD(x, DP_NN_DSP_ODD_S8(hi), s3);            \
  }

/* One row of A against the columns of a tile: blocks of four columns (groups of four K, then the k % 4
 * rest), then the last cols % 4 columns one at a time. */
#define DP_NN_DSP_DEFINE_ROW(T, TA, EVEN, ODD)                                                                 \
  static void dp_nn_dsp_##T##_row(const TA *a, const int8_t *b, int32_t ldb, int32_t cols, int32_t k,          \
                                  uint32_t *acc) {                                                             \
    const int32_t groups = k >> 2, ldb4 = 4 * ldb;                                                             \
    int32_t j, t;                                                                                              \
    for (j = 0; j + 4 <= cols; j += 4) {                                                                       \
      const int8_t *p = b + j, *q = p + 2 * ldb;                                                               \
      const TA *x = a, *const x_end = a + 4 * groups;                                                          \
      uint32_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;                                                                 \
      for (; x != x_end; x += 4, p += ldb4, q += ldb4) {                                                       \
        const uint32_t aw = dp_nn_dsp_load4(x);                                                                \
        const uint32_t w0 = dp_nn_dsp_load4(p), w2 = dp_nn_dsp_load4(q);                                       \
        const uint32_t w1 = dp_nn_dsp_load4(p + ldb), w3 = dp_nn_dsp_load4(q + ldb);                           \
        DP_NN_DSP_ROW_PAIR(w0, w2, EVEN(aw))                                                                   \
        DP_NN_DSP_ROW_PAIR(w1, w3, ODD(aw))                                                                    \
      }                                                                                                        \
      for (t = 4 * groups; t < k; ++t, p += ldb) {                                                             \
        const int32_t xt = a[t];                                                                               \
        s0 += (uint32_t)(xt * p[0]), s1 += (uint32_t)(xt * p[1]);                                              \
        s2 += (uint32_t)(xt * p[2]), s3 += (uint32_t)(xt * p[3]);                                              \
      }                                                                                                        \
      acc[j] = s0, acc[j + 1] = s1, acc[j + 2] = s2, acc[j + 3] = s3;                                          \
    }                                                                                                          \
    for (; j < cols; ++j) {                                                                                    \
      const int8_t *p = b + j;                                                                                 \
      uint32_t s0 = 0;                                                                                         \
      for (t = 0; t < k; ++t, p += ldb) s0 += (uint32_t)((int32_t)a[t] * *p);                                  \
      acc[j] = s0;                                                                                             \
    }                                                                                                          \
  }                                                                                                            \
  void dp_arm_nn_tile_##T(const TA *a, const int8_t *b, int32_t ldb, int32_t rows, int32_t cols, int32_t k,    \
                          uint32_t *acc, int32_t acc_stride) {                                                 \
    int32_t i;                                                                                                 \
    for (i = 0; i < rows; ++i) dp_nn_dsp_##T##_row(a + i * k, b, ldb, cols, k, acc + i * acc_stride);         \
  }

DP_NN_DSP_DEFINE_ROW(s8, int8_t, DP_NN_DSP_EVEN_S8, DP_NN_DSP_ODD_S8)
DP_NN_DSP_DEFINE_ROW(u8, uint8_t, DP_NN_DSP_EVEN_U8, DP_NN_DSP_ODD_U8)
#endif
