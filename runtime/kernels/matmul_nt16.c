/* The tiles of the nt16 layout (matmul_nt16.h) in plain C, for cores without the DSP code of
 * matmul_arm_dsp.c: the same sums, read from the layout one lane at a time. */
#include "kernels/matmul_nt16.h"

#ifndef DP_ARM_DSP

/* bt[j][t] from the layout (an int16 lane, sign-extended without implementation-defined conversions). */
static int32_t dp_nt16_weight(const int32_t *bw, int32_t j, int32_t t, int32_t k) {
  const uint32_t word = (uint32_t)bw[DP_NT16_WORD(j, t, k)];
  const uint32_t lane = DP_NT16_LANE(t) ? word >> 16 : word & 0xFFFFu;
  return (int32_t)(lane ^ 0x8000u) - 0x8000;
}

#define DP_NT16_DEFINE_TILE(T, TA)                                                                               \
  void dp_nt16_tile_##T(const TA *a, const int32_t *bw, int32_t rows, int32_t cols, int32_t k, uint32_t *acc,    \
                        int32_t acc_stride) {                                                                    \
    int32_t r, c, t;                                                                                             \
    for (r = 0; r < rows; ++r)                                                                                   \
      for (c = 0; c < cols; ++c) {                                                                               \
        uint32_t s = 0;                                                                                          \
        for (t = 0; t < k; ++t) s += (uint32_t)((int32_t)a[r * k + t] * dp_nt16_weight(bw, c, t, k));           \
        acc[r * acc_stride + c] = s;                                                                             \
      }                                                                                                          \
  }

DP_NT16_DEFINE_TILE(s8, int8_t)
DP_NT16_DEFINE_TILE(u8, uint8_t)
#endif
