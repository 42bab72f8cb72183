/* Declarations shared by the CORE-V kernel check (xpulp_check.c) and its generic references
 * (xpulp_generic.c, compiled with DP_GENERIC_KERNELS). */
#ifndef XPULP_CHECK_H
#define XPULP_CHECK_H

#include "kernels/conv.h"
#include "kernels/gemm.h"

/* The generic kernels (xpulp_generic.c). */
void ref_matmul_nt_s8(DP_MATMUL_PARAMS(int8_t, int8_t, int32_t));
void ref_matmul_nt_u8(DP_MATMUL_PARAMS(uint8_t, int8_t, int32_t));
void ref_matmul_nn_s8(DP_MATMUL_PARAMS(int8_t, int8_t, int32_t));
void ref_matmul_nn_u8(DP_MATMUL_PARAMS(uint8_t, int8_t, int32_t));
void ref_matmul_nt_s8_s8(DP_MATMUL_PARAMS(int8_t, int8_t, int8_t));
void ref_matmul_nn_u8_s16(DP_MATMUL_PARAMS(uint8_t, int8_t, int16_t));
void ref_rqmatmul_nt_s8_s8(DP_MATMUL_PARAMS(int8_t, int8_t, int8_t), DP_RQ_PARAMS);
void ref_rqmatmul_nt_s8_u8(DP_MATMUL_PARAMS(int8_t, int8_t, uint8_t), DP_RQ_PARAMS);
void ref_rqmatmul_nt_u8_s8(DP_MATMUL_PARAMS(uint8_t, int8_t, int8_t), DP_RQ_PARAMS);
void ref_rqmatmul_nt_u8_u8(DP_MATMUL_PARAMS(uint8_t, int8_t, uint8_t), DP_RQ_PARAMS);
void ref_rqmatmul_nn_s8_s8(DP_MATMUL_PARAMS(int8_t, int8_t, int8_t), DP_RQ_PARAMS);
void ref_rqmatmul_nn_s8_u8(DP_MATMUL_PARAMS(int8_t, int8_t, uint8_t), DP_RQ_PARAMS);
void ref_rqmatmul_nn_u8_s8(DP_MATMUL_PARAMS(uint8_t, int8_t, int8_t), DP_RQ_PARAMS);
void ref_rqmatmul_nn_u8_u8(DP_MATMUL_PARAMS(uint8_t, int8_t, uint8_t), DP_RQ_PARAMS);
void ref_rqmatmul_nt_s8_s16(DP_MATMUL_PARAMS(int8_t, int8_t, int16_t), DP_RQ_PARAMS);
void ref_gemm_nt_s8(DP_GEMM_PARAMS(int8_t, int8_t, uint32_t, int32_t));
void ref_gemm_nt_u8(DP_GEMM_PARAMS(uint8_t, int8_t, uint32_t, int32_t));
void ref_gemm_nn_s8(DP_GEMM_PARAMS(int8_t, int8_t, uint32_t, int32_t));
void ref_gemm_nn_u8(DP_GEMM_PARAMS(uint8_t, int8_t, uint32_t, int32_t));
void ref_conv_s8(DP_CONV_PARAMS(int8_t, int8_t, int32_t), int8_t *col);
void ref_conv_u8(DP_CONV_PARAMS(uint8_t, int8_t, int32_t), uint8_t *col);
void ref_rqconv_s8_s8(DP_RQCONV_PARAMS(int8_t, int8_t, int8_t), int8_t *col);
void ref_rqconv_u8_u8(DP_RQCONV_PARAMS(uint8_t, int8_t, uint8_t), uint8_t *col);
void ref_conv_direct_s8(DP_CONV_PARAMS(int8_t, int8_t, int32_t));
void ref_conv_direct_u8(DP_CONV_PARAMS(uint8_t, int8_t, int32_t));
void ref_rqconv_direct_s8_s8(DP_RQCONV_PARAMS(int8_t, int8_t, int8_t));
void ref_rqconv_direct_u8_u8(DP_RQCONV_PARAMS(uint8_t, int8_t, uint8_t));

#endif
