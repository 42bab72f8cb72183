/* The generic kernels (built with -DDP_GENERIC_KERNELS: no SIMD hooks) that xpulp_check.c compares the
 * CORE-V kernels with, under names of their own. */
#include "xpulp_check.h"

#ifndef DP_GENERIC_KERNELS
#error "compile with -DDP_GENERIC_KERNELS"
#endif

DP_DEFINE_MATMUL_NT(, ref_matmul_nt_s8, int8_t, int8_t, uint32_t, int32_t)
DP_DEFINE_MATMUL_NT(, ref_matmul_nt_u8, uint8_t, int8_t, uint32_t, int32_t)
DP_DEFINE_MATMUL_NN(, ref_matmul_nn_s8, int8_t, int8_t, uint32_t, int32_t)
DP_DEFINE_MATMUL_NN(, ref_matmul_nn_u8, uint8_t, int8_t, uint32_t, int32_t)
DP_DEFINE_MATMUL_NT(, ref_matmul_nt_s8_s8, int8_t, int8_t, uint32_t, int8_t)
DP_DEFINE_MATMUL_NN(, ref_matmul_nn_u8_s16, uint8_t, int8_t, uint32_t, int16_t)

DP_DEFINE_RQMATMUL_NT(, ref_rqmatmul_nt_s8_s8, int8_t, int8_t, int8_t)
DP_DEFINE_RQMATMUL_NT(, ref_rqmatmul_nt_s8_u8, int8_t, int8_t, uint8_t)
DP_DEFINE_RQMATMUL_NT(, ref_rqmatmul_nt_u8_s8, uint8_t, int8_t, int8_t)
DP_DEFINE_RQMATMUL_NT(, ref_rqmatmul_nt_u8_u8, uint8_t, int8_t, uint8_t)
DP_DEFINE_RQMATMUL_NN(, ref_rqmatmul_nn_s8_s8, int8_t, int8_t, int8_t)
DP_DEFINE_RQMATMUL_NN(, ref_rqmatmul_nn_s8_u8, int8_t, int8_t, uint8_t)
DP_DEFINE_RQMATMUL_NN(, ref_rqmatmul_nn_u8_s8, uint8_t, int8_t, int8_t)
DP_DEFINE_RQMATMUL_NN(, ref_rqmatmul_nn_u8_u8, uint8_t, int8_t, uint8_t)
DP_DEFINE_RQMATMUL_NT(, ref_rqmatmul_nt_s8_s16, int8_t, int8_t, int16_t)

DP_DEFINE_GEMM_NT(, ref_gemm_nt_s8, int8_t, int8_t, uint32_t, int32_t)
DP_DEFINE_GEMM_NT(, ref_gemm_nt_u8, uint8_t, int8_t, uint32_t, int32_t)
DP_DEFINE_GEMM_NN(, ref_gemm_nn_s8, int8_t, int8_t, uint32_t, int32_t)
DP_DEFINE_GEMM_NN(, ref_gemm_nn_u8, uint8_t, int8_t, uint32_t, int32_t)

DP_DEFINE_CONV_IM2COL(, ref_conv_s8, int8_t, int8_t, uint32_t, int32_t)
DP_DEFINE_CONV_IM2COL(, ref_conv_u8, uint8_t, int8_t, uint32_t, int32_t)
DP_DEFINE_RQCONV_IM2COL(, ref_rqconv_s8_s8, int8_t, int8_t, int8_t)
DP_DEFINE_RQCONV_IM2COL(, ref_rqconv_u8_u8, uint8_t, int8_t, uint8_t)
DP_DEFINE_CONV_DIRECT(, ref_conv_direct_s8, int8_t, int8_t, uint32_t, int32_t)
DP_DEFINE_CONV_DIRECT(, ref_conv_direct_u8, uint8_t, int8_t, uint32_t, int32_t)
DP_DEFINE_RQCONV_DIRECT(, ref_rqconv_direct_s8_s8, int8_t, int8_t, int8_t)
DP_DEFINE_RQCONV_DIRECT(, ref_rqconv_direct_u8_u8, uint8_t, int8_t, uint8_t)
