/* Table lookups of 8-bit values: element-wise functions of an int8 input that the compiler tabulates
 * (iSiLU, ops/integer_silu.h).
 *   dp_lut_s8(x, y, n, table): y[i] = table[x[i] + 128] for i in [0, n); table holds 256 entries. */
#ifndef DP_LUT_H
#define DP_LUT_H

#include <stdint.h>

void dp_lut_s8(const int8_t *x, int8_t *y, int32_t n, const int8_t *table);

#endif
