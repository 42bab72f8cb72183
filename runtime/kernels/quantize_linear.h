/* ONNX QuantizeLinear, DequantizeLinear and DynamicQuantizeLinear in float32, the arithmetic
 * onnxruntime uses (division by the scale, not multiplication by its reciprocal).
 *
 * Per-axis parameters: the tensor is viewed as [outer][channels][inner] and element (o, c, i) uses
 * scale[c] and zero[c]; a per-tensor call has one channel. zero == NULL means zero point 0.
 *
 *   DP_DEFINE_QUANTIZE_LINEAR(name, TX, TY, SATURATE)  defines
 *     void name(const TX *x, const float *scale, const TY *zero, TY *y,
 *               int32_t outer, int32_t channels, int32_t inner)
 *   y = SATURATE(nearbyintf((float)x / scale) + (float)zero): SATURATE is one of cast.h's float to TY
 *   conversions (dp_f32_to_s8, dp_f32_to_u8, ...), which clamp to TY's range and map NaN to 0.
 *
 *   DP_DEFINE_DEQUANTIZE_LINEAR(name, TX, TDIFF)  defines
 *     void name(const TX *x, const float *scale, const TX *zero, float *y,
 *               int32_t outer, int32_t channels, int32_t inner)
 *   y = (float)((TDIFF)x - (TDIFF)zero) * scale, with TDIFF wide enough for the exact difference
 *   (int32_t for 8- and 16-bit types, int64_t for int32).
 *
 * nearbyintf rounds half to even under the default rounding mode, which the runtime never changes. */
#ifndef DP_QUANTIZE_LINEAR_H
#define DP_QUANTIZE_LINEAR_H

#include <math.h>

#include "kernels/cast.h"
#include "kernels/dp_common.h"

#define DP_DEFINE_QUANTIZE_LINEAR(name, TX, TY, SATURATE)                                                   \
  DP_INSTANCE void name(const TX *x, const float *scale, const TY *zero, TY *y, int32_t outer, int32_t channels, \
                        int32_t inner) {                                                                    \
    int32_t o, c, i;                                                                                        \
    for (o = 0; o < outer; ++o) {                                                                           \
      for (c = 0; c < channels; ++c, x += inner, y += inner) {                                              \
        const float s = scale[c], z = zero ? (float)zero[c] : 0.0f;                                         \
        for (i = 0; i < inner; ++i) y[i] = SATURATE(nearbyintf((float)x[i] / s) + z);                      \
      }                                                                                                     \
    }                                                                                                       \
  }

#define DP_DEFINE_DEQUANTIZE_LINEAR(name, TX, TDIFF)                                                        \
  DP_INSTANCE void name(const TX *x, const float *scale, const TX *zero, float *y, int32_t outer,          \
                        int32_t channels, int32_t inner) {                                                  \
    int32_t o, c, i;                                                                                        \
    for (o = 0; o < outer; ++o) {                                                                           \
      for (c = 0; c < channels; ++c, x += inner, y += inner) {                                              \
        const float s = scale[c];                                                                           \
        const TDIFF z = zero ? (TDIFF)zero[c] : 0;                                                          \
        for (i = 0; i < inner; ++i) y[i] = (float)((TDIFF)x[i] - z) * s;                                    \
      }                                                                                                     \
    }                                                                                                       \
  }

/* DynamicQuantizeLinear of n floats: the range [min(x), max(x)] widened to include 0 (NaN is ignored),
 * *y_scale = (max - min) / 255 (1 when the range is empty: x all zero or n == 0, where the spec's
 * formula would divide by zero; onnxruntime does the same), *y_zero = round(clamp(0 - min / scale, 0,
 * 255)), then y = QuantizeLinear(x, *y_scale, *y_zero). */
void dp_dynamic_quantize_linear_f32_u8(const float *x, int32_t n, uint8_t *y, float *y_scale, uint8_t *y_zero);

#endif
