/* Element type conversion (Cast, and Concat of mixed input types), instantiated per type pair by the
 * generated code:
 *   DP_DEFINE_CAST(name, TX, TY, LOAD, STORE)  defines
 *     void name(const TX *x, TY *y, int32_t blocks, int32_t block_len, int32_t y_stride)
 *   converting `blocks` runs of block_len contiguous elements; run b reads x + b * block_len and writes
 *   y + b * y_stride (a plain Cast is one block). Each element becomes (TY)STORE(LOAD(x)):
 *   LOAD is DP_CAST_SAME or dp_bf16_to_f32 (bfloat16 sources), STORE is DP_CAST_SAME for plain C
 *   conversions (integer to integer wraps, to float rounds to nearest), DP_CAST_TO_BOOL, dp_f32_to_bf16,
 *   or one of the saturating float-to-integer conversions below.
 * Float to integer truncates toward zero and saturates to the target range, NaN giving 0 (ONNX leaves
 * out-of-range results undefined; C would make them undefined behaviour). */
#ifndef DP_CAST_H
#define DP_CAST_H

#include "kernels/dp_common.h"

#define DP_DEFINE_CAST(name, TX, TY, LOAD, STORE)                                             \
  DP_INSTANCE void name(const TX *x, TY *y, int32_t blocks, int32_t block_len, int32_t y_stride) { \
    int32_t b, i;                                                                             \
    for (b = 0; b < blocks; ++b, x += block_len, y += y_stride) {                             \
      for (i = 0; i < block_len; ++i) y[i] = (TY)STORE(LOAD(x[i]));                           \
    }                                                                                         \
  }

#define DP_CAST_SAME(v) (v)
#define DP_CAST_TO_BOOL(v) ((v) != 0)

/* lo and hi are the first float values at or beyond the target's minimum and maximum. */
#define DP_DEFINE_FLOAT_TO_INT(name, TF, TY, lo, hi, min, max) \
  static inline TY name(TF v) { return v != v ? (TY)0 : (v <= (lo) ? (TY)(min) : (v >= (hi) ? (TY)(max) : (TY)v)); }

DP_DEFINE_FLOAT_TO_INT(dp_f32_to_s8, float, int8_t, -128.0f, 128.0f, INT8_MIN, INT8_MAX)
DP_DEFINE_FLOAT_TO_INT(dp_f32_to_u8, float, uint8_t, 0.0f, 256.0f, 0, UINT8_MAX)
DP_DEFINE_FLOAT_TO_INT(dp_f32_to_s16, float, int16_t, -32768.0f, 32768.0f, INT16_MIN, INT16_MAX)
DP_DEFINE_FLOAT_TO_INT(dp_f32_to_u16, float, uint16_t, 0.0f, 65536.0f, 0, UINT16_MAX)
DP_DEFINE_FLOAT_TO_INT(dp_f32_to_s32, float, int32_t, -2147483648.0f, 2147483648.0f, INT32_MIN, INT32_MAX)
DP_DEFINE_FLOAT_TO_INT(dp_f32_to_u32, float, uint32_t, 0.0f, 4294967296.0f, 0, UINT32_MAX)
DP_DEFINE_FLOAT_TO_INT(dp_f32_to_s64, float, int64_t, -9223372036854775808.0f, 9223372036854775808.0f, INT64_MIN,
                       INT64_MAX)
DP_DEFINE_FLOAT_TO_INT(dp_f32_to_u64, float, uint64_t, 0.0f, 18446744073709551616.0f, 0, UINT64_MAX)
DP_DEFINE_FLOAT_TO_INT(dp_f64_to_s8, double, int8_t, -128.0, 128.0, INT8_MIN, INT8_MAX)
DP_DEFINE_FLOAT_TO_INT(dp_f64_to_u8, double, uint8_t, 0.0, 256.0, 0, UINT8_MAX)
DP_DEFINE_FLOAT_TO_INT(dp_f64_to_s16, double, int16_t, -32768.0, 32768.0, INT16_MIN, INT16_MAX)
DP_DEFINE_FLOAT_TO_INT(dp_f64_to_u16, double, uint16_t, 0.0, 65536.0, 0, UINT16_MAX)
DP_DEFINE_FLOAT_TO_INT(dp_f64_to_s32, double, int32_t, -2147483648.0, 2147483648.0, INT32_MIN, INT32_MAX)
DP_DEFINE_FLOAT_TO_INT(dp_f64_to_u32, double, uint32_t, 0.0, 4294967296.0, 0, UINT32_MAX)
DP_DEFINE_FLOAT_TO_INT(dp_f64_to_s64, double, int64_t, -9223372036854775808.0, 9223372036854775808.0, INT64_MIN,
                       INT64_MAX)
DP_DEFINE_FLOAT_TO_INT(dp_f64_to_u64, double, uint64_t, 0.0, 18446744073709551616.0, 0, UINT64_MAX)

#endif
