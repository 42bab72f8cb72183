/* Reductions over any subset of axes (ReduceSum, ReduceMean, ReduceMax, ReduceMin, GlobalAveragePool, GlobalMaxPool),
 * instantiated per type combination by the generated code.
 *
 * The compiler hands the kernel the input shape with size-1 dimensions dropped and adjacent
 * dimensions of the same kind (reduced / kept) merged, so the last dimension is either reduced or
 * kept and contiguous in the accumulator; every inner loop then walks memory contiguously.
 *
 *   DP_DEFINE_REDUCE(name, TX, TACC, COMBINE)  defines
 *     void name(const TX *x, TACC *acc, TACC init, int32_t acc_count,
 *               int32_t ndim, const int32_t *shape, const int32_t *acc_strides)
 *   which sets acc[0 .. acc_count) to `init`, then folds every element of x (row-major `shape`)
 *   into acc[sum_d coord[d] * acc_strides[d]] with COMBINE (acc_strides[d] is 0 on reduced
 *   dimensions; a kept last dimension has stride 1).
 *
 *   DP_DEFINE_INTEGER_MEAN(name, TACC, TY)  defines
 *     void name(const TACC *acc, TY *y, int32_t n, int32_t count)
 *   dividing integer sums of `count` values with Deeploy's rounding: for count = 2^k,
 *   (acc + 2^(k-1)) >> k; otherwise acc + sign(acc) * floor(count / 2) divided truncating.
 *
 *   DP_DEFINE_NARROW(name, TACC, TY)  defines  void name(const TACC *acc, TY *y, int32_t n)
 *   converting accumulators to the output type (wrapping). */
#ifndef DP_REDUCE_H
#define DP_REDUCE_H

#include "kernels/dp_common.h"
#include "kernels/simd_hooks.h"

#define DP_COMBINE_SUM(acc, v) ((acc) + (v))
#define DP_COMBINE_MAX(acc, v) ((v) > (acc) ? (v) : (acc))
#define DP_COMBINE_MIN(acc, v) ((v) < (acc) ? (v) : (acc))

#define DP_DEFINE_REDUCE(name, TX, TACC, COMBINE)                                                  \
  DP_INSTANCE void name(const TX *x, TACC *acc, TACC init, int32_t acc_count, int32_t ndim,              \
                   const int32_t *shape, const int32_t *acc_strides) {                              \
    int32_t index[DP_MAX_DIMS] = {0};                                                                \
    int32_t inner = shape[ndim - 1], inner_kept = acc_strides[ndim - 1] != 0;                        \
    int32_t outer = 1, d, o, i, ao = 0;                                                              \
    for (i = 0; i < acc_count; ++i) acc[i] = init;                                                   \
    for (d = 0; d < ndim - 1; ++d) outer *= shape[d];                                                \
    if (inner == 0) return;                                                                          \
    for (o = 0; o < outer; ++o, x += inner) {                                                        \
      if (inner_kept) {                                                                              \
        TACC *a = acc + ao;                                                                          \
        DP_SIMD_REDUCE_KEPT_ROW(TX, TACC, COMBINE) for (i = 0; i < inner; ++i) a[i] = COMBINE(a[i], (TACC)x[i]); \
      } else {                                                                                       \
        TACC s = acc[ao];                                                                            \
        DP_SIMD_REDUCE_ROW(TX, TACC, COMBINE) for (i = 0; i < inner; ++i) s = COMBINE(s, (TACC)x[i]); \
        acc[ao] = s;                                                                                 \
      }                                                                                              \
      for (d = ndim - 2; d >= 0; --d) {                                                              \
        ao += acc_strides[d];                                                                        \
        if (++index[d] < shape[d]) break;                                                            \
        ao -= acc_strides[d] * shape[d];                                                             \
        index[d] = 0;                                                                                \
      }                                                                                              \
    }                                                                                                \
  }

/* Deeploy's rounded integer mean of `count` values summing to `sum` (0 for an empty set). */
static inline int64_t dp_rounded_mean(int64_t sum, int32_t count, int32_t log2_count) {
  if (count <= 0) return 0;
  if (log2_count == 0) return sum;
  if (log2_count > 0) return dp_asr64(sum + ((int64_t)1 << (log2_count - 1)), log2_count);
  return (sum + (sum < 0 ? -(int64_t)(count / 2) : (int64_t)(count / 2))) / count;
}

/* k when count = 2^k, otherwise -1. */
static inline int32_t dp_exact_log2(int32_t count) {
  int32_t k = 0;
  if (count <= 0 || (count & (count - 1)) != 0) return -1;
  while ((1 << k) != count) ++k;
  return k;
}

#define DP_DEFINE_INTEGER_MEAN(name, TACC, TY)                                    \
  DP_INSTANCE void name(const TACC *acc, TY *y, int32_t n, int32_t count) {            \
    int32_t i, log2_count = dp_exact_log2(count);                                 \
    for (i = 0; i < n; ++i) y[i] = (TY)dp_rounded_mean((int64_t)acc[i], count, log2_count); \
  }

#define DP_DEFINE_NARROW(name, TACC, TY)                                           \
  DP_INSTANCE void name(const TACC *acc, TY *y, int32_t n) {                           \
    int32_t i;                                                                    \
    for (i = 0; i < n; ++i) y[i] = (TY)acc[i];                                    \
  }

/* y[i] /= count: the float mean from the sums already in y. */
void dp_divide_f32(float *y, int32_t n, int32_t count);

#endif
