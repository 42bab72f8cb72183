/* CORE-V (Xpulp v2) path of dp_strided_copy (data_movement.c) for byte transposes: on CORE-V cores
 * (DP_XPULP_LANES of xpulp_lanes.h) a copy of 1-byte elements whose last two dimensions swap (the last one
 * contiguous in dst, the one before it contiguous in src: dst[i * D + j] = src[j * S + i]) moves 4 x 4
 * blocks by four word loads, the byte transposition of xpulp.h (DP_XP_TRANSPOSE4) and four word stores
 * (transpose_xpulp.c). Transpose's generic path moves one element per iteration of its strided loop. */
#ifndef DP_TRANSPOSE_XPULP_H
#define DP_TRANSPOSE_XPULP_H

#include "kernels/xpulp_lanes.h"

#ifdef DP_XPULP_LANES
/* The copy of dp_strided_copy for 1-byte elements when it is such a transpose of at least 4 x 4 elements
 * with positive strides: returns 1, else 0 (nothing done). */
int32_t dp_xpulp_transpose_bytes(uint8_t *dst, const uint8_t *src, int32_t ndim, const int32_t *shape,
                                 const int32_t *dst_strides, const int32_t *src_strides);
#endif

#endif
