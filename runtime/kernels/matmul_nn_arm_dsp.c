/* int8 NN matrix-product tiles for Arm cores with the DSP extension and no MVE (Cortex-M4, M7, M33); see
 * matmul_nn_arm.h.
 *
 * SMLAD multiplies two pairs of 16-bit lanes and adds both products to a 32-bit accumulator, so its B
 * operand must hold two values of one column from two rows of B. Per group of four K (rows t .. t+3 of
 * B) and four columns, a word of A gives the A pairs (a[t], a[t+2]) and (a[t+1], a[t+3]) by SXTB16 of
 * its even and odd bytes (UXTB16 for uint8), and words w0 .. w3 of the four B rows are paired the same
 * way: PKHBT / PKHTB join the low (high) halves of rows t and t+2, (w0.b0 w0.b1 w2.b0 w2.b1), and SXTB16
 * of its even and odd bytes gives (b[t][c], b[t+2][c]) for c = 0, 1. That is 4 loads, 4 PKH and 8
 * SXTB16 per 16 values of B, before the 8 SMLAD of each row that uses them:
 *   - single rows (M = 1, the decode step's GEMV, and the rows left over) convert B in registers
 *     (33 instructions per 16 MACs);
 *   - blocks of four rows and more convert B once into int16 panels in scratch, shared by up to 16 rows,
 *     then read both operands ready (15 instructions per 16 MACs in the loop).
 * The last k % 4 terms and the last cols % 4 columns are scalar. Measured on QEMU (instructions per MAC,
 * int8): MatMul 1x256x64 2.06 (generic 3.11), 64x64x64 1.40 (3.24), 16x100x4 2.09 (3.23). */
#include "kernels/matmul_nn_arm.h"

#ifdef DP_ARM_DSP
#include "kernels/arm_dsp.h"


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
    s0 = DP_DSP_SMLAD(x, DP_DSP_EVEN_s8(lo), s0);           \
    s1 = DP_DSP_SMLAD(x, DP_DSP_ODD_s8(lo), s1);            \
    s2 = DP_DSP_SMLAD(x, DP_DSP_EVEN_s8(hi), s2);           \
    s3 = DP_DSP_SMLAD(x, DP_DSP_ODD_s8(hi), s3);            \
  }

/* Adds the terms t0 <= t < t1 of rows r < rows and columns j0 <= j < j1 to acc (the scalar rests). */
#define DP_NN_DSP_DEFINE_SCALAR(T, TA)                                                                          \
  static void dp_nn_dsp_##T##_add_terms(const TA *a, int32_t k, const int8_t *b, int32_t ldb, int32_t rows,     \
                                        int32_t j0, int32_t j1, int32_t t0, int32_t t1, uint32_t *acc,          \
                                        int32_t acc_stride) {                                                   \
    int32_t r, j, t;                                                                                            \
    for (r = 0; r < rows; ++r)                                                                                  \
      for (j = j0; j < j1; ++j) {                                                                               \
        uint32_t s = acc[r * acc_stride + j];                                                                   \
        for (t = t0; t < t1; ++t) s += (uint32_t)((int32_t)a[r * k + t] * b[t * ldb + j]);                      \
        acc[r * acc_stride + j] = s;                                                                            \
      }                                                                                                         \
  }

/* One row of A against the columns of a tile (fewer than four rows left, the GEMV of M = 1): blocks of
 * four columns read straight from B (groups of four K), then the scalar rests. */
#define DP_NN_DSP_DEFINE_ROW(T, TA, EVEN, ODD)                                                                 \
  static void dp_nn_dsp_##T##_row(const TA *a, const int8_t *b, int32_t ldb, int32_t cols, int32_t k,          \
                                  uint32_t *acc) {                                                             \
    const int32_t groups = k >> 2, ldb4 = 4 * ldb, cols4 = cols & ~(int32_t)3;                                 \
    int32_t j;                                                                                                 \
    for (j = 0; j < cols4; j += 4) {                                                                           \
      const int8_t *p = b + j, *q = p + 2 * ldb;                                                               \
      const TA *x = a, *const x_end = a + 4 * groups;                                                          \
      uint32_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;                                                                 \
      for (; x != x_end; x += 4, p += ldb4, q += ldb4) {                                                       \
        const uint32_t aw = dp_dsp_load4(x);                                                                \
        const uint32_t w0 = dp_dsp_load4(p), w2 = dp_dsp_load4(q);                                       \
        const uint32_t w1 = dp_dsp_load4(p + ldb), w3 = dp_dsp_load4(q + ldb);                           \
        DP_NN_DSP_ROW_PAIR(w0, w2, EVEN(aw))                                                                   \
        DP_NN_DSP_ROW_PAIR(w1, w3, ODD(aw))                                                                    \
      }                                                                                                        \
      acc[j] = s0, acc[j + 1] = s1, acc[j + 2] = s2, acc[j + 3] = s3;                                          \
    }                                                                                                          \
    for (j = cols4; j < cols; ++j) acc[j] = 0;                                                                 \
    dp_nn_dsp_##T##_add_terms(a, k, b, ldb, 1, cols4, cols, 0, k, acc, 0);                                     \
    dp_nn_dsp_##T##_add_terms(a, k, b, ldb, 1, 0, cols4, 4 * groups, k, acc, 0);                               \
  }

/* Four rows and more: per chunk of DP_NN_DSP_PANEL_K values of K, up to DP_NN_DSP_BLOCK_ROWS rows are
 * converted into row panels as the NT kernels do (per group of four K, rows 0 .. 3 each as (a[t], a[t+2])
 * then (a[t+1], a[t+3])), and B four columns at a time into int16 column panels (per group,
 * (b[t][c], b[t+2][c]) then (b[t+1][c], b[t+3][c])), used by all row panels: every column then costs one
 * LDRD of its panel, four LDRD of the row panel and 8 SMLAD per 16 MACs, plus the conversion of B (about
 * 25 instructions per 16 values, shared by the rows). Later chunks add to the accumulators. */
#define DP_NN_DSP_PANEL_K 128
#define DP_NN_DSP_PANEL_GROUPS (DP_NN_DSP_PANEL_K / 4)
#define DP_NN_DSP_BLOCK_ROWS 16

/* The column panels of four columns of B from b (rows of ldb bytes), `groups` groups of four K. */
static void dp_nn_dsp_column_panels(const int8_t *b, int32_t ldb, int32_t groups, uint32_t *panel) {
  uint32_t *c0 = panel, *c1 = c0 + 2 * groups, *c2 = c1 + 2 * groups, *c3 = c2 + 2 * groups;
  const int32_t ldb4 = 4 * ldb;
  int32_t g;
  for (g = 0; g < groups; ++g, b += ldb4, c0 += 2, c1 += 2, c2 += 2, c3 += 2) {
    const uint32_t w0 = dp_dsp_load4(b), w1 = dp_dsp_load4(b + ldb);
    const uint32_t w2 = dp_dsp_load4(b + 2 * ldb), w3 = dp_dsp_load4(b + 3 * ldb);
    const uint32_t lo02 = dp_nn_dsp_low_halves(w0, w2), hi02 = dp_nn_dsp_high_halves(w0, w2);
    const uint32_t lo13 = dp_nn_dsp_low_halves(w1, w3), hi13 = dp_nn_dsp_high_halves(w1, w3);
    c0[0] = DP_DSP_EVEN_s8(lo02), c0[1] = DP_DSP_EVEN_s8(lo13);
    c1[0] = DP_DSP_ODD_s8(lo02), c1[1] = DP_DSP_ODD_s8(lo13);
    c2[0] = DP_DSP_EVEN_s8(hi02), c2[1] = DP_DSP_EVEN_s8(hi13);
    c3[0] = DP_DSP_ODD_s8(hi02), c3[1] = DP_DSP_ODD_s8(hi13);
  }
}

/* Four rows (row panel) against one column panel: acc[r * acc_stride] = (accumulate ? acc : 0) + sums.
 * The loop is assembly: GCC loads the row panel one word at a time. Needs groups >= 1. */
static void dp_nn_dsp_panel_column(const uint32_t *rows, const uint32_t *column, int32_t groups, uint32_t *acc,
                                   int32_t acc_stride, int accumulate) {
  const uint32_t *const end = column + 2 * groups;
  uint32_t s0 = 0, s1 = 0, s2 = 0, s3 = 0, even, odd, x0, x1;
  if (accumulate) s0 = acc[0], s1 = acc[acc_stride], s2 = acc[2 * acc_stride], s3 = acc[3 * acc_stride];
  __asm volatile(
      "1:\n\t"
      "ldrd %[even], %[odd], [%[column]], #8\n\t"
      "ldrd %[x0], %[x1], [%[rows]], #8\n\t"
      "smlad %[s0], %[x0], %[even], %[s0]\n\t"
      "smlad %[s0], %[x1], %[odd], %[s0]\n\t"
      "ldrd %[x0], %[x1], [%[rows]], #8\n\t"
      "smlad %[s1], %[x0], %[even], %[s1]\n\t"
      "smlad %[s1], %[x1], %[odd], %[s1]\n\t"
      "ldrd %[x0], %[x1], [%[rows]], #8\n\t"
      "smlad %[s2], %[x0], %[even], %[s2]\n\t"
      "smlad %[s2], %[x1], %[odd], %[s2]\n\t"
      "ldrd %[x0], %[x1], [%[rows]], #8\n\t"
      "smlad %[s3], %[x0], %[even], %[s3]\n\t"
      "smlad %[s3], %[x1], %[odd], %[s3]\n\t"
      "cmp %[column], %[end]\n\t"
      "bne 1b"
      : [s0] "+r"(s0), [s1] "+r"(s1), [s2] "+r"(s2), [s3] "+r"(s3), [even] "=&r"(even), [odd] "=&r"(odd),
        [x0] "=&r"(x0), [x1] "=&r"(x1), [column] "+r"(column), [rows] "+r"(rows)
      : [end] "r"(end)
      : "cc", "memory");
  acc[0] = s0, acc[acc_stride] = s1, acc[2 * acc_stride] = s2, acc[3 * acc_stride] = s3;
}

/* Blocks of up to DP_NN_DSP_BLOCK_ROWS rows (a multiple of four) from a through the panels, then the
 * scalar rests of the block. */
#define DP_NN_DSP_DEFINE_BLOCK(T, TA)                                                                           \
  static void dp_nn_dsp_##T##_block(const TA *a, const int8_t *b, int32_t ldb, int32_t rows, int32_t cols,      \
                                    int32_t k, uint32_t *acc, int32_t acc_stride) {                             \
    uint32_t row_panels[DP_NN_DSP_BLOCK_ROWS / 4][8 * DP_NN_DSP_PANEL_GROUPS];                                  \
    uint32_t column_panels[4 * 2 * DP_NN_DSP_PANEL_GROUPS];                                                     \
    const int32_t groups = k >> 2, cols4 = cols & ~(int32_t)3;                                                  \
    int32_t i, j, c, g0;                                                                                        \
    for (g0 = 0; g0 < groups; g0 += DP_NN_DSP_PANEL_GROUPS) {                                                   \
      const int32_t chunk = groups - g0 < DP_NN_DSP_PANEL_GROUPS ? groups - g0 : DP_NN_DSP_PANEL_GROUPS;        \
      for (i = 0; i < rows; i += 4) dp_dsp_four_row_panel_##T(a + i * k + 4 * g0, k, chunk, row_panels[i / 4]); \
      for (j = 0; j < cols4; j += 4) {                                                                          \
        dp_nn_dsp_column_panels(b + 4 * g0 * ldb + j, ldb, chunk, column_panels);                               \
        for (i = 0; i < rows; i += 4)                                                                           \
          for (c = 0; c < 4; ++c)                                                                               \
            dp_nn_dsp_panel_column(row_panels[i / 4], column_panels + c * 2 * chunk, chunk,                     \
                                   acc + i * acc_stride + j + c, acc_stride, g0 > 0);                           \
      }                                                                                                         \
    }                                                                                                           \
    for (i = 0; i < rows; ++i) /* the columns no panel stored */                                                \
      for (j = groups ? cols4 : 0; j < cols; ++j) acc[i * acc_stride + j] = 0;                                  \
    dp_nn_dsp_##T##_add_terms(a, k, b, ldb, rows, cols4, cols, 0, 4 * groups, acc, acc_stride);                 \
    dp_nn_dsp_##T##_add_terms(a, k, b, ldb, rows, 0, cols, 4 * groups, k, acc, acc_stride);                     \
  }                                                                                                             \
  void dp_arm_nn_tile_##T(const TA *a, const int8_t *b, int32_t ldb, int32_t rows, int32_t cols, int32_t k,     \
                          uint32_t *acc, int32_t acc_stride) {                                                  \
    const int32_t rows4 = rows & ~(int32_t)3;                                                                   \
    int32_t i;                                                                                                  \
    for (i = 0; i < rows4; i += DP_NN_DSP_BLOCK_ROWS)                                                           \
      dp_nn_dsp_##T##_block(a + i * k, b, ldb, rows4 - i < DP_NN_DSP_BLOCK_ROWS ? rows4 - i : DP_NN_DSP_BLOCK_ROWS, \
                            cols, k, acc + i * acc_stride, acc_stride);                                         \
    for (i = rows4; i < rows; ++i) dp_nn_dsp_##T##_row(a + i * k, b, ldb, cols, k, acc + i * acc_stride);      \
  }

DP_NN_DSP_DEFINE_SCALAR(s8, int8_t)
DP_NN_DSP_DEFINE_SCALAR(u8, uint8_t)
DP_NN_DSP_DEFINE_ROW(s8, int8_t, DP_DSP_EVEN_s8, DP_DSP_ODD_s8)
DP_NN_DSP_DEFINE_ROW(u8, uint8_t, DP_DSP_EVEN_u8, DP_DSP_ODD_u8)
DP_NN_DSP_DEFINE_BLOCK(s8, int8_t)
DP_NN_DSP_DEFINE_BLOCK(u8, uint8_t)
#endif
