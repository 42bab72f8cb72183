#include "kernels/data_movement.h"

#include "kernels/copy.h"
#include "kernels/transpose_xpulp.h"

/* Each kernel is instantiated for the four element sizes so rows move with aligned typed loads. */

#define DP_DEFINE_STRIDED_COPY(name, T)                                                                  \
  static void name(T *dst, const T *src, int32_t ndim, const int32_t *shape, const int32_t *dst_strides, \
                   const int32_t *src_strides) {                                                         \
    int32_t index[DP_MAX_DIMS] = {0};                                                                    \
    int32_t inner = shape[ndim - 1], ds = dst_strides[ndim - 1], ss = src_strides[ndim - 1];             \
    int32_t outer = 1, d, o, i;                                                                          \
    for (d = 0; d < ndim; ++d) outer *= shape[d];                                                        \
    if (outer == 0) return;                                                                              \
    outer /= inner;                                                                                      \
    for (o = 0; o < outer; ++o) {                                                                        \
      if (ds == 1 && ss == 1) {                                                                          \
        dp_copy(dst, src, (size_t)inner * sizeof(T));                                                     \
      } else {                                                                                           \
        T *dp = dst;                                                                                     \
        const T *sp = src;                                                                               \
        for (i = 0; i < inner; ++i, dp += ds, sp += ss) *dp = *sp;                                       \
      }                                                                                                  \
      DP_NEXT_ROW2(ndim, shape, index, dst, dst_strides, src, src_strides);                              \
    }                                                                                                    \
  }

DP_DEFINE_STRIDED_COPY(dp_strided_copy_8, uint8_t)
DP_DEFINE_STRIDED_COPY(dp_strided_copy_16, uint16_t)
DP_DEFINE_STRIDED_COPY(dp_strided_copy_32, uint32_t)
DP_DEFINE_STRIDED_COPY(dp_strided_copy_64, uint64_t)

void dp_strided_copy(void *dst, const void *src, int32_t elem_size, int32_t ndim, const int32_t *shape,
                     const int32_t *dst_strides, const int32_t *src_strides) {
#ifdef DP_XPULP_LANES
  /* The cheap part of the test here (most copies are not transposes), the rest in the callee. */
  if (elem_size == 1 && ndim >= 2 && dst_strides[ndim - 1] == 1 && src_strides[ndim - 2] == 1 &&
      dp_xpulp_transpose_bytes((uint8_t *)dst, (const uint8_t *)src, ndim, shape, dst_strides, src_strides))
    return;
#endif
  switch (elem_size) {
    case 1: dp_strided_copy_8((uint8_t *)dst, (const uint8_t *)src, ndim, shape, dst_strides, src_strides); break;
    case 2: dp_strided_copy_16((uint16_t *)dst, (const uint16_t *)src, ndim, shape, dst_strides, src_strides); break;
    case 4: dp_strided_copy_32((uint32_t *)dst, (const uint32_t *)src, ndim, shape, dst_strides, src_strides); break;
    default: dp_strided_copy_64((uint64_t *)dst, (const uint64_t *)src, ndim, shape, dst_strides, src_strides); break;
  }
}

/* The input index shown at (possibly outside) index i of a dimension of n elements, or -1 for the
 * constant fill. */
static int32_t dp_pad_source(int32_t i, int32_t n, int32_t mode) {
  int32_t period;
  if (i >= 0 && i < n) return i;
  switch (mode) {
    case DP_PAD_EDGE: return i < 0 ? 0 : n - 1;
    case DP_PAD_WRAP: i %= n; return i < 0 ? i + n : i;
    case DP_PAD_REFLECT:
      if (n == 1) return 0;
      period = 2 * (n - 1);
      i %= period;
      if (i < 0) i += period;
      return i < n ? i : period - i;
    default: return -1;
  }
}

#define DP_DEFINE_PAD(name, T)                                                                            \
  static void name(T *dst, const T *src, int32_t ndim, const int32_t *in_shape, const int32_t *out_shape, \
                   const int32_t *pads, int32_t mode, T fill) {                                           \
    int32_t index[DP_MAX_DIMS] = {0}, in_strides[DP_MAX_DIMS];                                            \
    int32_t inner_in = in_shape[ndim - 1], inner_out = out_shape[ndim - 1], pad = pads[ndim - 1];         \
    int32_t lo = pad < 0 ? 0 : (pad > inner_out ? inner_out : pad);                                       \
    int32_t hi = pad + inner_in < lo ? lo : (pad + inner_in > inner_out ? inner_out : pad + inner_in);    \
    int32_t outer = 1, d, o, i, k;                                                                        \
    in_strides[ndim - 1] = 1;                                                                             \
    for (d = ndim - 2; d >= 0; --d) in_strides[d] = in_strides[d + 1] * in_shape[d + 1];                  \
    for (d = 0; d < ndim - 1; ++d) outer *= out_shape[d];                                                 \
    if (inner_out == 0) return;                                                                           \
    for (o = 0; o < outer; ++o, dst += inner_out) {                                                       \
      int32_t row = 0;                                                                                    \
      for (d = 0; d < ndim - 1 && row >= 0; ++d) {                                                        \
        k = dp_pad_source(index[d] - pads[d], in_shape[d], mode);                                         \
        row = k < 0 ? -1 : row + k * in_strides[d];                                                       \
      }                                                                                                   \
      if (row < 0) {                                                                                      \
        for (i = 0; i < inner_out; ++i) dst[i] = fill;                                                    \
      } else {                                                                                            \
        const T *s = src + row;                                                                           \
        for (i = 0; i < lo; ++i) {                                                                        \
          k = dp_pad_source(i - pad, inner_in, mode);                                                     \
          dst[i] = k < 0 ? fill : s[k];                                                                   \
        }                                                                                                 \
        if (hi > lo) dp_copy(dst + lo, s + (lo - pad), (size_t)(hi - lo) * sizeof(T));                     \
        for (i = hi; i < inner_out; ++i) {                                                                \
          k = dp_pad_source(i - pad, inner_in, mode);                                                     \
          dst[i] = k < 0 ? fill : s[k];                                                                   \
        }                                                                                                 \
      }                                                                                                   \
      for (d = ndim - 2; d >= 0; --d) {                                                                   \
        if (++index[d] < out_shape[d]) break;                                                             \
        index[d] = 0;                                                                                     \
      }                                                                                                   \
    }                                                                                                     \
  }

DP_DEFINE_PAD(dp_pad_8, uint8_t)
DP_DEFINE_PAD(dp_pad_16, uint16_t)
DP_DEFINE_PAD(dp_pad_32, uint32_t)
DP_DEFINE_PAD(dp_pad_64, uint64_t)

void dp_pad(void *dst, const void *src, int32_t elem_size, int32_t ndim, const int32_t *in_shape,
            const int32_t *out_shape, const int32_t *pads_begin, int32_t mode, const void *fill) {
  uint8_t f8 = 0;
  uint16_t f16 = 0;
  uint32_t f32 = 0;
  uint64_t f64 = 0;
  switch (elem_size) {
    case 1:
      if (fill) memcpy(&f8, fill, 1);
      dp_pad_8((uint8_t *)dst, (const uint8_t *)src, ndim, in_shape, out_shape, pads_begin, mode, f8);
      break;
    case 2:
      if (fill) memcpy(&f16, fill, 2);
      dp_pad_16((uint16_t *)dst, (const uint16_t *)src, ndim, in_shape, out_shape, pads_begin, mode, f16);
      break;
    case 4:
      if (fill) memcpy(&f32, fill, 4);
      dp_pad_32((uint32_t *)dst, (const uint32_t *)src, ndim, in_shape, out_shape, pads_begin, mode, f32);
      break;
    default:
      if (fill) memcpy(&f64, fill, 8);
      dp_pad_64((uint64_t *)dst, (const uint64_t *)src, ndim, in_shape, out_shape, pads_begin, mode, f64);
      break;
  }
}
