/* Common definitions of the deeploy C kernel library (C99, no OS, no heap). */
#ifndef DP_COMMON_H
#define DP_COMMON_H

#include <stdint.h>
#include <string.h>

/* Highest tensor rank a kernel's index arithmetic handles. */
#define DP_MAX_DIMS 8

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
