/* Common definitions of the deeploy C kernel library (C99, no OS, no heap). */
#ifndef DP_COMMON_H
#define DP_COMMON_H

#include <stdint.h>
#include <string.h>

/* Highest tensor rank a kernel's index arithmetic handles. */
#define DP_MAX_DIMS 8

/* Moves the positions pa and pb of two strided walks over the rows of a shape to the next row: an odometer
 * over dimensions ndim - 2 .. 0 (index[d] counts along d from 0), each position stepping by its own
 * strides and rewinding the dimensions it completes. */
#define DP_NEXT_ROW2(ndim, shape, index, pa, a_strides, pb, b_strides) \
  do {                                                                 \
    int32_t d_;                                                        \
    for (d_ = (ndim)-2; d_ >= 0; --d_) {                               \
      (pa) += (a_strides)[d_];                                         \
      (pb) += (b_strides)[d_];                                         \
      if (++(index)[d_] < (shape)[d_]) break;                          \
      (pa) -= (a_strides)[d_] * (shape)[d_];                           \
      (pb) -= (b_strides)[d_] * (shape)[d_];                           \
      (index)[d_] = 0;                                                 \
    }                                                                  \
  } while (0)

/* Storage of the kernels the generated code instantiates (the DP_DEFINE_* macros). They are static,
 * so GCC sees every call and specialises them on arguments equal at all call sites (arena addresses,
 * shared shape tables); GCC 12.2 at -O2 then derived their store addresses from negative multiples
 * of the arena's address and dropped the calls as if they stored nothing (seen on x86-64: a masked
 * Add of the prefill network lost; -fno-ipa-cp or -fno-ivopts avoided it). noipa keeps each
 * instantiation an ordinary function. */
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 8
#define DP_INSTANCE static __attribute__((noipa))
#else
#define DP_INSTANCE static
#endif

static inline float dp_bf16_to_f32(uint16_t v) {
  uint32_t bits = (uint32_t)v << 16;
  float f;
  memcpy(&f, &bits, sizeof f);
  return f;
}

/* Round to nearest, ties to even; NaN stays NaN. */
static inline uint16_t dp_f32_to_bf16(float f) {
  uint32_t bits;
  memcpy(&bits, &f, sizeof bits);
  if ((bits & 0x7F800000u) == 0x7F800000u && (bits & 0x007FFFFFu)) return (uint16_t)((bits >> 16) | 0x40u);
  bits += 0x7FFFu + ((bits >> 16) & 1u);
  return (uint16_t)(bits >> 16);
}

static inline int32_t dp_clamp_i32(int64_t v, int32_t lo, int32_t hi) {
  return v < lo ? lo : (v > hi ? hi : (int32_t)v);
}

/* Arithmetic shift right of a signed value (rounds toward minus infinity) without relying on
 * implementation-defined behaviour of >> on negative numbers. */
static inline int64_t dp_asr64(int64_t v, int s) {
  return v >= 0 ? (v >> s) : -(((-v) - 1) >> s) - 1;
}

#endif
