#include "kernels/norm.h"

#include <math.h>

static float block_mean(const float *x, int32_t n) {
  float sum = 0.0f;
  int32_t i;
  for (i = 0; i < n; ++i) sum += x[i];
  return sum / (float)n;
}

static float block_invstd(const float *x, int32_t n, float mean, float eps) {
  float sum = 0.0f;
  int32_t i;
  for (i = 0; i < n; ++i) {
    float d = x[i] - mean;
    sum += d * d;
  }
  return 1.0f / sqrtf(sum / (float)n + eps);
}

void dp_layernorm_f32(const float *x, const float *scale, int32_t scale_step, const float *bias, int32_t bias_step,
                      float *y, float *mean_out, float *invstd_out, int32_t rows, int32_t cols, float eps) {
  int32_t r, i;
  for (r = 0; r < rows; ++r, x += cols, y += cols) {
    float mean = block_mean(x, cols), invstd = block_invstd(x, cols, mean, eps);
    for (i = 0; i < cols; ++i) {
      float v = (x[i] - mean) * invstd * scale[i * scale_step];
      y[i] = bias ? v + bias[i * bias_step] : v;
    }
    if (mean_out) mean_out[r] = mean;
    if (invstd_out) invstd_out[r] = invstd;
  }
}

void dp_groupnorm_f32(const float *x, const float *scale, const float *bias, float *y, int32_t batch,
                      int32_t channels, int32_t groups, int32_t spatial, int32_t channels_per_param, float eps) {
  int32_t group_channels = channels / groups, block = group_channels * spatial;
  int32_t b, g, c, i;
  for (b = 0; b < batch; ++b) {
    for (g = 0; g < groups; ++g, x += block) {
      float mean = block_mean(x, block), invstd = block_invstd(x, block, mean, eps);
      for (c = 0; c < group_channels; ++c) {
        int32_t param = (g * group_channels + c) / channels_per_param;
        float a = invstd * scale[param], shift = bias[param];
        const float *xc = x + c * spatial;
        for (i = 0; i < spatial; ++i, ++y) *y = (xc[i] - mean) * a + shift;
      }
    }
  }
}

void dp_batchnorm_f32(const float *x, const float *scale, const float *bias, const float *mean, const float *var,
                      float *y, int32_t batch, int32_t channels, int32_t spatial, float eps) {
  int32_t b, c, i;
  for (b = 0; b < batch; ++b) {
    for (c = 0; c < channels; ++c, x += spatial, y += spatial) {
      float a = scale[c] / sqrtf(var[c] + eps), m = mean[c], shift = bias[c];
      for (i = 0; i < spatial; ++i) y[i] = (x[i] - m) * a + shift;
    }
  }
}

void dp_rmsnorm_f32(const float *x, const float *weight, int32_t weight_step, float *y, int32_t rows, int32_t cols,
                    float eps) {
  int32_t r, i;
  for (r = 0; r < rows; ++r, x += cols, y += cols) {
    float sum = 0.0f, inv_rms;
    for (i = 0; i < cols; ++i) sum += x[i] * x[i];
    inv_rms = 1.0f / sqrtf(sum / (float)cols + eps);
    for (i = 0; i < cols; ++i) y[i] = x[i] * inv_rms * weight[i * weight_step];
  }
}
