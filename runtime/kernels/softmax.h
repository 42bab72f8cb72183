/* Float softmax over one axis of a tensor viewed as [outer, axis_len, inner] (row-major):
 *   y[o, k, j] = exp(x[o, k, j] - max_k x[o, :, j]) / sum_k exp(x[o, k, j] - max_k x[o, :, j]). */
#ifndef DP_SOFTMAX_H
#define DP_SOFTMAX_H

#include <stdint.h>

void dp_softmax_f32(const float *x, float *y, int32_t outer, int32_t axis_len, int32_t inner);

#endif
