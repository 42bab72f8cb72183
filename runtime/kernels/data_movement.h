/* Type-agnostic data movement: the kernels behind Transpose, Slice, Expand, Concat and Pad.
 * They move elements of `elem_size` bytes (1, 2, 4 or 8) without interpreting them. Shapes and
 * strides are int32 element counts; ndim is between 1 and DP_MAX_DIMS. */
#ifndef DP_DATA_MOVEMENT_H
#define DP_DATA_MOVEMENT_H

#include "kernels/dp_common.h"

/* For every index (i_0, ..., i_{n-1}) of `shape`:
 *   dst[sum_d i_d * dst_strides[d]] = src[sum_d i_d * src_strides[d]].
 * Strides may be negative (reversed slices) or zero in src (broadcast). The innermost dimension is
 * the fast loop: callers put the longest contiguous dimension last. When both innermost strides are
 * 1 each row is one memcpy. */
void dp_strided_copy(void *dst, const void *src, int32_t elem_size, int32_t ndim, const int32_t *shape,
                     const int32_t *dst_strides, const int32_t *src_strides);

/* How dp_pad fills output positions outside the input. */
#define DP_PAD_CONSTANT 0 /* the value *fill */
#define DP_PAD_REFLECT 1  /* mirrored at the edge, the edge element not repeated */
#define DP_PAD_EDGE 2     /* the nearest edge element */
#define DP_PAD_WRAP 3     /* periodic continuation */

/* Pads (or, with negative pads, crops) the row-major `src` of `in_shape` into the row-major `dst` of
 * `out_shape`: output index o of dimension d shows input index o - pads_begin[d], mapped into the input
 * by `mode` when outside it. `fill` points to one element (read only in constant mode; NULL means
 * zero). Non-constant
 * modes need every padded dimension to be non-empty. */
void dp_pad(void *dst, const void *src, int32_t elem_size, int32_t ndim, const int32_t *in_shape,
            const int32_t *out_shape, const int32_t *pads_begin, int32_t mode, const void *fill);

#endif
