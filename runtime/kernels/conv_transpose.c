/* The float ConvTranspose kernel; integer variants are instantiated by the generated code. */
#include "kernels/conv_transpose.h"

DP_DEFINE_CONV_TRANSPOSE(, dp_conv_transpose_f32_f32_f32, float, float, float, float)
