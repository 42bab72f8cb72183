#include "kernels/integer_norm.h"

/* Digit-by-digit square root: one bit of the root per iteration, shifts and subtractions only. */
uint32_t dp_isqrt_u32(uint32_t v) {
  uint32_t root = 0, bit = 1u << 30;
  while (bit > v) bit >>= 2;
  while (bit != 0) {
    if (v >= root + bit) {
      v -= root + bit;
      root = (root >> 1) + bit;
    } else {
      root >>= 1;
    }
    bit >>= 2;
  }
  return root;
}
