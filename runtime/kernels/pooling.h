/* Windowed pooling over the spatial dimensions of N x C x spatial tensors (1 to 3 spatial dimensions;
 * fewer are passed as leading dimensions of size 1).
 *
 * `geometry` holds 21 values, three per group (depth, height, width):
 *   input size, output size, kernel size, stride, dilation, padding at the start, padding at the end.
 * Output position o of a dimension reads the taps start + t * dilation, start = o * stride - pad_begin,
 * t in [0, kernel); taps outside the input are skipped (padding never wins a max and adds nothing
 * to a sum).
 *
 *   DP_DEFINE_MAXPOOL(name, T, LOWEST)  defines
 *     void name(const T *x, T *y, int32_t planes, const int32_t *geometry)
 *   for `planes` = N * C independent planes; LOWEST is the result of a window without any input tap.
 *
 *   dp_avgpool_f32 averages the taps inside the input, or with count_include_pad every tap inside the
 *   padded input. */
#ifndef DP_POOLING_H
#define DP_POOLING_H

#include "kernels/dp_common.h"
#include "kernels/simd_hooks.h"

#define DP_POOL_GEOMETRY_SIZE 21

/* The taps [*first, *last) of a window starting at `start` that fall inside [0, size). */
static inline void dp_pool_taps(int32_t start, int32_t kernel, int32_t dilation, int32_t size, int32_t *first,
                                int32_t *last) {
  int32_t f = 0, l = kernel;
  while (f < l && start + f * dilation < 0) ++f;
  while (l > f && start + (l - 1) * dilation >= size) --l;
  *first = f;
  *last = l;
}

#define DP_DEFINE_MAXPOOL(name, T, LOWEST)                                                          \
  DP_INSTANCE void name(const T *x, T *y, int32_t planes, const int32_t *geometry) {                     \
    const int32_t *in = geometry, *out = geometry + 3, *k = geometry + 6, *st = geometry + 9;       \
    const int32_t *dil = geometry + 12, *pad = geometry + 15;                                        \
    int32_t plane_size = in[0] * in[1] * in[2];                                                      \
    int32_t p, od, oh, ow, d0, d1, h0, h1, w0, w1, td, th, tw;                                       \
    for (p = 0; p < planes; ++p, x += plane_size) {                                                  \
      for (od = 0; od < out[0]; ++od) {                                                              \
        int32_t sd = od * st[0] - pad[0];                                                            \
        dp_pool_taps(sd, k[0], dil[0], in[0], &d0, &d1);                                             \
        for (oh = 0; oh < out[1]; ++oh) {                                                            \
          int32_t sh = oh * st[1] - pad[1];                                                          \
          dp_pool_taps(sh, k[1], dil[1], in[1], &h0, &h1);                                           \
          for (ow = 0; ow < out[2]; ++ow, ++y) {                                                     \
            int32_t sw = ow * st[2] - pad[2];                                                        \
            DP_SIMD_MAXPOOL_RUN(T)                                                                   \
            T m = LOWEST;                                                                            \
            dp_pool_taps(sw, k[2], dil[2], in[2], &w0, &w1);                                         \
            for (td = d0; td < d1; ++td) {                                                           \
              for (th = h0; th < h1; ++th) {                                                         \
                int32_t row = ((sd + td * dil[0]) * in[1] + sh + th * dil[1]) * in[2] + sw;         \
                for (tw = w0; tw < w1; ++tw) {                                                       \
                  T v = x[row + tw * dil[2]];                                                        \
                  if (v > m) m = v;                                                                  \
                }                                                                                    \
              }                                                                                      \
            }                                                                                        \
            *y = m;                                                                                  \
          }                                                                                          \
        }                                                                                            \
      }                                                                                              \
    }                                                                                                \
  }

void dp_avgpool_f32(const float *x, float *y, int32_t planes, const int32_t *geometry, int32_t count_include_pad);

#endif
