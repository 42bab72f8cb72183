/* The common Gemm variants (the register-blocked loops of matmul.h) and the transposition used for a
 * transposed runtime A. */
#include "kernels/gemm.h"

DP_DEFINE_GEMM_NT(, dp_gemm_nt_s8_s8_s32, int8_t, int8_t, uint32_t, int32_t)
DP_DEFINE_GEMM_NN(, dp_gemm_nn_s8_s8_s32, int8_t, int8_t, uint32_t, int32_t)
DP_DEFINE_GEMM_NT(, dp_gemm_nt_u8_s8_s32, uint8_t, int8_t, uint32_t, int32_t)
DP_DEFINE_GEMM_NN(, dp_gemm_nn_u8_s8_s32, uint8_t, int8_t, uint32_t, int32_t)
DP_DEFINE_GEMM_NT(, dp_gemm_nt_f32_f32_f32, float, float, float, float)
DP_DEFINE_GEMM_NN(, dp_gemm_nn_f32_f32_f32, float, float, float, float)

#define DP_TRANSPOSE_AS(T)                                        \
  {                                                               \
    const T *s = (const T *)src;                                  \
    T *d = (T *)dst;                                              \
    for (i = 0; i < rows; ++i, ++d) {                             \
      T *column = d;                                              \
      for (j = 0; j < cols; ++j, column += rows) *column = *s++;  \
    }                                                             \
  }

void dp_transpose_2d(const void *src, void *dst, int32_t rows, int32_t cols, int32_t elem_bytes) {
  int32_t i, j;
  switch (elem_bytes) {
    case 1: DP_TRANSPOSE_AS(uint8_t) break;
    case 2: DP_TRANSPOSE_AS(uint16_t) break;
    case 4: DP_TRANSPOSE_AS(uint32_t) break;
    default: DP_TRANSPOSE_AS(uint64_t) break;
  }
}
