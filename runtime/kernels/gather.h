/* Gather along one axis, instantiated per element and index type by the generated code:
 *   DP_DEFINE_GATHER(name, T, TI)  defines
 *     void name(const T *data, const TI *indices, T *out, int32_t outer, int32_t axis_len,
 *               int32_t count, int32_t inner)
 *   where data is [outer, axis_len, inner] and out is [outer, count, inner]:
 *   out[o, j, :] = data[o, indices[j], :]. Negative indices count from the end. An index still out of
 *   range (invalid for ONNX) yields zeros rather than reading outside the tensor. */
#ifndef DP_GATHER_H
#define DP_GATHER_H

#include "kernels/dp_common.h"

#define DP_DEFINE_GATHER(name, T, TI)                                                                        \
  DP_INSTANCE void name(const T *data, const TI *indices, T *out, int32_t outer, int32_t axis_len, int32_t count, \
                   int32_t inner) {                                                                          \
    int32_t o, j, k;                                                                                         \
    for (o = 0; o < outer; ++o, data += (int64_t)axis_len * inner) {                                         \
      for (j = 0; j < count; ++j, out += inner) {                                                            \
        int64_t index = (int64_t)indices[j];                                                                 \
        const T *row;                                                                                        \
        if (index < 0) index += axis_len;                                                                    \
        if (index < 0 || index >= axis_len) {                                                                \
          for (k = 0; k < inner; ++k) out[k] = 0;                                                            \
          continue;                                                                                          \
        }                                                                                                    \
        row = data + index * inner;                                                                          \
        for (k = 0; k < inner; ++k) out[k] = row[k];                                                         \
      }                                                                                                      \
    }                                                                                                        \
  }

#endif
