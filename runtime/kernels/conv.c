/* The common Conv variants (im2col columns against the single-row micro-kernels of matmul.h); others
 * are instantiated by the generated code from conv.h. */
#include "kernels/conv.h"

DP_DEFINE_CONV_IM2COL(, dp_conv_im2col_s8_s8_s32, int8_t, int8_t, uint32_t, int32_t)
DP_DEFINE_CONV_DIRECT(, dp_conv_direct_s8_s8_s32, int8_t, int8_t, uint32_t, int32_t)
DP_DEFINE_CONV_IM2COL(, dp_conv_im2col_u8_s8_s32, uint8_t, int8_t, uint32_t, int32_t)
DP_DEFINE_CONV_DIRECT(, dp_conv_direct_u8_s8_s32, uint8_t, int8_t, uint32_t, int32_t)
DP_DEFINE_CONV_IM2COL(, dp_conv_im2col_f32_f32_f32, float, float, float, float)
DP_DEFINE_CONV_DIRECT(, dp_conv_direct_f32_f32_f32, float, float, float, float)

DP_DEFINE_RQCONV_IM2COL(, dp_rqconv_im2col_s8_s8_s8, int8_t, int8_t, int8_t)
DP_DEFINE_RQCONV_DIRECT(, dp_rqconv_direct_s8_s8_s8, int8_t, int8_t, int8_t)
DP_DEFINE_RQCONV_IM2COL(, dp_rqconv_im2col_s8_s8_u8, int8_t, int8_t, uint8_t)
DP_DEFINE_RQCONV_DIRECT(, dp_rqconv_direct_s8_s8_u8, int8_t, int8_t, uint8_t)
DP_DEFINE_RQCONV_IM2COL(, dp_rqconv_im2col_u8_s8_s8, uint8_t, int8_t, int8_t)
DP_DEFINE_RQCONV_DIRECT(, dp_rqconv_direct_u8_s8_s8, uint8_t, int8_t, int8_t)
DP_DEFINE_RQCONV_IM2COL(, dp_rqconv_im2col_u8_s8_u8, uint8_t, int8_t, uint8_t)
DP_DEFINE_RQCONV_DIRECT(, dp_rqconv_direct_u8_s8_u8, uint8_t, int8_t, uint8_t)
