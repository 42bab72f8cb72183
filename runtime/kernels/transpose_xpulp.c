/* Byte transposes for CORE-V cores (Xpulp v2); see transpose_xpulp.h.
 *
 * Per 4 x 4 block: four source words (row j0 + r of the source holds elements i0..i0 + 3 of that column of
 * the destination), DP_XP_TRANSPOSE4 (cv.shuffle2.b and cv.pack, about 10 instructions), four destination
 * words; the words need not be
 * aligned. The last n % 4 columns and m % 4 rows are copied one element at a time.
 *
 * Instructions per element (QEMU with the CORE-V patch, -icount shift=0, minstret; the whole
 * dp_strided_copy call; printed by tests/xpulp/xpulp_misc_check.c): microLlama's key transpose (16 heads of
 * 33 x 4 into 4 x 33) 4.83 generic, 2.33 here (the 4 x 4 blocks alone: about 1.6). */
#include "kernels/transpose_xpulp.h"

#ifdef DP_XPULP_LANES

/* The m x n transpose dst[i * dd + j] = src[j * ss + i]. */
static __attribute__((noinline)) void dp_xpl_transpose(uint8_t *dst, const uint8_t *src, int32_t m, int32_t n, int32_t dd, int32_t ss) {
  const int32_t ss2 = 2 * ss, ss3 = 3 * ss, dd2 = 2 * dd, dd3 = 3 * dd;
  const uint32_t sel_even = DP_XP_SEL_EVEN, sel_odd = DP_XP_SEL_ODD;
  int32_t i0, j0, i, j;
  for (i0 = 0; i0 + 4 <= m; i0 += 4) {
    const uint8_t *p = src + i0;
    uint8_t *q = dst + i0 * dd;
    for (j0 = 0; j0 + 4 <= n; j0 += 4, p += 4 * ss, q += 4) {
      uint32_t r0, r1, r2, r3, c0, c1, c2, c3;
      DP_XP_LW(r1, p, ss);
      DP_XP_LW(r2, p, ss2);
      DP_XP_LW(r3, p, ss3);
      DP_XP_LWI(r0, p, 0);
      DP_XP_TRANSPOSE4(r0, r1, r2, r3, c0, c1, c2, c3, sel_even, sel_odd);
      __asm__ volatile("sw %0, 0(%1)" : : "r"(c0), "r"(q) : "memory");
      __asm__ volatile("cv.sw %0, %2(%1)" : : "r"(c1), "r"(q), "r"(dd) : "memory");
      __asm__ volatile("cv.sw %0, %2(%1)" : : "r"(c2), "r"(q), "r"(dd2) : "memory");
      __asm__ volatile("cv.sw %0, %2(%1)" : : "r"(c3), "r"(q), "r"(dd3) : "memory");
    }
    for (j = j0; j < n; ++j)
      for (i = i0; i < i0 + 4; ++i) dst[i * dd + j] = src[j * ss + i];
  }
  for (i = i0; i < m; ++i)
    for (j = 0; j < n; ++j) dst[i * dd + j] = src[j * ss + i];
}

int32_t dp_xpulp_transpose_bytes(uint8_t *dst, const uint8_t *src, int32_t ndim, const int32_t *shape,
                                 const int32_t *dst_strides, const int32_t *src_strides) {
  int32_t index[DP_MAX_DIMS], outer = 1, d, o, m, n, dd, ss;
  if (ndim < 2) return 0;
  m = shape[ndim - 2], n = shape[ndim - 1], dd = dst_strides[ndim - 2], ss = src_strides[ndim - 1];
  if (dst_strides[ndim - 1] != 1 || src_strides[ndim - 2] != 1 || m < 4 || n < 4 || dd < n || ss < m) return 0;
  for (d = 0; d < ndim - 2; ++d) {
    if (dst_strides[d] < 0 || src_strides[d] < 0) return 0;
    outer *= shape[d], index[d] = 0;
  }
  for (o = 0; o < outer; ++o) {
    dp_xpl_transpose(dst, src, m, n, dd, ss);
    for (d = ndim - 3; d >= 0; --d) {
      dst += dst_strides[d];
      src += src_strides[d];
      if (++index[d] < shape[d]) break;
      dst -= dst_strides[d] * shape[d];
      src -= src_strides[d] * shape[d];
      index[d] = 0;
    }
  }
  return 1;
}

#endif
