#include "kernels/pooling.h"

/* Taps of a window counted toward the divisor. */
static int32_t divisor_taps(int32_t start, int32_t kernel, int32_t dilation, int32_t size, int32_t pad_begin,
                            int32_t pad_end, int32_t count_include_pad) {
  int32_t first, last;
  if (count_include_pad) {
    dp_pool_taps(start + pad_begin, kernel, dilation, size + pad_begin + pad_end, &first, &last);
  } else {
    dp_pool_taps(start, kernel, dilation, size, &first, &last);
  }
  return last - first;
}

void dp_avgpool_f32(const float *x, float *y, int32_t planes, const int32_t *geometry, int32_t count_include_pad) {
  const int32_t *in = geometry, *out = geometry + 3, *k = geometry + 6, *st = geometry + 9;
  const int32_t *dil = geometry + 12, *pad = geometry + 15, *pad_end = geometry + 18;
  int32_t plane_size = in[0] * in[1] * in[2];
  int32_t p, od, oh, ow, d0, d1, h0, h1, w0, w1, td, th, tw;
  for (p = 0; p < planes; ++p, x += plane_size) {
    for (od = 0; od < out[0]; ++od) {
      int32_t sd = od * st[0] - pad[0];
      int32_t nd = divisor_taps(sd, k[0], dil[0], in[0], pad[0], pad_end[0], count_include_pad);
      dp_pool_taps(sd, k[0], dil[0], in[0], &d0, &d1);
      for (oh = 0; oh < out[1]; ++oh) {
        int32_t sh = oh * st[1] - pad[1];
        int32_t nh = divisor_taps(sh, k[1], dil[1], in[1], pad[1], pad_end[1], count_include_pad);
        dp_pool_taps(sh, k[1], dil[1], in[1], &h0, &h1);
        for (ow = 0; ow < out[2]; ++ow, ++y) {
          int32_t sw = ow * st[2] - pad[2];
          int32_t nw = divisor_taps(sw, k[2], dil[2], in[2], pad[2], pad_end[2], count_include_pad);
          float sum = 0.0f;
          dp_pool_taps(sw, k[2], dil[2], in[2], &w0, &w1);
          for (td = d0; td < d1; ++td) {
            for (th = h0; th < h1; ++th) {
              int32_t row = ((sd + td * dil[0]) * in[1] + sh + th * dil[1]) * in[2] + sw;
              for (tw = w0; tw < w1; ++tw) sum += x[row + tw * dil[2]];
            }
          }
          *y = sum / (float)(nd * nh * nw);
        }
      }
    }
  }
}
