/* int8 NT matrix-product tiles for Arm cores with the DSP extension and no MVE (Cortex-M4, M7, M33);
 * see matmul_arm.h.
 *
 * SMLAD multiplies two pairs of 16-bit lanes and adds both products to a 32-bit accumulator. Bytes become
 * 16-bit lanes with SXTB16 (UXTB16 for uint8), which takes the even bytes of a word, or with a rotation
 * by 8 the odd ones: a word of bt, bytes (b0 b1 b2 b3), gives (b0 b2) and (b1 b3).
 *
 * Four rows of A at a time are converted once to 16-bit lanes in that order, (a0 a2) (a1 a3) per group of
 * four K, interleaved row by row into a panel in scratch (groups of 8 words: row 0 even, row 0 odd, row
 * 1 even, ...), so the inner loop reads them with LDRD / LDM and spends its ALU work on bt: per four K of
 * a column, one load and two SXTB16 for bt, four panel loads and eight SMLAD (16 MACs). The panel holds
 * DP_DSP_PANEL_K values of K (scratch on the stack); longer rows are done in chunks, adding to the
 * accumulators. Leftover rows (fewer than four) extend both operands on the fly; the last k % 4 terms
 * are scalar. */
#include "kernels/matmul.h"

#ifdef DP_ARM_DSP
#include <arm_acle.h>

/* K values per panel chunk (a multiple of 8): a panel is 4 * DP_DSP_PANEL_K int16 values. */
#define DP_DSP_PANEL_K 256

/* Four bytes from any address (unaligned loads are allowed on these cores). */
static inline uint32_t dp_dsp_load4(const void *p) {
  uint32_t v;
  memcpy(&v, p, sizeof v);
  return v;
}

/* SXTB16 / UXTB16 of a word rotated right by 8 (the odd bytes): one instruction, which GCC does not
 * form from a rotate and the intrinsic. */
static inline uint32_t dp_dsp_sxtb16_ror8(uint32_t w) {
  uint32_t r;
  __asm("sxtb16 %0, %1, ror #8" : "=r"(r) : "r"(w));
  return r;
}
static inline uint32_t dp_dsp_uxtb16_ror8(uint32_t w) {
  uint32_t r;
  __asm("uxtb16 %0, %1, ror #8" : "=r"(r) : "r"(w));
  return r;
}
/* The lane pairs of a word of int8 (even bytes, odd bytes), and of uint8. */
#define DP_DSP_EVEN_S8(w) (uint32_t) __sxtb16(w)
#define DP_DSP_ODD_S8(w) dp_dsp_sxtb16_ror8(w)
#define DP_DSP_EVEN_U8(w) (uint32_t) __uxtb16(w)
#define DP_DSP_ODD_U8(w) dp_dsp_uxtb16_ror8(w)
#define DP_DSP_SMLAD(x, y, acc) (uint32_t) __smlad((int16x2_t)(x), (int16x2_t)(y), (int32_t)(acc))

/* One group of four K of a panel column (assembly text): a word of bt into its lane pairs, the group's
 * eight panel words in two LDM (fixed registers r8-r11, as LDM lists ascend), eight SMLAD. */
#define DP_DSP_PANEL_GROUP                    \
  "ldr %[odd], [%[b]], #4\n\t"              \
  "ldmia %[p]!, {r8, r9, r10, r11}\n\t"     \
  "sxtb16 %[even], %[odd]\n\t"              \
  "sxtb16 %[odd], %[odd], ror #8\n\t"       \
  "smlad %[s0], r8, %[even], %[s0]\n\t"     \
  "smlad %[s0], r9, %[odd], %[s0]\n\t"      \
  "smlad %[s1], r10, %[even], %[s1]\n\t"    \
  "smlad %[s1], r11, %[odd], %[s1]\n\t"     \
  "ldmia %[p]!, {r8, r9, r10, r11}\n\t"     \
  "smlad %[s2], r8, %[even], %[s2]\n\t"     \
  "smlad %[s2], r9, %[odd], %[s2]\n\t"      \
  "smlad %[s3], r10, %[even], %[s3]\n\t"    \
  "smlad %[s3], r11, %[odd], %[s3]\n\t"
#define DP_DSP_PANEL_OPERANDS                                                                         \
  : [s0] "+r"(s0), [s1] "+r"(s1), [s2] "+r"(s2), [s3] "+r"(s3), [p] "+r"(p), [b] "+r"(b),           \
    [even] "=&r"(even), [odd] "=&r"(odd)                                                            \
  : [end] "r"(end)                                                                                  \
  : "r8", "r9", "r10", "r11", "cc", "memory"

/* Columns of bt (cols of them from b, stride k) against a panel of four rows over `groups` groups of four
 * K, two groups per loop iteration (28 instructions for 32 MACs): acc[r * stride + j] = (or +=, when
 * accumulate) the sums. */
static void dp_dsp_panel_columns(const uint32_t *panel, const int8_t *bt, int32_t k, int32_t groups, int32_t cols,
                                 uint32_t *acc, int32_t stride, int accumulate) {
  const uint32_t *const end = panel + 8 * groups;
  int32_t j;
  for (j = 0; j < cols; ++j, ++acc) {
    const uint32_t *p = panel;
    const int8_t *b = bt + j * k;
    uint32_t s0 = 0, s1 = 0, s2 = 0, s3 = 0, even, odd;
    if (accumulate) s0 = acc[0], s1 = acc[stride], s2 = acc[2 * stride], s3 = acc[3 * stride];
    if (groups & 1) __asm volatile(DP_DSP_PANEL_GROUP DP_DSP_PANEL_OPERANDS);
    if (groups > 1)
      __asm volatile("1:\n\t" DP_DSP_PANEL_GROUP DP_DSP_PANEL_GROUP "cmp %[p], %[end]\n\tbne 1b" DP_DSP_PANEL_OPERANDS);
    acc[0] = s0, acc[stride] = s1, acc[2 * stride] = s2, acc[3 * stride] = s3;
  }
}

/* Converts `groups` groups of four K of four rows (a, stride k) into the panel layout. */
#define DP_DSP_DEFINE_PANEL(T, TA, EVEN, ODD)                                                       \
  static void T##_panel(const TA *a, int32_t k, int32_t groups, uint32_t *panel) {                  \
    int32_t g, r;                                                                                   \
    for (g = 0; g < groups; ++g, panel += 8)                                                        \
      for (r = 0; r < 4; ++r) {                                                                     \
        const uint32_t w = dp_dsp_load4(a + r * k + 4 * g);                                         \
        panel[2 * r] = EVEN(w), panel[2 * r + 1] = ODD(w);                                          \
      }                                                                                             \
  }

/* One row against four columns, both extended on the fly, over `groups` groups of four K. */
#define DP_DSP_DEFINE_ROW(T, TA, EVEN, ODD)                                                         \
  static void T##_row1x4(const TA *a, const int8_t *b, int32_t k, int32_t groups, uint32_t *s) {    \
    const int8_t *b0 = b, *b1 = b0 + k, *b2 = b1 + k, *b3 = b2 + k;                                 \
    const TA *const end = a + 4 * groups;                                                           \
    uint32_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;                                                        \
    while (a != end) {                                                                              \
      const uint32_t w = dp_dsp_load4(a), ae = EVEN(w), ao = ODD(w);                                \
      uint32_t v;                                                                                   \
      a += 4;                                                                                       \
      v = dp_dsp_load4(b0), b0 += 4, s0 = DP_DSP_SMLAD(ae, DP_DSP_EVEN_S8(v), s0);                  \
      s0 = DP_DSP_SMLAD(ao, DP_DSP_ODD_S8(v), s0);                                                  \
      v = dp_dsp_load4(b1), b1 += 4, s1 = DP_DSP_SMLAD(ae, DP_DSP_EVEN_S8(v), s1);                  \
      s1 = DP_DSP_SMLAD(ao, DP_DSP_ODD_S8(v), s1);                                                  \
      v = dp_dsp_load4(b2), b2 += 4, s2 = DP_DSP_SMLAD(ae, DP_DSP_EVEN_S8(v), s2);                  \
      s2 = DP_DSP_SMLAD(ao, DP_DSP_ODD_S8(v), s2);                                                  \
      v = dp_dsp_load4(b3), b3 += 4, s3 = DP_DSP_SMLAD(ae, DP_DSP_EVEN_S8(v), s3);                  \
      s3 = DP_DSP_SMLAD(ao, DP_DSP_ODD_S8(v), s3);                                                  \
    }                                                                                               \
    s[0] = s0, s[1] = s1, s[2] = s2, s[3] = s3;                                                     \
  }                                                                                                 \
  static uint32_t T##_row1x1(const TA *a, const int8_t *b, int32_t groups) {                        \
    const TA *const end = a + 4 * groups;                                                           \
    uint32_t s0 = 0;                                                                                \
    while (a != end) {                                                                              \
      const uint32_t w = dp_dsp_load4(a), v = dp_dsp_load4(b);                                      \
      a += 4, b += 4;                                                                               \
      s0 = DP_DSP_SMLAD(EVEN(w), DP_DSP_EVEN_S8(v), s0);                                            \
      s0 = DP_DSP_SMLAD(ODD(w), DP_DSP_ODD_S8(v), s0);                                              \
    }                                                                                               \
    return s0;                                                                                      \
  }

/* The tile: 4-row panels in chunks of K, then the leftover rows, then the last k % 4 terms. */
#define DP_DSP_DEFINE_TILE(T, TA)                                                                   \
  void dp_arm_nt_tile_##T(const TA *a, const int8_t *bt, int32_t rows, int32_t cols, int32_t k,     \
                          uint32_t *acc, int32_t acc_stride) {                                      \
    uint32_t panel[8 * (DP_DSP_PANEL_K / 4)];                                                        \
    const int32_t groups = k >> 2, rows4 = rows & ~(int32_t)3, cols4 = cols & ~(int32_t)3;           \
    int32_t i, j, g0, t;                                                                             \
    for (i = 0; i < rows4; i += 4) {                                                                 \
      const TA *arow = a + i * k;                                                                    \
      uint32_t *accrow = acc + i * acc_stride;                                                       \
      for (g0 = 0; g0 < groups || g0 == 0; g0 += DP_DSP_PANEL_K / 4) {                               \
        const int32_t chunk = groups - g0 < DP_DSP_PANEL_K / 4 ? groups - g0 : DP_DSP_PANEL_K / 4;   \
        dp_dsp_##T##_panel(arow + 4 * g0, k, chunk, panel);                                          \
        dp_dsp_panel_columns(panel, bt + 4 * g0, k, chunk, cols, accrow, acc_stride, g0 > 0);         \
      }                                                                                              \
    }                                                                                                \
    for (i = rows4; i < rows; ++i) {                                                                 \
      const TA *arow = a + i * k;                                                                    \
      uint32_t *accrow = acc + i * acc_stride;                                                       \
      for (j = 0; j < cols4; j += 4) dp_dsp_##T##_row1x4(arow, bt + j * k, k, groups, accrow + j);            \
      for (j = cols4; j < cols; ++j) accrow[j] = dp_dsp_##T##_row1x1(arow, bt + j * k, groups);               \
    }                                                                                                \
    for (t = 4 * groups; t < k; ++t)                                                                 \
      for (i = 0; i < rows; ++i)                                                                     \
        for (j = 0; j < cols; ++j)                                                                   \
          acc[i * acc_stride + j] += (uint32_t)((int32_t)a[i * k + t] * bt[j * k + t]);              \
  }

DP_DSP_DEFINE_PANEL(dp_dsp_s8, int8_t, DP_DSP_EVEN_S8, DP_DSP_ODD_S8)
DP_DSP_DEFINE_PANEL(dp_dsp_u8, uint8_t, DP_DSP_EVEN_U8, DP_DSP_ODD_U8)
DP_DSP_DEFINE_ROW(dp_dsp_s8, int8_t, DP_DSP_EVEN_S8, DP_DSP_ODD_S8)
DP_DSP_DEFINE_ROW(dp_dsp_u8, uint8_t, DP_DSP_EVEN_U8, DP_DSP_ODD_U8)
DP_DSP_DEFINE_TILE(s8, int8_t)
DP_DSP_DEFINE_TILE(u8, uint8_t)

void dp_arm_requantize_tile(const uint32_t *acc, int32_t acc_stride, int32_t rows, int32_t cols, uint8_t *y,
                            int32_t y_stride, const int32_t *mul, const int32_t *add, int32_t rq_r, int32_t rq_c,
                            int32_t shift_32, int32_t lo, int32_t hi) {
  int32_t r, c;
  for (r = 0; r < rows; ++r, acc += acc_stride, y += y_stride, mul += rq_r, add += rq_r) {
    for (c = 0; c < cols; ++c) {
      const int32_t v = dp_acc_to_s32(acc[c] * (uint32_t)mul[c * rq_c] + (uint32_t)add[c * rq_c]);
      int32_t q = v >= 0 ? v >> shift_32 : ~(~v >> shift_32);
      q = q < lo ? lo : q > hi ? hi : q;
      y[c] = (uint8_t)q;
    }
  }
}
#endif
