/* Float normalizations. Statistics are computed per contiguous block in two passes (mean, then
 * the mean of squared deviations) for accuracy; invstd = 1 / sqrt(variance + eps).
 * A parameter `step` of 1 walks a parameter array with the element, 0 repeats its single value. */
#ifndef DP_NORM_H
#define DP_NORM_H

#include "kernels/dp_common.h"

/* LayerNormalization over `rows` blocks of `cols` values: y = (x - mean) * invstd * scale + bias.
 * bias, mean_out and invstd_out may be NULL (mean_out / invstd_out receive one value per row). */
void dp_layernorm_f32(const float *x, const float *scale, int32_t scale_step, const float *bias, int32_t bias_step,
                      float *y, float *mean_out, float *invstd_out, int32_t rows, int32_t cols, float eps);

/* GroupNormalization (InstanceNormalization with groups = channels) of batch x channels x spatial:
 * statistics over each group of channels / groups channels; scale and bias index the channel
 * divided by channels_per_param (1: per channel, channels / groups: per group). */
void dp_groupnorm_f32(const float *x, const float *scale, const float *bias, float *y, int32_t batch,
                      int32_t channels, int32_t groups, int32_t spatial, int32_t channels_per_param, float eps);

/* BatchNormalization in inference mode: y = (x - mean[c]) / sqrt(var[c] + eps) * scale[c] + bias[c]. */
void dp_batchnorm_f32(const float *x, const float *scale, const float *bias, const float *mean, const float *var,
                      float *y, int32_t batch, int32_t channels, int32_t spatial, float eps);

/* RMSNorm over `rows` blocks of `cols` values: y = x / sqrt(mean(x^2) + eps) * weight. */
void dp_rmsnorm_f32(const float *x, const float *weight, int32_t weight_step, float *y, int32_t rows, int32_t cols,
                    float eps);

#endif
