/* The common MatMul variants (register-blocked, see matmul.h); others are instantiated by the generated
 * code from matmul.h. */
#include "kernels/matmul.h"

DP_DEFINE_MATMUL_NT(, dp_matmul_nt_s8_s8_s32, int8_t, int8_t, uint32_t, int32_t)
DP_DEFINE_MATMUL_NN(, dp_matmul_nn_s8_s8_s32, int8_t, int8_t, uint32_t, int32_t)
DP_DEFINE_MATMUL_NT(, dp_matmul_nt_u8_s8_s32, uint8_t, int8_t, uint32_t, int32_t)
DP_DEFINE_MATMUL_NN(, dp_matmul_nn_u8_s8_s32, uint8_t, int8_t, uint32_t, int32_t)
DP_DEFINE_MATMUL_NT(, dp_matmul_nt_f32_f32_f32, float, float, float, float)
DP_DEFINE_MATMUL_NN(, dp_matmul_nn_f32_f32_f32, float, float, float, float)

DP_DEFINE_RQMATMUL_NT(, dp_rqmatmul_nt_s8_s8_s8, int8_t, int8_t, int8_t)
DP_DEFINE_RQMATMUL_NN(, dp_rqmatmul_nn_s8_s8_s8, int8_t, int8_t, int8_t)
DP_DEFINE_RQMATMUL_NT(, dp_rqmatmul_nt_s8_s8_u8, int8_t, int8_t, uint8_t)
DP_DEFINE_RQMATMUL_NN(, dp_rqmatmul_nn_s8_s8_u8, int8_t, int8_t, uint8_t)
DP_DEFINE_RQMATMUL_NT(, dp_rqmatmul_nt_u8_s8_s8, uint8_t, int8_t, int8_t)
DP_DEFINE_RQMATMUL_NN(, dp_rqmatmul_nn_u8_s8_s8, uint8_t, int8_t, int8_t)
DP_DEFINE_RQMATMUL_NT(, dp_rqmatmul_nt_u8_s8_u8, uint8_t, int8_t, uint8_t)
DP_DEFINE_RQMATMUL_NN(, dp_rqmatmul_nn_u8_s8_u8, uint8_t, int8_t, uint8_t)
