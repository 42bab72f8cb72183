#include "kernels/quantize_linear.h"

void dp_dynamic_quantize_linear_f32_u8(const float *x, int32_t n, uint8_t *y, float *y_scale, uint8_t *y_zero) {
  float lo = 0.0f, hi = 0.0f, scale, zero;
  int32_t i;
  for (i = 0; i < n; ++i) {
    if (x[i] < lo) lo = x[i];
    if (x[i] > hi) hi = x[i];
  }
  scale = hi == lo ? 1.0f : (hi - lo) / 255.0f;
  zero = 0.0f - lo / scale;
  zero = nearbyintf(zero < 0.0f ? 0.0f : (zero > 255.0f ? 255.0f : zero));
  for (i = 0; i < n; ++i) y[i] = dp_f32_to_u8(nearbyintf(x[i] / scale) + zero);
  *y_scale = scale;
  *y_zero = dp_f32_to_u8(zero);
}
