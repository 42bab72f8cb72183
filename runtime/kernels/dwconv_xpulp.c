/* Direct (depthwise) convolution for CORE-V cores (Xpulp v2); see dwconv_xpulp.h.
 *
 * A kernel row's taps are taken four at a time from one input word (cv.lw; rows need not be aligned)
 * against a word of weights, zero past the row's k_w taps, by cv.sdotsp.b (uint8 inputs: cv.sdotusp.b).
 *  - Interior outputs (the window inside the input row) whose words end inside the plane run together.
 *    For stride 1 and rows of up to 3 taps two adjacent outputs share each word: output l + 1's taps are
 *    lanes 1..3 of output l's word, so its weights are the same word shifted up one lane. Three-row
 *    kernels with rows of up to four taps (3x3) keep their weight words in registers: per pair of outputs
 *    three loads and six dot products (stride 1), per output three loads and three dot products (other
 *    strides); other shapes loop over rows and groups of four taps.
 *  - Border outputs (window partly outside the input row) of rows of up to four taps: one word per kernel
 *    row from the first tap inside the row, the weights shifted down to it and masked past the row's end.
 *  - Outputs whose words would end past the plane (the last rows' right border): the taps one by one.
 * Requantized 8-bit outputs are then one multiplication, cv.addNr, one clamp and a byte store each.
 *
 * Instructions per output (QEMU with the CORE-V patch, -icount shift=0, minstret; the whole kernel call,
 * requantized int8 outputs, 3x3 kernels, padding 1; the generic kernels built by the same clang-19 with
 * -DDP_GENERIC_KERNELS; "former" the CORE-V hook this one replaced, four outputs at a time sharing the
 * packed weight words with the generic epilogue after them; printed by tests/xpulp/xpulp_misc_check.c):
 *                                   generic   this file   former
 *   16 channels of 32 x 32, s1       143.9       22.7         44.7
 *   16 channels of 16 x 16, s1       143.0       35.0         55.9
 *   16 channels of 16 x 16, s2       146.2       44.4         73.3
 *   16 channels of 8 x 8, s1         141.5       45.5         86.0
 *   16 channels of 8 x 8, s2         149.1       75.1        166.2
 *   32 channels of 4 x 4, s1         140.0       77.3        156.7 (miniMobileNet)
 *   64 channels of 4 x 4, s2         158.3      161.5        183.0 (miniMobileNet: 2 x 2 outputs, below
 *                                                                   DP_XPULP_DW_MIN_OUTPUTS: generic)
 *   int32 outputs, 16 x 16, s1       122.9       38.5         44.7
 * miniMobileNet on one core (deeploy run --target siracusa --untiled --profile), its two depthwise layers:
 *   Conv_2 (32 x 4 x 4, s1)         71,706      39,598       80,268 instructions
 *   Conv_6 (64 x 4 x 4, s2)         40,536      41,357       46,858 (generic loop here: 2 x 2 outputs)
 *   the network                         -      178,869      225,040 */
#include "kernels/conv.h"
#include "kernels/dwconv_xpulp.h"

#ifdef DP_XPULP_LANES

void dp_xpulp_dw_setup(struct dp_xpulp_dw *d, int32_t in_w, int32_t k_w, int32_t s_w, int32_t p_l, int32_t k_h,
                       int32_t out_w) {
  int32_t ow;
  d->in_w = in_w, d->k_w = k_w, d->s_w = s_w, d->p_l = p_l, d->out_w = out_w;
  d->pairs = s_w == 1 && k_w <= 3;
  d->groups = d->pairs ? 0 : (k_w + 3) / 4;
  d->row_words = d->pairs ? 2 : d->groups;
  /* Interior outputs: window start ow * s_w - p_l >= 0 and end <= in_w. */
  d->ow_lo = (p_l + s_w - 1) / s_w;
  d->ow_hi = in_w - k_w + p_l >= 0 ? (in_w - k_w + p_l) / s_w + 1 : 0;
  if (d->ow_hi < d->ow_lo) d->ow_hi = d->ow_lo;
  if (d->ow_lo > out_w) d->ow_lo = out_w;
  if (d->ow_hi > out_w) d->ow_hi = out_w;
  d->channel = -1;
  /* The small form: every column's word inside the input row (in_w >= 4). */
  d->k_h = k_h;
  d->small = k_w <= 4 && k_h <= DP_XPULP_DW_SMALL_ROWS && out_w <= DP_XPULP_DW_SMALL_WIDTH && in_w >= 4;
  if (!d->small) return;
  for (ow = 0; ow < out_w; ++ow) {
    const int32_t iw0 = ow * s_w - p_l;
    const int32_t kw0 = iw0 < 0 ? -iw0 : 0, kw1 = in_w - iw0 < k_w ? in_w - iw0 : k_w;
    /* The word from the first tap inside the row, moved back to end at the row's end if it would pass it
     * (it still covers the taps: at most 4 of them, inside the row). */
    d->column_off[ow] = kw1 <= kw0 ? -1 : iw0 + kw0 < in_w - 4 ? iw0 + kw0 : in_w - 4;
  }
}

void dp_xpulp_dw_prepare(struct dp_xpulp_dw *d, int32_t channel, const int8_t *w, int32_t k_h,
                             int32_t requantize, int32_t mul, int32_t add, int32_t shift, int32_t lo, int32_t hi) {
  const int32_t k_w = d->k_w, total = k_h * k_w, pairs = d->pairs;
  uint32_t *packed = d->packed;
  int32_t r, t;
  d->channel = channel;
  d->requantize = requantize;
  d->mul = mul, d->add = add, d->shift = shift, d->lo = lo, d->hi = hi;
  d->kind = dp_xpl_clamp_kind(lo, hi);
  if (k_w <= 4 && total >= 4) {
    /* A row's taps from the word at its first tap, or for the last rows the word ending at the last weight
     * shifted down to it; masked to the row. */
    const uint32_t mask = k_w == 4 ? 0xFFFFFFFFu : (1u << (8 * k_w)) - 1u;
    uint32_t word;
    for (r = 0, t = 0; r < k_h; ++r, t += k_w) {
      if (t + 4 <= total) {
        DP_XP_LWI(word, w + t, 0);
      } else {
        DP_XP_LWI(word, w + total - 4, 0);
        word >>= 8 * (t + 4 - total);
      }
      word &= mask;
      *packed++ = word;
      if (pairs) *packed++ = word << 8;
    }
  } else {
    for (r = 0; r < k_h; ++r, w += k_w) {
      for (t = 0; t < k_w; t += 4) {
        uint32_t word = 0;
        int32_t u;
        for (u = 0; u < 4 && t + u < k_w; ++u) word |= (uint32_t)(uint8_t)w[t + u] << (8 * u);
        *packed++ = word;
        if (pairs) *packed++ = word << 8;
      }
    }
  }
  if (d->small) {
    /* Each column's taps kw0 <= t < kw1 in the lanes of its word: tap t in lane iw0 + t - off. */
    const int32_t step = d->row_words, in_w = d->in_w;
    int32_t ow;
    for (ow = 0; ow < d->out_w; ++ow) {
      const int32_t iw0 = ow * d->s_w - d->p_l, off = d->column_off[ow];
      const int32_t kw0 = iw0 < 0 ? -iw0 : 0, kw1 = in_w - iw0 < k_w ? in_w - iw0 : k_w;
      const uint32_t keep = kw1 - kw0 >= 4 ? 0xFFFFFFFFu : (1u << (8 * (kw1 - kw0))) - 1u;
      const int32_t up = off < 0 ? 0 : 8 * (iw0 + kw0 - off);
      for (r = 0; r < k_h; ++r)
        d->column_w[ow][r] = off < 0 ? 0 : ((d->packed[r * step] >> (8 * kw0)) & keep) << up;
    }
  }
}

/* Weight t of a packed row (sign-extended lane). */
DP_XP_INLINE int32_t dp_xpl_dw_tap(const struct dp_xpulp_dw *d, const uint32_t *row, int32_t t) {
  const uint32_t word = row[d->pairs ? 0 : t >> 2];
  return (int32_t)(((word >> (8 * (t & 3))) & 0xFFu) ^ 0x80u) - 0x80;
}

/* The requantization of count accumulators into bytes, by clamp kind (the parameters in locals: stores
 * of bytes may alias *d), four per word store. */
#define DP_XPL_DW_RQ1(KIND, v) DP_XPL_CLAMP(KIND, dp_xpl_addnr((int32_t)((v) * mul), add, shift), lo, hi)
#define DP_XPL_DW_RQ(KIND)                                                                                \
  {                                                                                                           \
    for (l = count >> 2; l > 0; --l, acc += 4) {                                                              \
      const int32_t v0 = DP_XPL_DW_RQ1(KIND, acc[0]), v1 = DP_XPL_DW_RQ1(KIND, acc[1]);               \
      const int32_t v2 = DP_XPL_DW_RQ1(KIND, acc[2]), v3 = DP_XPL_DW_RQ1(KIND, acc[3]);               \
      DP_XPL_STORE4(out, v0, v1, v2, v3);                                                                     \
    }                                                                                                         \
    for (l = count & 3; l > 0; --l) *out++ = (uint8_t)DP_XPL_DW_RQ1(KIND, *acc++);                        \
  }
DP_XP_INLINE int32_t dp_xpl_dw_store(const struct dp_xpulp_dw *d, const uint32_t *acc, int32_t count,
                                         void *y) {
  uint8_t *out = (uint8_t *)y;
  const uint32_t mul = (uint32_t)d->mul;
  const int32_t add = d->add, shift = d->shift, lo = d->lo, hi = d->hi, kind = d->kind;
  int32_t l;
  if (!d->requantize) return 0;
  if (kind == DP_XPL_CLAMP_SYMMETRIC)
    DP_XPL_DW_RQ(DP_XPL_CLAMP_SYMMETRIC)
  else if (kind == DP_XPL_CLAMP_UNSIGNED)
    DP_XPL_DW_RQ(DP_XPL_CLAMP_UNSIGNED)
  else
    DP_XPL_DW_RQ(DP_XPL_CLAMP_ANY)
  return 1;
}

/* DOT0 starts a sum, DOT adds to one (signed or unsigned inputs against signed weights).
 * run: count interior outputs from window start x (row r at x + r * row_step) into a.
 * border: output ow alone. */
#define DP_XPL_DIRECT(T, TX, DOT0, DOT)                                                                       \
  static void dp_xpl_dw_run_##T(const TX *x, const uint32_t *packed, int32_t rows, int32_t groups,        \
                                    int32_t row_step, int32_t s_w, int32_t count, uint32_t *a) {              \
    uint32_t word;                                                                                            \
    int32_t l, r, g;                                                                                          \
    if (rows == 3 && groups <= 1) {                                                                           \
      /* Three rows of at most four taps: the weights in registers. */                                        \
      const int32_t step2 = 2 * row_step;                                                                     \
      uint32_t w1, w2;                                                                                        \
      if (groups == 0) {                                                                                      \
        const uint32_t a0 = packed[0], b0 = packed[1], a1 = packed[2], b1 = packed[3], a2 = packed[4];        \
        const uint32_t b2 = packed[5];                                                                        \
        for (l = count >> 1; l > 0; --l) {                                                                    \
          DP_XP_LW(w1, x, row_step);                                                                          \
          DP_XP_LW(w2, x, step2);                                                                             \
          DP_XP_LW_POST(word, x, 2);                                                                          \
          a[0] = DOT(DOT(DOT0(word, a0), w1, a1), w2, a2);                                                    \
          a[1] = DOT(DOT(DOT0(word, b0), w1, b1), w2, b2);                                                    \
          a += 2;                                                                                             \
        }                                                                                                     \
        if (count & 1) {                                                                                      \
          DP_XP_LW(w1, x, row_step);                                                                          \
          DP_XP_LW(w2, x, step2);                                                                             \
          DP_XP_LWI(word, x, 0);                                                                              \
          *a = DOT(DOT(DOT0(word, a0), w1, a1), w2, a2);                                                      \
        }                                                                                                     \
      } else {                                                                                                \
        const uint32_t a0 = packed[0], a1 = packed[1], a2 = packed[2];                                        \
        for (l = count; l > 0; --l) {                                                                         \
          DP_XP_LW(w1, x, row_step);                                                                          \
          DP_XP_LW(w2, x, step2);                                                                             \
          DP_XP_LW_POSTR(word, x, s_w);                                                                       \
          *a++ = DOT(DOT(DOT0(word, a0), w1, a1), w2, a2);                                                    \
        }                                                                                                     \
      }                                                                                                       \
    } else if (groups == 0) {                                                                                 \
      for (l = 0; l + 2 <= count; l += 2, x += 2) {                                                           \
        const TX *p = x;                                                                                      \
        uint32_t s0 = 0, s1 = 0;                                                                              \
        for (r = 0; r < rows; ++r, p += row_step) {                                                           \
          DP_XP_LWI(word, p, 0);                                                                              \
          s0 = DOT(s0, word, packed[2 * r]);                                                                  \
          s1 = DOT(s1, word, packed[2 * r + 1]);                                                              \
        }                                                                                                     \
        a[l] = s0;                                                                                            \
        a[l + 1] = s1;                                                                                        \
      }                                                                                                       \
      if (l < count) {                                                                                        \
        const TX *p = x;                                                                                      \
        uint32_t s = 0;                                                                                       \
        for (r = 0; r < rows; ++r, p += row_step) {                                                           \
          DP_XP_LWI(word, p, 0);                                                                              \
          s = DOT(s, word, packed[2 * r]);                                                                    \
        }                                                                                                     \
        a[l] = s;                                                                                             \
      }                                                                                                       \
    } else {                                                                                                  \
      for (l = 0; l < count; ++l, x += s_w) {                                                                 \
        const uint32_t *wp = packed;                                                                          \
        const TX *p = x;                                                                                      \
        uint32_t s = 0;                                                                                       \
        for (r = 0; r < rows; ++r, p += row_step) {                                                           \
          const TX *q = p;                                                                                    \
          for (g = 0; g < groups; ++g) {                                                                      \
            DP_XP_LW_POST(word, q, 4);                                                                        \
            s = DOT(s, word, *wp++);                                                                          \
          }                                                                                                   \
        }                                                                                                     \
        a[l] = s;                                                                                             \
      }                                                                                                       \
    }                                                                                                         \
  }                                                                                                           \
  static uint32_t dp_xpl_dw_border_##T(const struct dp_xpulp_dw *d, const TX *x, const uint32_t *packed, \
                                           int32_t rows, int32_t row_step, int32_t avail, int32_t ow) {       \
    const int32_t iw0 = ow * d->s_w - d->p_l, k_w = d->k_w, stride = d->row_words;                            \
    const int32_t kw0 = iw0 < 0 ? -iw0 : 0, kw1 = d->in_w - iw0 < k_w ? d->in_w - iw0 : k_w;                  \
    uint32_t s = 0, word;                                                                                     \
    int32_t t;                                                                                                \
    if (kw1 <= kw0) return 0;                                                                                 \
    x += iw0 + kw0;                                                                                           \
    if (k_w <= 4 && iw0 + kw0 + 4 <= avail) {                                                                 \
      const uint32_t mask = kw1 - kw0 >= 4 ? 0xFFFFFFFFu : (1u << (8 * (kw1 - kw0))) - 1u;                   \
      const int32_t down = 8 * kw0;                                                                           \
      for (; rows > 0; --rows, x += row_step, packed += stride) {                                             \
        DP_XP_LWI(word, x, 0);                                                                                \
        s = DOT(s, word, (*packed >> down) & mask);                                                           \
      }                                                                                                       \
      return s;                                                                                               \
    }                                                                                                         \
    for (; rows > 0; --rows, x += row_step, packed += stride)                                                 \
      for (t = kw0; t < kw1; ++t) s += (uint32_t)((int32_t)x[t - kw0] * dp_xpl_dw_tap(d, packed, t));     \
    return s;                                                                                                 \
  }                                                                                                           \
  DP_XP_INLINE void dp_xpl_dw_row_##T(const struct dp_xpulp_dw *d, const TX *x, int32_t kh0,         \
                                          int32_t rows, int32_t row_step, int32_t avail, int32_t ow0,         \
                                          int32_t count, uint32_t *acc) {                                     \
    const uint32_t *packed = d->packed + kh0 * d->row_words;                                                  \
    const int32_t s_w = d->s_w, p_l = d->p_l, end = ow0 + count;                                              \
    const int32_t room = avail + p_l - (d->pairs ? 4 : 4 * d->groups);                                        \
    /* [lo, hi): interior outputs whose words (from each window row's start) end inside the plane. */         \
    const int32_t lo = d->ow_lo, hi = room < 0 ? 0 : room / s_w + 1 < d->ow_hi ? room / s_w + 1 : d->ow_hi;   \
    int32_t ow = ow0;                                                                                         \
    while (ow < end) {                                                                                        \
      if (ow >= lo && ow < hi) {                                                                              \
        const int32_t n = (hi < end ? hi : end) - ow;                                                         \
        dp_xpl_dw_run_##T(x + ow * s_w - p_l, packed, rows, d->groups, row_step, s_w, n, acc);            \
        ow += n, acc += n;                                                                                    \
      } else {                                                                                                \
        *acc++ = dp_xpl_dw_border_##T(d, x, packed, rows, row_step, avail, ow);                           \
        ++ow;                                                                                                 \
      }                                                                                                       \
    }                                                                                                         \
  }                                                                                                           \
  int32_t dp_xpulp_dw_outputs_##T(const struct dp_xpulp_dw *d, const TX *x, int32_t kh0, int32_t rows, \
                                      int32_t row_step, int32_t avail, int32_t ow0, int32_t count,            \
                                      uint32_t *acc, void *y) {                                               \
    dp_xpl_dw_row_##T(d, x, kh0, rows, row_step, avail, ow0, count, acc);                                 \
    return dp_xpl_dw_store(d, acc, count, y);                                                             \
  }                                                                                                           \
  /* The small form (dwconv_xpulp.h): every output one word per kernel row against its column's weights, \
   * then the row requantized. */                                                                             \
  static void dp_xpl_dw_small_##T(const struct dp_xpulp_dw *d, const TX *x, int32_t in_h, int32_t out_h,      \
                                  int32_t k_h, int32_t s_h, int32_t d_h, int32_t p_t, uint32_t *acc,          \
                                  uint8_t *y) {                                                               \
    const int32_t in_w = d->in_w, out_w = d->out_w, row_step = d_h * in_w;                                    \
    int32_t oh, kh0, kh1, ow, r;                                                                              \
    for (oh = 0; oh < out_h; ++oh, y += out_w) {                                                              \
      const int32_t ih0 = oh * s_h - p_t;                                                                     \
      const TX *xr;                                                                                           \
      DP_CONV_TAP_RANGE(ih0, k_h, d_h, in_h, kh0, kh1);                                                       \
      xr = x + (ih0 + kh0 * d_h) * in_w;                                                                      \
      for (ow = 0; ow < out_w; ++ow) {                                                                        \
        const int32_t off = d->column_off[ow];                                                                \
        const uint32_t *w = d->column_w[ow] + kh0;                                                            \
        const TX *p = xr + off;                                                                               \
        uint32_t s = 0, word;                                                                                 \
        if (off >= 0 && kh1 - kh0 == 3) {                                                                     \
          uint32_t w1, w2;                                                                                    \
          DP_XP_LW(w1, p, row_step);                                                                          \
          DP_XP_LW(w2, p, 2 * row_step);                                                                      \
          DP_XP_LWI(word, p, 0);                                                                              \
          s = DOT(DOT(DOT0(word, w[0]), w1, w[1]), w2, w[2]);                                                 \
        } else if (off >= 0) {                                                                                \
          for (r = kh1 - kh0; r > 0; --r) {                                                                   \
            DP_XP_LW_POSTR(word, p, row_step);                                                                \
            s = DOT(s, word, *w++);                                                                           \
          }                                                                                                   \
        }                                                                                                     \
        acc[ow] = s;                                                                                          \
      }                                                                                                       \
      dp_xpl_dw_store(d, acc, out_w, y);                                                                      \
    }                                                                                                         \
  }                                                                                                           \
  void dp_xpulp_dw_plane_##T(const struct dp_xpulp_dw *d, const TX *x, const int32_t *geom, uint8_t *y) { \
    const int32_t in_h = geom[DP_CONV_IN_H], in_w = d->in_w, in_hw = in_h * in_w;                             \
    const int32_t out_h = geom[DP_CONV_OUT_H], out_w = geom[DP_CONV_OUT_W], k_h = geom[DP_CONV_KERNEL_H];     \
    const int32_t s_h = geom[DP_CONV_STRIDE_H], d_h = geom[DP_CONV_DILATION_H], p_t = geom[DP_CONV_PAD_TOP];  \
    int32_t oh, ow0, kh0, kh1;                                                                                \
    uint32_t acc[DP_XPULP_DW_CHUNK];                                                                          \
    if (d->small) {                                                                                           \
      dp_xpl_dw_small_##T(d, x, in_h, out_h, k_h, s_h, d_h, p_t, acc, y);                                     \
      return;                                                                                                 \
    }                                                                                                         \
    for (oh = 0; oh < out_h; ++oh) {                                                                          \
      const int32_t ih0 = oh * s_h - p_t;                                                                     \
      DP_CONV_TAP_RANGE(ih0, k_h, d_h, in_h, kh0, kh1);                                                       \
      for (ow0 = 0; ow0 < out_w; ow0 += DP_XPULP_DW_CHUNK) {                                              \
        const int32_t count = out_w - ow0 < DP_XPULP_DW_CHUNK ? out_w - ow0 : DP_XPULP_DW_CHUNK;      \
        if (kh1 > kh0)                                                                                        \
          dp_xpl_dw_row_##T(d, x + (ih0 + kh0 * d_h) * in_w, kh0, kh1 - kh0, d_h * in_w,                  \
                                in_hw - (ih0 + (kh1 - 1) * d_h) * in_w, ow0, count, acc);                     \
        else                                                                                                  \
          memset(acc, 0, sizeof acc);                                                                         \
        dp_xpl_dw_store(d, acc, count, y);                                                                \
        y += count;                                                                                           \
      }                                                                                                       \
    }                                                                                                         \
  }

DP_XPL_DIRECT(s8, int8_t, dp_xpl_dotsp, dp_xpl_sdotsp)
DP_XPL_DIRECT(u8, uint8_t, dp_xpl_dotusp, dp_xpl_sdotusp)

#endif
