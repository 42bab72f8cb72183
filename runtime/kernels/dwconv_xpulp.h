/* The CORE-V (Xpulp v2) hook for the direct (depthwise) convolution loops of conv.h: simd_hooks.h maps
 * DP_SIMD_CONV_DIRECT_SETUP and DP_SIMD_CONV_DIRECT_RUN to DP_XPULP_DW_SETUP and DP_XPULP_DW_RUN below
 * (tests/xpulp/xpulp_misc_check.c checks and measures them; figures in dwconv_xpulp.c).
 * Int8 or uint8 inputs with int8 weights and unit width dilation: the outputs of a channel (or of a row, 32
 * at a time, when the epilogue is not a requantization done here) are computed by dp_xpulp_dw_plane_* /
 * dp_xpulp_dw_outputs_* (dwconv_xpulp.c), four taps of a kernel row per cv.sdotsp.b (cv.sdotusp.b) of an
 * input word against a word of the channel's weights, packed once per channel. The accumulators then go
 * through the generic epilogue, or for 8-bit requantized outputs whose channel parameters pass
 * dp_requantize_is_bounded (matmul.h: the generic epilogue's 32-bit path is exact) through that 32-bit
 * form in CORE-V instructions (multiplication, cv.addNr, cv.clipr / cv.clipur). Other dilations and types,
 * and channels of fewer than DP_XPULP_DW_MIN_OUTPUTS outputs, keep the generic loop. */
#ifndef DP_DWCONV_XPULP_H
#define DP_DWCONV_XPULP_H

#include "kernels/arm_hooks.h"
#include "kernels/xpulp_lanes.h"

#ifdef DP_XPULP_LANES
/* Packed words of a channel: up to 16 rows of pairs, or 32 groups of four taps. */
#define DP_XPULP_DW_PACKED_WORDS 32
/* Channels of fewer outputs keep the generic loop: packing the weights and the calls cost more than they
 * save (measured on 3x3 kernels: 2 x 2 outputs of a 4 x 4 input at stride 2 took 167 instructions per
 * output against the generic 158; 4 x 4 outputs at stride 1, 77 against 140). */
#define DP_XPULP_DW_MIN_OUTPUTS 8
/* Outputs per call. */
#define DP_XPULP_DW_CHUNK 32

/* The state of a direct convolution call: its geometry along the width; the channel's weights packed into
 * words of four taps (lane t: tap t, zero past k_w): with `pairs` (s_w = 1, k_w <= 3) two words per kernel
 * row, the taps and the taps shifted up one lane (the second of two adjacent outputs reads the first one's
 * word), else `groups` = (k_w + 3) / 4 words per row; and, with `requantize`, the outputs stored as bytes
 * clamp((acc * mul + add) >> shift, lo, hi) in int32 arithmetic (mul and add bounded for the accumulators,
 * shift < 32, lo <= hi; `kind` the clamp's, xpulp_lanes.h). */
/* The small form: rows of at most 4 taps, at most 8 kernel rows and 8 outputs per row. */
#define DP_XPULP_DW_SMALL_ROWS 8
#define DP_XPULP_DW_SMALL_WIDTH 8
struct dp_xpulp_dw {
  uint32_t packed[DP_XPULP_DW_PACKED_WORDS];
  int32_t in_w, k_w, s_w, p_l, pairs, groups, row_words, ow_lo, ow_hi;
  int32_t channel, requantize, mul, add, shift, lo, hi, kind;
  /* The small form (`small`): per output column the offset in an input row of the one word it reads per
   * kernel row (from its first tap inside the row, or, where that word would pass the row's end, the row's
   * last word; -1 when no tap is inside), and per channel its weights per kernel row in the matching
   * lanes. */
  int32_t small, out_w, k_h;
  int32_t column_off[DP_XPULP_DW_SMALL_WIDTH];
  uint32_t column_w[DP_XPULP_DW_SMALL_WIDTH][DP_XPULP_DW_SMALL_ROWS];
};
/* The width geometry (and k_h, out_w for the small form); no channel packed yet. */
void dp_xpulp_dw_setup(struct dp_xpulp_dw *d, int32_t in_w, int32_t k_w, int32_t s_w, int32_t p_l, int32_t k_h,
                       int32_t out_w);
/* Packs channel `channel`'s k_h x k_w weights w and sets its requantization (requantize 0: none, the
 * parameters unused). */
void dp_xpulp_dw_prepare(struct dp_xpulp_dw *d, int32_t channel, const int8_t *w, int32_t k_h,
                             int32_t requantize, int32_t mul, int32_t add, int32_t shift, int32_t lo, int32_t hi);
/* Outputs ow0 <= ow < ow0 + count of an output row whose kernel rows kh0 <= kh < kh0 + rows lie inside the
 * input (rows >= 1): x points at input row ih0 + kh0 * d_h of the channel's plane (column 0), row_step =
 * d_h * in_w, and `avail` bytes are readable from the start of the last of those input rows (to the end of
 * the plane). acc[l] = the sum over the kernel rows and the taps inside the input row of input times weight
 * (modulo 2^32); when the channel requantizes, the outputs are then stored at y as bytes and 1 returned,
 * else 0 (acc holds them). Input words are read only where they end within the plane: a word at most 3
 * bytes past a window, else the taps one by one. */
int32_t dp_xpulp_dw_outputs_s8(const struct dp_xpulp_dw *d, const int8_t *x, int32_t kh0, int32_t rows,
                                   int32_t row_step, int32_t avail, int32_t ow0, int32_t count, uint32_t *acc,
                                   void *y);
int32_t dp_xpulp_dw_outputs_u8(const struct dp_xpulp_dw *d, const uint8_t *x, int32_t kh0, int32_t rows,
                                   int32_t row_step, int32_t avail, int32_t ow0, int32_t count, uint32_t *acc,
                                   void *y);

/* All out_h x out_w outputs of a channel whose outputs d requantizes, stored at y: x is the channel's input
 * plane, geom the convolution's geometry (conv.h). */
void dp_xpulp_dw_plane_s8(const struct dp_xpulp_dw *d, const int8_t *x, const int32_t *geom, uint8_t *y);
void dp_xpulp_dw_plane_u8(const struct dp_xpulp_dw *d, const uint8_t *x, const int32_t *geom, uint8_t *y);

/* In DP_CONV_DIRECT_LOOPS after the geometry: xpulp_ok when the hook applies to the call (d_w = 1, the
 * packed weights fit). */
#define DP_XPULP_DW_SETUP                                                                           \
  const int32_t xpulp_ok = d_w == 1 && out_h * out_w >= DP_XPULP_DW_MIN_OUTPUTS &&                          \
                           k_h * (s_w == 1 && k_w <= 3 ? 2 : (k_w + 3) / 4) <= DP_XPULP_DW_PACKED_WORDS;    \
  struct dp_xpulp_dw xpulp_d;                                                                            \
  dp_xpulp_dw_setup(&xpulp_d, in_w, k_w, s_w, p_l, k_h, out_w);

/* Whether EPI is the requantizing epilogue of conv.h (recognised by name, as arm_hooks.h does). */
#define DP_XPULP_EPI_SECOND(first, second, ...) second
#define DP_XPULP_EPI_PROBE(...) DP_XPULP_EPI_SECOND(__VA_ARGS__, 0, 0)
#define DP_XPULP_IS_RQ_EPI(EPI) DP_XPULP_EPI_PROBE(DP_XPULP_RQ_EPI_##EPI)
#define DP_XPULP_RQ_EPI_DP_CONV_RQ_EPI ~, 1
/* Channel m prepared: only the requantizing kernel has mul, add, rq_stride, rq_mul_limit, rq_shift_32, lo
 * and hi, so DP_XPULP_PREPARE names them only there. */
#define DP_XPULP_PREPARE_1(TY)                                                                                 \
  dp_xpulp_dw_prepare(&xpulp_d, m, (const int8_t *)(const void *)wm, k_h,                                 \
                          sizeof(TY) == 1 && lo <= hi &&                                                       \
                              dp_requantize_is_bounded(mul[m * rq_stride], add[m * rq_stride], rq_mul_limit),  \
                          mul[m * rq_stride], add[m * rq_stride], rq_shift_32, lo, hi)
#define DP_XPULP_PREPARE_0(TY) dp_xpulp_dw_prepare(&xpulp_d, m, (const int8_t *)(const void *)wm, k_h, 0, 0, 0, 0, 0, 0)
#define DP_XPULP_PREPARE_SELECT(flag, TY) DP_XPULP_PREPARE_##flag(TY)
#define DP_XPULP_PREPARE(flag, TY) DP_XPULP_PREPARE_SELECT(flag, TY)

/* At the top of the output loop of a row: for a channel requantized here, at its first output, all its
 * outputs (then the loops over its rows and outputs end); else up to 32 outputs of the row, stored by the
 * call or here through EPI. */
#define DP_XPULP_DW_RUN(TX, TW, TACC, TY, EPI)                                                        \
  if (DP_XPULP_TYPES(TX, TW, TACC) && xpulp_ok) {                                                             \
    if (xpulp_d.channel != m) DP_XPULP_PREPARE(DP_XPULP_IS_RQ_EPI(EPI), TY);                                  \
    if (xpulp_d.requantize && oh == 0 && ow == 0) {                                                           \
      if (DP_XPULP_IS_S8(TX))                                                                                 \
        dp_xpulp_dw_plane_s8(&xpulp_d, (const int8_t *)(const void *)xc, geom, (uint8_t *)(void *)yp);    \
      else                                                                                                    \
        dp_xpulp_dw_plane_u8(&xpulp_d, (const uint8_t *)(const void *)xc, geom, (uint8_t *)(void *)yp);   \
      yp += out_h * out_w;                                                                                    \
      oh = out_h - 1;                                                                                         \
      ow = out_w - 1;                                                                                         \
      continue;                                                                                               \
    }                                                                                                         \
    if (kh1 > kh0) {                                                                                          \
      const int32_t xpulp_first = (ih0 + kh0 * d_h) * in_w;                                                   \
      const int32_t xpulp_avail = in_hw - (ih0 + (kh1 - 1) * d_h) * in_w;                                     \
      const int32_t xpulp_count = out_w - ow < DP_XPULP_DW_CHUNK ? out_w - ow : DP_XPULP_DW_CHUNK;    \
      uint32_t xpulp_acc[DP_XPULP_DW_CHUNK];                                                              \
      if (DP_XPULP_IS_S8(TX) ? dp_xpulp_dw_outputs_s8(&xpulp_d, (const int8_t *)(const void *)(xc + xpulp_first), \
                                                          kh0, kh1 - kh0, d_h * in_w, xpulp_avail, ow, xpulp_count, \
                                                          xpulp_acc, yp)                                      \
                             : dp_xpulp_dw_outputs_u8(&xpulp_d,                                           \
                                                          (const uint8_t *)(const void *)(xc + xpulp_first),  \
                                                          kh0, kh1 - kh0, d_h * in_w, xpulp_avail, ow, xpulp_count, \
                                                          xpulp_acc, yp)) {                                   \
        yp += xpulp_count;                                                                                    \
      } else {                                                                                                \
        int32_t xpulp_l;                                                                                      \
        for (xpulp_l = 0; xpulp_l < xpulp_count; ++xpulp_l) *yp++ = (TY)(EPI(m, xpulp_acc[xpulp_l]));         \
      }                                                                                                       \
      ow += xpulp_count - 1;                                                                                  \
      continue;                                                                                               \
    }                                                                                                         \
  }
#else
#define DP_XPULP_DW_SETUP
#define DP_XPULP_DW_RUN(TX, TW, TACC, TY, EPI)
#endif

#endif
