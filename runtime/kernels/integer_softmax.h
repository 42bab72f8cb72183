/* Integer softmax approximations of Deeploy's integer dialect, over the last axis of a tensor seen as
 * `rows` rows of `length` elements (8-bit inputs). The compiler instantiates one kernel per type
 * combination:
 *
 *   DP_DEFINE_ISOFTMAX(name, TX, TY, TT, ACC)  defines
 *     void name(const TX *x, TY *y, int32_t rows, int32_t length, const TT *table, uint32_t top)
 *   iSoftmax (I-BERT): y_j = floor(e_j * top / sum_k e_k) with e_j = table[max - x_j]; the compiler
 *   tabulates the polynomial exponential per distance from the row maximum (256 entries of type TT,
 *   uint16_t when they all fit, else uint32_t, for 8-bit inputs), so the kernel needs no
 *   multiplication per element; the second pass looks the terms up again rather than keeping them,
 *   so the kernel needs no scratch memory and rows split freely among cores.
 *   ACC (uint32_t, or uint64_t when the compiler found the sum or e_j * top may exceed 32 bits)
 *   accumulates the row sum. A zero sum gives zeros.
 *
 *   DP_DEFINE_ITAMAX(name, TX, TY)  defines
 *     void name(const TX *x, TY *y, int32_t rows, int32_t length, uint32_t top)
 *   ITAMax: s_j = (max - x_j + 16) >> 5, E = sum_j 256 >> s_j, y_j = floor(top * 256 / E) >> s_j.
 *
 *   DP_DEFINE_ITAPARTIALMAX(name, TX, TY)  defines
 *     void name(const TX *x, TY *y, int32_t rows, int32_t length, int32_t group, uint32_t top)
 *   ITAPartialMax: ITAMax with the denominator accumulated over groups of `group` elements against a
 *   running maximum (starting at -128), rescaling the partial sum when the maximum grows; top is
 *   n_levels / 2 - 1 here. */
#ifndef DP_INTEGER_SOFTMAX_H
#define DP_INTEGER_SOFTMAX_H

#include "kernels/dp_common.h"
#include "kernels/softmax_arm.h"
#include "kernels/simd_hooks.h"

#define DP_ROW_MAX(row, length, out)                                                                    \
  do {                                                                                                  \
    int32_t k_;                                                                                         \
    (out) = (row)[0];                                                                                   \
    for (k_ = 1; k_ < (length); ++k_) {                                                                 \
      if ((row)[k_] > (out)) (out) = (row)[k_];                                                         \
    }                                                                                                   \
  } while (0)

#define DP_DEFINE_ISOFTMAX(name, TX, TY, TT, ACC)                                                       \
  DP_INSTANCE void name(const TX *x, TY *y, int32_t rows, int32_t length, const TT *table, uint32_t top) {   \
    int32_t r, j;                                                                                       \
    if (length == 0) return;                                                                            \
    for (r = 0; r < rows; ++r, x += length, y += length) {                                              \
      TX max;                                                                                           \
      ACC sum = 0;                                                                                      \
      DP_SIMD_ISOFTMAX_ROW(TX, TY, TT, ACC)                                                             \
      DP_ROW_MAX(x, length, max);                                                                       \
      for (j = 0; j < length; ++j) sum += table[(int32_t)max - (int32_t)x[j]];                          \
      for (j = 0; j < length; ++j) {                                                                    \
        y[j] = (TY)(sum == 0 ? 0 : (ACC)table[(int32_t)max - (int32_t)x[j]] * top / sum);               \
      }                                                                                                 \
    }                                                                                                   \
  }

/* The ITA shift of an element at distance d >= 0 below the row maximum. */
#define DP_ITA_SHIFT(d) ((uint32_t)((d) + 16) >> 5)

#define DP_DEFINE_ITAMAX(name, TX, TY)                                                                  \
  DP_INSTANCE void name(const TX *x, TY *y, int32_t rows, int32_t length, uint32_t top) {                    \
    int32_t r, j;                                                                                       \
    if (length == 0) return;                                                                            \
    for (r = 0; r < rows; ++r, x += length, y += length) {                                              \
      TX max;                                                                                           \
      uint32_t sum = 0, inverse;                                                                        \
      DP_ROW_MAX(x, length, max);                                                                       \
      for (j = 0; j < length; ++j) sum += 256u >> DP_ITA_SHIFT((int32_t)max - (int32_t)x[j]);           \
      inverse = top * 256u / sum;                                                                       \
      for (j = 0; j < length; ++j) y[j] = (TY)(inverse >> DP_ITA_SHIFT((int32_t)max - (int32_t)x[j]));  \
    }                                                                                                   \
  }

#define DP_DEFINE_ITAPARTIALMAX(name, TX, TY)                                                           \
  DP_INSTANCE void name(const TX *x, TY *y, int32_t rows, int32_t length, int32_t group, uint32_t top) {     \
    int32_t r, g, j;                                                                                    \
    if (length == 0) return;                                                                            \
    for (r = 0; r < rows; ++r, x += length, y += length) {                                              \
      int32_t max = -128;                                                                               \
      uint32_t partial = 0, inverse;                                                                    \
      for (g = 0; g < length; g += group) {                                                             \
        const TX *part = x + g;                                                                         \
        TX group_max;                                                                                   \
        uint32_t rescale = 0, sum = 0;                                                                  \
        DP_ROW_MAX(part, group, group_max);                                                             \
        if ((int32_t)group_max > max) {                                                                 \
          rescale = DP_ITA_SHIFT((int32_t)group_max - max);                                             \
          max = group_max;                                                                              \
        }                                                                                               \
        for (j = 0; j < group; ++j) sum += 256u >> DP_ITA_SHIFT(max - (int32_t)part[j]);                \
        partial = (partial >> rescale) + sum;                                                           \
      }                                                                                                 \
      inverse = top * 256u / partial;                                                                   \
      for (j = 0; j < length; ++j) y[j] = (TY)(inverse >> DP_ITA_SHIFT(max - (int32_t)x[j]));           \
    }                                                                                                   \
  }

#endif
