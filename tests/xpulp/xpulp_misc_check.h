/* Declarations shared by the check of the CORE-V kernels other than the products (xpulp_misc_check.c) and
 * its generic references (xpulp_misc_generic.c, compiled with DP_GENERIC_KERNELS): both instantiate the
 * same kernels from xpulp_misc_kernels.inc into a table of this type. */
#ifndef XPULP_MISC_CHECK_H
#define XPULP_MISC_CHECK_H

#include "kernels/conv.h"
#include "kernels/copy.h"
#include "kernels/data_movement.h"
#include "kernels/dwconv_xpulp.h"
#include "kernels/elementwise.h"
#include "kernels/integer_activation.h"
#include "kernels/integer_norm.h"
#include "kernels/integer_softmax.h"
#include "kernels/pooling.h"
#include "kernels/reduce.h"
#include "kernels/requant.h"

#define XM_BINARY_PARAMS(T) \
  const T *a, const T *b, int32_t *y, int32_t ndim, const int32_t *shape, const int32_t *a_strides, const int32_t *b_strides

#define XM_RQ_PARAMS(TX, TY, ACC)                                                                        \
  const TX *x, TY *y, int32_t outer, int32_t channels, int32_t inner, const int32_t *mul, const ACC *bias, \
      int32_t shift, ACC lo, ACC hi
#define XM_RQ_ACT_PARAMS(TX, TY)                                                                                    \
  const TX *x, TY *y, int32_t k0, int32_t k1, int32_t k2, int32_t outer, int32_t channels, int32_t inner,           \
      const int32_t *mul, const int32_t *bias, int32_t shift, int32_t lo, int32_t hi

struct xm_kernels {
  void (*binary_s8[3])(XM_BINARY_PARAMS(int8_t)); /* Add, Sub, Mul */
  void (*binary_u8[3])(XM_BINARY_PARAMS(uint8_t));
  /* RequantShift from int32, int16, uint16, int8, uint8 to int8 (s) and uint8 (u). */
  void (*rq_s32_s8)(XM_RQ_PARAMS(int32_t, int8_t, int32_t));
  void (*rq_s32_u8)(XM_RQ_PARAMS(int32_t, uint8_t, int32_t));
  void (*rq_s16_s8)(XM_RQ_PARAMS(int16_t, int8_t, int32_t));
  void (*rq_u16_u8)(XM_RQ_PARAMS(uint16_t, uint8_t, int32_t));
  void (*rq_s8_s8)(XM_RQ_PARAMS(int8_t, int8_t, int32_t));
  void (*rq_s8_u8)(XM_RQ_PARAMS(int8_t, uint8_t, int32_t));
  void (*rq_u8_s8)(XM_RQ_PARAMS(uint8_t, int8_t, int32_t));
  void (*rq_u8_u8)(XM_RQ_PARAMS(uint8_t, uint8_t, int32_t));
  /* Generic on both sides: a 64-bit accumulator, a 16-bit output. */
  void (*rq_s32_s8_a64)(XM_RQ_PARAMS(int32_t, int8_t, int64_t));
  void (*rq_s32_s16)(XM_RQ_PARAMS(int32_t, int16_t, int32_t));
  /* Requantized iHardswish. */
  void (*hs_s8_s8)(XM_RQ_ACT_PARAMS(int8_t, int8_t));
  void (*hs_u8_s8)(XM_RQ_ACT_PARAMS(uint8_t, int8_t));
  void (*hs_s8_u8)(XM_RQ_ACT_PARAMS(int8_t, uint8_t));
  /* iRMSNorm: inputs int8 (s) or uint8 (u), weights int8, int16, int32. */
#define XM_NORM_PARAMS(TX, TW) \
  const TX *x, const TW *w, int8_t *y, int32_t rows, int32_t length, int32_t first, int32_t count, int32_t shift, int32_t lo, int32_t hi
  void (*rms_s8_w8)(XM_NORM_PARAMS(int8_t, int8_t));
  void (*rms_s8_w16)(XM_NORM_PARAMS(int8_t, int16_t));
  void (*rms_s8_w32)(XM_NORM_PARAMS(int8_t, int32_t));
  void (*rms_u8_w8)(XM_NORM_PARAMS(uint8_t, int8_t));
  void (*rms_u8_w32)(XM_NORM_PARAMS(uint8_t, int32_t));
  void (*rms_s8_w32_s64)(XM_NORM_PARAMS(int8_t, int32_t)); /* 64-bit sum: generic on both sides */
  /* iSoftmax: input, output, table. */
#define XM_SOFTMAX_PARAMS(TX, TY, TT) const TX *x, TY *y, int32_t rows, int32_t length, const TT *table, uint32_t top
  void (*sm_s8_u8_t16)(XM_SOFTMAX_PARAMS(int8_t, uint8_t, uint16_t));
  void (*sm_s8_u8_t32)(XM_SOFTMAX_PARAMS(int8_t, uint8_t, uint32_t));
  void (*sm_u8_u8_t16)(XM_SOFTMAX_PARAMS(uint8_t, uint8_t, uint16_t));
  void (*sm_u8_s8_t32)(XM_SOFTMAX_PARAMS(uint8_t, int8_t, uint32_t));
  void (*sm_s8_u8_t16_a64)(XM_SOFTMAX_PARAMS(int8_t, uint8_t, uint16_t)); /* generic on both sides */
  /* Direct (depthwise) convolutions: int32 outputs with bias, requantized 8-bit outputs. */
  void (*dw_s8)(DP_CONV_PARAMS(int8_t, int8_t, int32_t));
  void (*dw_u8)(DP_CONV_PARAMS(uint8_t, int8_t, int32_t));
  void (*rqdw_s8_s8)(DP_RQCONV_PARAMS(int8_t, int8_t, int8_t));
  void (*rqdw_u8_s8)(DP_RQCONV_PARAMS(uint8_t, int8_t, int8_t));
  void (*rqdw_s8_u8)(DP_RQCONV_PARAMS(int8_t, int8_t, uint8_t));
  void (*rqdw_u8_s16)(DP_RQCONV_PARAMS(uint8_t, int8_t, int16_t));
  /* Reductions: sums into int32, maxima; max pooling. */
#define XM_REDUCE_PARAMS(TX, TACC) \
  const TX *x, TACC *acc, TACC init, int32_t acc_count, int32_t ndim, const int32_t *shape, const int32_t *acc_strides
  void (*rsum_s8)(XM_REDUCE_PARAMS(int8_t, int32_t));
  void (*rsum_u8)(XM_REDUCE_PARAMS(uint8_t, int32_t));
  void (*rmax_s8)(XM_REDUCE_PARAMS(int8_t, int8_t));
  void (*rmax_u8)(XM_REDUCE_PARAMS(uint8_t, uint8_t));
  void (*maxpool_s8)(const int8_t *x, int8_t *y, int32_t planes, const int32_t *geometry);
  void (*maxpool_u8)(const uint8_t *x, uint8_t *y, int32_t planes, const int32_t *geometry);
};

extern const struct xm_kernels xm_test, xm_ref;

/* The generic dp_copy and dp_strided_copy (xpulp_misc_generic.c). */
void ref_dp_copy(void *dst, const void *src, size_t bytes);
void ref_dp_strided_copy(void *dst, const void *src, int32_t elem_size, int32_t ndim, const int32_t *shape,
                         const int32_t *dst_strides, const int32_t *src_strides);

#endif
