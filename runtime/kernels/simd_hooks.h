/* The hooks through which the generic kernels reach code written for one instruction set, picked at
 * compile time. The generic kernels (matmul.h, gemm.h, conv.h, matmul_nt16.h, elementwise.h, requant.h,
 * integer_activation.h, integer_norm.h, integer_softmax.h, reduce.h, pooling.h) invoke DP_SIMD_* only;
 * each names
 *   on CORE-V cores (clang's __riscv_xcvsimd): the Xpulp hooks of matmul_xpulp.h for the products (NT and
 *     NN MatMul, Gemm, RQMatMul, Conv's im2col rows) and of the direct (depthwise) Conv, element-wise,
 *     requantization, norm, softmax and reduction files (*_xpulp.h, below);
 *   elsewhere: the Arm hook (matmul_arm.h, matmul_nn_arm.h, conv_arm.h, elementwise_arm.h,
 *     requant_arm.h, norm_arm.h, softmax_arm.h), which is DSP or MVE code on Cortex-M and the generic
 *     code on other cores.
 * With -DDP_GENERIC_KERNELS every hook is the generic code. The names resolve where a kernel expands
 * them, so each generic header includes its own family's Arm (and CORE-V) header and this one. */
#ifndef DP_SIMD_HOOKS_H
#define DP_SIMD_HOOKS_H

#include "kernels/matmul_arm.h"
#include "kernels/matmul_nn_arm.h"
#include "kernels/matmul_xpulp.h"

#ifdef DP_XPULP
/* Tiles of accumulators with an 8-bit requantization of tiles (matmul_nt16.h uses them too). */
#define DP_SIMD_NT 1
#define DP_SIMD_NT_MATMUL DP_XPULP_NT_MATMUL
#define DP_SIMD_STORE_EPI DP_XPULP_STORE_EPI
#define DP_SIMD_NT_MATMUL_PLAIN DP_XPULP_NT_MATMUL_PLAIN
#define DP_SIMD_NT_RQMATMUL DP_XPULP_NT_RQMATMUL
#define DP_SIMD_RQ_TILE_FLAG DP_XPULP_RQ_TILE_FLAG
#define DP_SIMD_STORE_RQ DP_XPULP_STORE_RQ
#define DP_SIMD_NT_ROW_LOOP DP_XPULP_NT_ROW_LOOP
#define DP_SIMD_NN_MATMUL_PLAIN DP_XPULP_NN_MATMUL_PLAIN
#define DP_SIMD_NN_RQMATMUL DP_XPULP_NN_RQMATMUL
#define DP_SIMD_RQMATMUL_HEAD DP_XPULP_RQMATMUL_HEAD
#define DP_SIMD_RQ_ROWS_PICK DP_XPULP_RQ_ROWS_PICK
#define DP_SIMD_NN_GEMM DP_XPULP_NN_GEMM
#else
#ifdef DP_ARM_NT
#define DP_SIMD_NT 1
#endif
#define DP_SIMD_NT_MATMUL DP_ARM_NT_MATMUL
#define DP_SIMD_STORE_EPI DP_ARM_STORE_EPI
#define DP_SIMD_NT_MATMUL_PLAIN DP_ARM_NT_MATMUL_PLAIN
#define DP_SIMD_NT_RQMATMUL DP_ARM_NT_RQMATMUL
#define DP_SIMD_RQ_TILE_FLAG DP_ARM_RQ_TILE_FLAG
#define DP_SIMD_STORE_RQ DP_ARM_STORE_RQ
#define DP_SIMD_NT_ROW_LOOP DP_ARM_NT_ROW_LOOP
#define DP_SIMD_NN_MATMUL_PLAIN DP_ARM_NN_MATMUL_PLAIN
#define DP_SIMD_NN_RQMATMUL DP_ARM_NN_RQMATMUL
#define DP_SIMD_RQMATMUL_HEAD(LAYOUT, SCOPE, name, TA, TB, TY) SCOPE void name
#define DP_SIMD_RQ_ROWS_PICK(LAYOUT, TA, TB, TY)
#define DP_SIMD_NN_GEMM DP_ARM_NN_GEMM
#endif

/* The other kernels: on CORE-V cores (DP_XPULP_LANES of xpulp_lanes.h: DP_XPULP and xcvalu) the Xpulp hooks
 * of elementwise_xpulp.h (Add, Sub, Mul of byte rows), requant_xpulp.h (RequantShift, requantized iHardswish),
 * norm_xpulp.h (iRMSNorm rows), softmax_xpulp.h (iSoftmax rows), reduce_xpulp.h (ReduceSum/Mean/Max rows,
 * MaxPool runs) and dwconv_xpulp.h (direct, depthwise, Conv); elsewhere the Arm hooks (generic code on other
 * cores) and, for the reductions and max pooling, which have no Arm code, the generic loops. (copy.c's
 * dp_copy and data_movement.c's byte transposes, transpose_xpulp.h, take CORE-V code without a hook.) */
#include "kernels/conv_arm.h"
#include "kernels/dwconv_xpulp.h"
#include "kernels/elementwise_xpulp.h"
#include "kernels/norm_xpulp.h"
#include "kernels/reduce_xpulp.h"
#include "kernels/requant_xpulp.h"
#include "kernels/softmax_xpulp.h"
#ifdef DP_XPULP_LANES
#define DP_SIMD_BINARY DP_XPULP_BINARY
#define DP_SIMD_BINARY_ROW(TA, TB, TY, OP)
#define DP_SIMD_REQUANT DP_XPULP_REQUANT
#define DP_SIMD_RQ_ACTIVATION DP_XPULP_RQ_ACTIVATION
#define DP_SIMD_IRMSNORM_ROW DP_XPULP_IRMSNORM_ROW
#define DP_SIMD_ISOFTMAX_ROW DP_XPULP_ISOFTMAX_ROW
#define DP_SIMD_REDUCE_ROW DP_XPULP_REDUCE_ROW
#define DP_SIMD_REDUCE_KEPT_ROW DP_XPULP_REDUCE_KEPT_ROW
#define DP_SIMD_MAXPOOL_RUN DP_XPULP_MAXPOOL_RUN
#define DP_SIMD_CONV_DIRECT_SETUP DP_XPULP_DW_SETUP
#define DP_SIMD_CONV_DIRECT_RUN DP_XPULP_DW_RUN
#else
#define DP_SIMD_BINARY(TA, TB, TY, OP)
#define DP_SIMD_BINARY_ROW DP_ARM_BINARY_ROW
#define DP_SIMD_REQUANT DP_ARM_REQUANT
#define DP_SIMD_RQ_ACTIVATION DP_ARM_RQ_ACTIVATION
#define DP_SIMD_IRMSNORM_ROW DP_ARM_IRMSNORM_ROW
#define DP_SIMD_ISOFTMAX_ROW DP_ARM_ISOFTMAX_ROW
#define DP_SIMD_REDUCE_ROW(TX, TACC, COMBINE)
#define DP_SIMD_REDUCE_KEPT_ROW(TX, TACC, COMBINE)
#define DP_SIMD_MAXPOOL_RUN(T)
#define DP_SIMD_CONV_DIRECT_SETUP DP_ARM_CONV_DIRECT_SETUP
#define DP_SIMD_CONV_DIRECT_RUN DP_ARM_CONV_DIRECT_RUN
#endif

#endif
