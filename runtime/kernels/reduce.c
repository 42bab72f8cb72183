#include "kernels/reduce.h"

void dp_divide_f32(float *y, int32_t n, int32_t count) {
  float divisor = (float)count;
  int32_t i;
  for (i = 0; i < n; ++i) y[i] = y[i] / divisor;
}
