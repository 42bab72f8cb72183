/* CORE-V (Xpulp v2) hooks for the integer reductions of reduce.h (ReduceSum, ReduceMean, GlobalMaxPool)
 * and the max pooling of pooling.h; kernels/simd_hooks.h maps DP_SIMD_REDUCE_ROW, DP_SIMD_REDUCE_KEPT_ROW and
 * DP_SIMD_MAXPOOL_RUN to them on CORE-V cores. Int8 and uint8 inputs (reduce_xpulp.c):
 *  - a reduced row (the last axis reduced): its sum four elements per cv.sdotsp.sci.b (cv.sdotup.sci.b)
 *    of a word against 1 (int32 sums), or its maximum four per cv.max.b (cv.maxu.b);
 *  - kept rows (the last axis kept): the following rows that fold into the same accumulators (the axis
 *    before the last reduced) at once, four columns at a time: per row one word and four lane sums
 *    (cv.sdotsp.b against a one-lane mask) into four int32 sums, or one cv.max.b into a word of maxima;
 *  - max pooling with unit width dilation and no depth window: runs of outputs whose windows lie inside
 *    the input row, each the cv.max.b of its window rows' words, then of the four lanes.
 * Other types (int16, float, 64-bit sums) and outputs keep the generic loops. */
#ifndef DP_REDUCE_XPULP_H
#define DP_REDUCE_XPULP_H

#include "kernels/arm_hooks.h"
#include "kernels/xpulp_lanes.h"

#ifdef DP_XPULP_LANES
/* The sum (modulo 2^32) or the maximum of x[0..n), n >= 1. */
uint32_t dp_xpulp_sum_s8(const int8_t *x, int32_t n);
uint32_t dp_xpulp_sum_u8(const uint8_t *x, int32_t n);
int32_t dp_xpulp_max_s8(const int8_t *x, int32_t n);
int32_t dp_xpulp_max_u8(const uint8_t *x, int32_t n);
/* acc[i] += x[r * n + i] (modulo 2^32), or acc[i] = max(acc[i], x[r * n + i]), for r < rows, i < n. */
void dp_xpulp_sum_rows_s8(const int8_t *x, int32_t rows, int32_t n, int32_t *acc);
void dp_xpulp_sum_rows_u8(const uint8_t *x, int32_t rows, int32_t n, int32_t *acc);
void dp_xpulp_max_rows_s8(const int8_t *x, int32_t rows, int32_t n, int8_t *acc);
void dp_xpulp_max_rows_u8(const uint8_t *x, int32_t rows, int32_t n, uint8_t *acc);
/* y[l] = the maximum over r < rows and t < k_w of x[r * row_step + l * s_w + t], for l < count. Reads the
 * words at x + r * row_step + l * s_w + 4 * j for j < k_w / 4 and the one ending at its window row's end
 * (k_w >= 4), or the word at the window row's start (k_w < 4). */
void dp_xpulp_maxpool_run_s8(const int8_t *x, int32_t rows, int32_t row_step, int32_t k_w, int32_t s_w,
                             int32_t count, int8_t *y);
void dp_xpulp_maxpool_run_u8(const uint8_t *x, int32_t rows, int32_t row_step, int32_t k_w, int32_t s_w,
                             int32_t count, uint8_t *y);

/* The folding a reduction was given, recognised by name (as arm_hooks.h does): 1 sum, 2 max, else 0. */
#define DP_XPULP_COMBINE_SECOND(first, second, ...) second
#define DP_XPULP_COMBINE_PROBE(...) DP_XPULP_COMBINE_SECOND(__VA_ARGS__, 0, 0)
#define DP_XPULP_COMBINE(C) DP_XPULP_COMBINE_PROBE(DP_XPULP_COMBINE_##C)
#define DP_XPULP_COMBINE_DP_COMBINE_SUM ~, 1
#define DP_XPULP_COMBINE_DP_COMBINE_MAX ~, 2
#define DP_XPULP_IS_BYTE_T(T) (DP_ARM_IS_INT(T, 1) || DP_ARM_IS_UINT(T, 1))
/* Byte inputs summed into int32 or folded into their maximum of the same type. */
#define DP_XPULP_REDUCE_TYPES(TX, TACC, COMBINE)                                                  \
  (DP_XPULP_IS_BYTE_T(TX) &&                                                                      \
   ((DP_XPULP_COMBINE(COMBINE) == 1 && DP_ARM_IS_INT(TACC, 4)) ||                                 \
    (DP_XPULP_COMBINE(COMBINE) == 2 && sizeof(TACC) == 1 && ((TACC)-1 < 0) == ((TX)-1 < 0))))
#define DP_XPULP_REDUCE_CALL(TX, fn, ...)                                                        \
  (DP_ARM_IS_INT(TX, 1) ? dp_xpulp_##fn##_s8((const int8_t *)(const void *)x, __VA_ARGS__)        \
                        : dp_xpulp_##fn##_u8((const uint8_t *)(const void *)x, __VA_ARGS__))

/* Shorter reduced rows keep the generic loop (measured: rows of 6 took 11.9 instructions per element
 * against the generic 10.4; see reduce_xpulp.c). */
#define DP_XPULP_REDUCE_ROW_MIN 12
/* In DP_DEFINE_REDUCE, before the generic fold of a reduced row into s. */
#define DP_XPULP_REDUCE_ROW(TX, TACC, COMBINE)                                                    \
  if (DP_XPULP_REDUCE_TYPES(TX, TACC, COMBINE) && inner >= DP_XPULP_REDUCE_ROW_MIN) {             \
    if (DP_XPULP_COMBINE(COMBINE) == 1) {                                                         \
      s = (TACC)(int32_t)((uint32_t)(int32_t)s + DP_XPULP_REDUCE_CALL(TX, sum, inner));           \
    } else {                                                                                      \
      const TACC xpulp_m = (TACC)DP_XPULP_REDUCE_CALL(TX, max, inner);                            \
      if (xpulp_m > s) s = xpulp_m;                                                               \
    }                                                                                             \
  } else
/* In DP_DEFINE_REDUCE, before the generic fold of a kept row into a: that row and, when the axis before
 * the last is reduced, the rest of that axis's rows (they fold into the same a), then the generic loop's
 * position moves to the last of them. */
#define DP_XPULP_REDUCE_KEPT_ROW(TX, TACC, COMBINE)                                               \
  if (DP_XPULP_REDUCE_TYPES(TX, TACC, COMBINE)) {                                                 \
    const int32_t xpulp_rows = ndim >= 2 && acc_strides[ndim - 2] == 0 ? shape[ndim - 2] - index[ndim - 2] : 1; \
    if (DP_XPULP_COMBINE(COMBINE) == 1)                                                           \
      DP_XPULP_REDUCE_CALL(TX, sum_rows, xpulp_rows, inner, (int32_t *)(void *)a);                \
    else if (DP_ARM_IS_INT(TX, 1))                                                                \
      dp_xpulp_max_rows_s8((const int8_t *)(const void *)x, xpulp_rows, inner, (int8_t *)(void *)a); \
    else                                                                                          \
      dp_xpulp_max_rows_u8((const uint8_t *)(const void *)x, xpulp_rows, inner, (uint8_t *)(void *)a); \
    if (xpulp_rows > 1) {                                                                         \
      o += xpulp_rows - 1;                                                                        \
      x += (xpulp_rows - 1) * inner;                                                              \
      index[ndim - 2] += xpulp_rows - 1;                                                          \
    }                                                                                             \
  } else

/* In DP_DEFINE_MAXPOOL at the top of the output loop of a row (sd, sh, d0..d1, h0..h1 known): a run of
 * outputs whose windows lie inside the input row (and, for windows narrower than a word, whose word ends
 * inside the plane), without a depth window (k[0] = 1) and with unit width dilation. */
#define DP_XPULP_MAXPOOL_RUN(T)                                                                            \
  if (DP_XPULP_IS_BYTE_T(T) && k[0] == 1 && dil[2] == 1 && d1 > d0 && h1 > h0 &&                           \
      ow * st[2] - pad[2] >= 0 && ow * st[2] - pad[2] + k[2] <= in[2]) {                                   \
    const int32_t xpulp_first = ((sd + d0 * dil[0]) * in[1] + sh + h0 * dil[1]) * in[2];                   \
    const int32_t xpulp_last = xpulp_first + (h1 - 1 - h0) * dil[1] * in[2];                               \
    /* The last output of the run: window inside the row, word inside the plane. */                       \
    int32_t xpulp_end = (in[2] - k[2] + pad[2]) / st[2] + 1, xpulp_count;                                  \
    if (k[2] < 4) {                                                                                        \
      const int32_t xpulp_room = plane_size - xpulp_last - 4 + pad[2];                                     \
      const int32_t xpulp_end2 = xpulp_room < 0 ? 0 : xpulp_room / st[2] + 1;                              \
      if (xpulp_end2 < xpulp_end) xpulp_end = xpulp_end2;                                                  \
    }                                                                                                      \
    if (xpulp_end > out[2]) xpulp_end = out[2];                                                            \
    xpulp_count = xpulp_end - ow;                                                                          \
    if (xpulp_count > 0) {                                                                                 \
      const T *xpulp_x = x + xpulp_first + ow * st[2] - pad[2];                                            \
      if (DP_ARM_IS_INT(T, 1))                                                                             \
        dp_xpulp_maxpool_run_s8((const int8_t *)(const void *)xpulp_x, h1 - h0, dil[1] * in[2], k[2], st[2], \
                                xpulp_count, (int8_t *)(void *)y);                                         \
      else                                                                                                 \
        dp_xpulp_maxpool_run_u8((const uint8_t *)(const void *)xpulp_x, h1 - h0, dil[1] * in[2], k[2], st[2], \
                                xpulp_count, (uint8_t *)(void *)y);                                        \
      ow += xpulp_count - 1;                                                                               \
      y += xpulp_count - 1;                                                                                \
      continue;                                                                                            \
    }                                                                                                      \
  }
#else
#define DP_XPULP_REDUCE_ROW(TX, TACC, COMBINE)
#define DP_XPULP_REDUCE_KEPT_ROW(TX, TACC, COMBINE)
#define DP_XPULP_MAXPOOL_RUN(T)
#endif

#endif
