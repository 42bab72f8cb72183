/* Integer reductions and max pooling for CORE-V cores (Xpulp v2); see reduce_xpulp.h.
 *
 * Rows are read in words (cv.lw, post-increment; they need not be aligned). A reduced row: per word one
 * cv.sdotsp.sci.b against 1 (four elements added to an int32 sum, modulo 2^32 like the generic int32 sum
 * the compiler proved exact) or one cv.max.b; the last n % 4 elements from the word ending at the row's
 * end, shifted down (a sum sees zeros) or whole (a maximum may see an element twice), so nothing past the
 * row is read. Kept rows folding into the same accumulators: four columns at a time down all the rows, the
 * column sums in registers (one cv.sdotsp.b per element against the lane's one-hot mask) or the column
 * maxima in one word (one cv.max.b per row), then stored once; the last n % 4 columns one by one. Max
 * pooling: per output the cv.max.b of each window row's words (for windows wider than a word the last
 * word ends at the window's end and may overlap the previous one; narrower ones have the lanes past the
 * window replaced by lane 0 with one cv.shuffle.b), then the maximum of the four lanes.
 *
 * Instructions per element (QEMU with the CORE-V patch, -icount shift=0, minstret; the whole kernel call,
 * generic kernels built by the same clang-19 for the same -march with -DDP_GENERIC_KERNELS; printed by
 * tests/xpulp/xpulp_misc_check.c):
 *                                              generic   Xpulp
 *   ReduceSum int8 32 x 96 over the rows         5.33     2.00 (per input)
 *   ReduceSum int8 32 x 96 along the rows        3.30     1.27
 *   ReduceMax int8 32 x 96 over the rows         5.37     1.25
 *   ReduceMax int8 32 x 96 along the rows        4.31     1.65
 *   ReduceSum int8 4 x 12 along the rows         6.68     6.54
 *   MaxPool int8 8 x 8 windows, strides 2, 4   432.43    78.33 (per output)
 *   MaxPool int8 1-D, 3 taps, stride 2          76.14    18.11 (per output) */
#include "kernels/reduce_xpulp.h"

#ifdef DP_XPULP_LANES

/* ---- Reduced rows ---- */
#define DP_XPL_ROW_SUM(TX, SUM)                                                                 \
  {                                                                                             \
    const TX *p = x;                                                                            \
    uint32_t s = 0, w0, w1;                                                                     \
    int32_t j;                                                                                  \
    if (n < 4) {                                                                                \
      for (j = 0; j < n; ++j) s += (uint32_t)(int32_t)x[j];                                     \
      return s;                                                                                 \
    }                                                                                           \
    for (j = n >> 3; j > 0; --j) {                                                              \
      DP_XP_LW_POST(w0, p, 4);                                                                  \
      DP_XP_LW_POST(w1, p, 4);                                                                  \
      s = SUM(SUM(s, w0), w1);                                                                  \
    }                                                                                           \
    if (n & 4) {                                                                                \
      DP_XP_LW_POST(w0, p, 4);                                                                  \
      s = SUM(s, w0);                                                                           \
    }                                                                                           \
    if (n & 3) {                                                                                \
      DP_XP_LWI(w0, x + n, -4);                                                                 \
      s = SUM(s, w0 >> (8 * (4 - (n & 3))));                                                    \
    }                                                                                           \
    return s;                                                                                   \
  }
uint32_t dp_xpulp_sum_s8(const int8_t *x, int32_t n) DP_XPL_ROW_SUM(int8_t, dp_xpl_sum_s8)
uint32_t dp_xpulp_sum_u8(const uint8_t *x, int32_t n) DP_XPL_ROW_SUM(uint8_t, dp_xpl_sum_u8)

#define DP_XPL_ROW_MAX(TX, MAX_B, LANES_MAX)                                                    \
  {                                                                                             \
    const TX *p = x;                                                                            \
    uint32_t m, w;                                                                              \
    int32_t j, r;                                                                               \
    if (n < 4) {                                                                                \
      r = x[0];                                                                                 \
      for (j = 1; j < n; ++j)                                                                   \
        if (x[j] > r) r = x[j];                                                                 \
      return r;                                                                                 \
    }                                                                                           \
    DP_XP_LW_POST(m, p, 4);                                                                     \
    for (j = (n >> 2) - 1; j > 0; --j) {                                                        \
      DP_XP_LW_POST(w, p, 4);                                                                   \
      m = MAX_B(m, w);                                                                          \
    }                                                                                           \
    if (n & 3) {                                                                                \
      DP_XP_LWI(w, x + n, -4);                                                                  \
      m = MAX_B(m, w);                                                                          \
    }                                                                                           \
    return LANES_MAX(m);                                                                        \
  }
int32_t dp_xpulp_max_s8(const int8_t *x, int32_t n) DP_XPL_ROW_MAX(int8_t, dp_xpl_max_b, dp_xpl_lanes_max_s8)
int32_t dp_xpulp_max_u8(const uint8_t *x, int32_t n) DP_XPL_ROW_MAX(uint8_t, dp_xpl_maxu_b, dp_xpl_lanes_max_u8)

/* ---- Kept rows ---- */
/* Column sums: four columns at a time, the row step a register post-increment. */
#define DP_XPL_COLUMN_SUMS(TX, SDOT)                                                            \
  {                                                                                             \
    int32_t j, r;                                                                               \
    for (j = 0; j + 4 <= n; j += 4) {                                                           \
      const TX *p = x + j;                                                                      \
      uint32_t s0 = (uint32_t)acc[j], s1 = (uint32_t)acc[j + 1], s2 = (uint32_t)acc[j + 2];     \
      uint32_t s3 = (uint32_t)acc[j + 3], w;                                                    \
      for (r = rows; r > 0; --r) {                                                              \
        DP_XP_LW_POSTR(w, p, n);                                                                \
        s0 = SDOT(s0, w, 0x00000001u);                                                          \
        s1 = SDOT(s1, w, 0x00000100u);                                                          \
        s2 = SDOT(s2, w, 0x00010000u);                                                          \
        s3 = SDOT(s3, w, 0x01000000u);                                                          \
      }                                                                                         \
      acc[j] = (int32_t)s0, acc[j + 1] = (int32_t)s1, acc[j + 2] = (int32_t)s2, acc[j + 3] = (int32_t)s3; \
    }                                                                                           \
    for (; j < n; ++j) {                                                                        \
      const TX *p = x + j;                                                                      \
      uint32_t s = (uint32_t)acc[j];                                                            \
      for (r = rows; r > 0; --r, p += n) s += (uint32_t)(int32_t)*p;                            \
      acc[j] = (int32_t)s;                                                                      \
    }                                                                                           \
  }
void dp_xpulp_sum_rows_s8(const int8_t *x, int32_t rows, int32_t n, int32_t *acc) DP_XPL_COLUMN_SUMS(int8_t, dp_xpl_sdotsp)
void dp_xpulp_sum_rows_u8(const uint8_t *x, int32_t rows, int32_t n, int32_t *acc)
    DP_XPL_COLUMN_SUMS(uint8_t, dp_xpl_sdotup)

/* Column maxima: four columns in one word, stored as a word (acc need not be aligned). */
#define DP_XPL_COLUMN_MAXIMA(TX, MAX_B)                                                         \
  {                                                                                             \
    int32_t j, r;                                                                               \
    for (j = 0; j + 4 <= n; j += 4) {                                                           \
      const TX *p = x + j;                                                                      \
      TX *a = acc + j;                                                                          \
      uint32_t m, w;                                                                            \
      DP_XP_LWI(m, a, 0);                                                                       \
      for (r = rows; r > 0; --r) {                                                              \
        DP_XP_LW_POSTR(w, p, n);                                                                \
        m = MAX_B(m, w);                                                                        \
      }                                                                                         \
      __asm__ volatile("sw %0, 0(%1)" : : "r"(m), "r"(a) : "memory");                           \
    }                                                                                           \
    for (; j < n; ++j) {                                                                        \
      const TX *p = x + j;                                                                      \
      TX m = acc[j];                                                                            \
      for (r = rows; r > 0; --r, p += n)                                                        \
        if (*p > m) m = *p;                                                                     \
      acc[j] = m;                                                                               \
    }                                                                                           \
  }
void dp_xpulp_max_rows_s8(const int8_t *x, int32_t rows, int32_t n, int8_t *acc) DP_XPL_COLUMN_MAXIMA(int8_t, dp_xpl_max_b)
void dp_xpulp_max_rows_u8(const uint8_t *x, int32_t rows, int32_t n, uint8_t *acc)
    DP_XPL_COLUMN_MAXIMA(uint8_t, dp_xpl_maxu_b)

/* ---- Max pooling ---- */
/* The lane selector of cv.shuffle.b keeping lanes below k_w and copying lane 0 into the others. */
static const uint32_t dp_xpl_narrow_lanes[4] = {0x00000000u, 0x00000000u, 0x00000100u, 0x00020100u};

#define DP_XPL_MAXPOOL_RUN(TX, MAX_B, LANES_MAX)                                                \
  {                                                                                             \
    const int32_t groups = k_w >> 2, tail = k_w - 4;                                            \
    int32_t l, r, g;                                                                            \
    if (k_w < 4) {                                                                              \
      const uint32_t select = dp_xpl_narrow_lanes[k_w];                                         \
      for (l = 0; l < count; ++l, x += s_w) {                                                   \
        const TX *p = x;                                                                        \
        uint32_t m, w;                                                                          \
        DP_XP_LW_POSTR(m, p, row_step);                                                         \
        for (r = rows - 1; r > 0; --r) {                                                        \
          DP_XP_LW_POSTR(w, p, row_step);                                                       \
          m = MAX_B(m, w);                                                                      \
        }                                                                                       \
        __asm__("cv.shuffle.b %0, %0, %1" : "+r"(m) : "r"(select));                             \
        y[l] = (TX)LANES_MAX(m);                                                                \
      }                                                                                         \
      return;                                                                                   \
    }                                                                                           \
    if (k_w <= 8) {                                                                             \
      /* One or two words per window row: at its start and ending at its end. */                \
      for (l = 0; l < count; ++l, x += s_w) {                                                   \
        const TX *p = x;                                                                        \
        uint32_t m, w;                                                                          \
        DP_XP_LWI(m, p, 0);                                                                     \
        if (k_w > 4) {                                                                          \
          for (r = rows; r > 0; --r) {                                                          \
            DP_XP_LW(w, p, tail);                                                               \
            m = MAX_B(m, w);                                                                    \
            DP_XP_LW_POSTR(w, p, row_step);                                                     \
            m = MAX_B(m, w);                                                                    \
          }                                                                                     \
        } else {                                                                                \
          for (r = rows; r > 0; --r) {                                                          \
            DP_XP_LW_POSTR(w, p, row_step);                                                     \
            m = MAX_B(m, w);                                                                    \
          }                                                                                     \
        }                                                                                       \
        y[l] = (TX)LANES_MAX(m);                                                                \
      }                                                                                         \
      return;                                                                                   \
    }                                                                                           \
    for (l = 0; l < count; ++l, x += s_w) {                                                     \
      const TX *p = x;                                                                          \
      uint32_t m, w;                                                                            \
      DP_XP_LWI(m, p, 0);                                                                       \
      for (r = rows; r > 0; --r, p += row_step) {                                               \
        const TX *q = p;                                                                        \
        for (g = groups; g > 0; --g) {                                                          \
          DP_XP_LW_POST(w, q, 4);                                                               \
          m = MAX_B(m, w);                                                                      \
        }                                                                                       \
        if (k_w & 3) {                                                                          \
          DP_XP_LW(w, p, tail);                                                                 \
          m = MAX_B(m, w);                                                                      \
        }                                                                                       \
      }                                                                                         \
      y[l] = (TX)LANES_MAX(m);                                                                  \
    }                                                                                           \
  }
void dp_xpulp_maxpool_run_s8(const int8_t *x, int32_t rows, int32_t row_step, int32_t k_w, int32_t s_w,
                             int32_t count, int8_t *y) DP_XPL_MAXPOOL_RUN(int8_t, dp_xpl_max_b, dp_xpl_lanes_max_s8)
void dp_xpulp_maxpool_run_u8(const uint8_t *x, int32_t rows, int32_t row_step, int32_t k_w, int32_t s_w,
                             int32_t count, uint8_t *y)
    DP_XPL_MAXPOOL_RUN(uint8_t, dp_xpl_maxu_b, dp_xpl_lanes_max_u8)

#endif
