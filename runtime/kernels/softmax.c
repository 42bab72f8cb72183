#include "kernels/softmax.h"

#include <math.h>

/* Columns normalized together when the axis is not the innermost one: every pass then reads
 * contiguous row segments of this width, and the per-column state lives on the stack. */
#define DP_SOFTMAX_COLUMNS 32

static void softmax_rows(const float *x, float *y, int32_t rows, int32_t len) {
  int32_t r, k;
  for (r = 0; r < rows; ++r, x += len, y += len) {
    float max = x[0], sum = 0.0f, scale;
    for (k = 1; k < len; ++k) {
      if (x[k] > max) max = x[k];
    }
    for (k = 0; k < len; ++k) {
      y[k] = expf(x[k] - max);
      sum += y[k];
    }
    scale = 1.0f / sum;
    for (k = 0; k < len; ++k) y[k] *= scale;
  }
}

/* Normalizes `width` adjacent columns of a [len, stride] block. */
static void softmax_columns(const float *x, float *y, int32_t len, int32_t stride, int32_t width) {
  float max[DP_SOFTMAX_COLUMNS], sum[DP_SOFTMAX_COLUMNS];
  const float *xr;
  float *yr;
  int32_t k, j;
  for (j = 0; j < width; ++j) {
    max[j] = x[j];
    sum[j] = 0.0f;
  }
  for (k = 1, xr = x + stride; k < len; ++k, xr += stride) {
    for (j = 0; j < width; ++j) {
      if (xr[j] > max[j]) max[j] = xr[j];
    }
  }
  for (k = 0, xr = x, yr = y; k < len; ++k, xr += stride, yr += stride) {
    for (j = 0; j < width; ++j) {
      yr[j] = expf(xr[j] - max[j]);
      sum[j] += yr[j];
    }
  }
  for (j = 0; j < width; ++j) sum[j] = 1.0f / sum[j];
  for (k = 0, yr = y; k < len; ++k, yr += stride) {
    for (j = 0; j < width; ++j) yr[j] *= sum[j];
  }
}

void dp_softmax_f32(const float *x, float *y, int32_t outer, int32_t axis_len, int32_t inner) {
  int32_t o, j;
  int64_t block = (int64_t)axis_len * inner;
  if (outer <= 0 || axis_len <= 0 || inner <= 0) return;
  if (inner == 1) {
    softmax_rows(x, y, outer, axis_len);
    return;
  }
  for (o = 0; o < outer; ++o, x += block, y += block) {
    for (j = 0; j < inner; j += DP_SOFTMAX_COLUMNS) {
      int32_t width = inner - j < DP_SOFTMAX_COLUMNS ? inner - j : DP_SOFTMAX_COLUMNS;
      softmax_columns(x + j, y + j, axis_len, inner, width);
    }
  }
}
