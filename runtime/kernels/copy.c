#include "kernels/copy.h"

#include <stdint.h>
#include <string.h>

#include "kernels/xpulp_lanes.h"

#ifdef DP_XPULP_LANES
/* CORE-V cores (Xpulp v2; the emulated Siracusa cluster): the cores load misaligned words, so every copy of
 * 4 bytes or more moves words whatever the alignment of src: a few bytes up to dst's word boundary, then
 * eight words per iteration, loaded (cv.lw) and stored (cv.sw) with immediate offsets and one
 * post-increment each, then the last words and bytes. Instructions per byte (QEMU with the CORE-V patch,
 * -icount shift=0, minstret; printed by tests/xpulp/xpulp_misc_check.c), generic (below) against this:
 * 1024 aligned bytes 0.89 / 0.57, 1024 bytes from a misaligned source 3.01 / 0.57, 64 bytes 1.12 / 0.79,
 * 4 aligned bytes 6.0 / 5.0, 5 bytes from a misaligned source 5.8 / 4.8. */
#define DP_XPL_COPY_LOAD(w, off) __asm__ volatile("lw %0, " #off "(%1)" : "=r"(w) : "r"(s))
#define DP_XPL_COPY_STORE(w, off) __asm__ volatile("sw %0, " #off "(%1)" : : "r"(w), "r"(d) : "memory")
void dp_copy(void *dst, const void *src, size_t bytes) {
  uint8_t *d = (uint8_t *)dst;
  const uint8_t *s = (const uint8_t *)src;
  if (bytes >= 4) {
    size_t blocks;
    uint32_t w0, w1, w2, w3, w4, w5, w6, w7;
    for (; (uintptr_t)d & 3u; --bytes) *d++ = *s++;
    /* The first word moves each pointer past the block (post-increment), the others are at negative
     * offsets from there. */
    for (blocks = bytes >> 5; blocks > 0; --blocks) {
      DP_XP_LW_POST(w0, s, 32);
      DP_XPL_COPY_LOAD(w1, -28);
      DP_XPL_COPY_LOAD(w2, -24);
      DP_XPL_COPY_LOAD(w3, -20);
      DP_XPL_COPY_LOAD(w4, -16);
      DP_XPL_COPY_LOAD(w5, -12);
      DP_XPL_COPY_LOAD(w6, -8);
      DP_XPL_COPY_LOAD(w7, -4);
      __asm__ volatile("cv.sw %1, (%0), 32" : "+r"(d) : "r"(w0) : "memory");
      DP_XPL_COPY_STORE(w1, -28);
      DP_XPL_COPY_STORE(w2, -24);
      DP_XPL_COPY_STORE(w3, -20);
      DP_XPL_COPY_STORE(w4, -16);
      DP_XPL_COPY_STORE(w5, -12);
      DP_XPL_COPY_STORE(w6, -8);
      DP_XPL_COPY_STORE(w7, -4);
    }
    for (bytes &= 31; bytes >= 4; bytes -= 4) {
      DP_XP_LW_POST(w0, s, 4);
      __asm__ volatile("cv.sw %1, (%0), 4" : "+r"(d) : "r"(w0) : "memory");
    }
  }
  while (bytes--) *d++ = *s++;
}
#else

/* A 32-bit word that may alias any object (the copied bytes may belong to tensors of any type). */
typedef uint32_t __attribute__((may_alias)) dp_alias_word;

/* Whole words, four per iteration; dst and src are 4-byte aligned. Returns the bytes copied. */
static inline size_t copy_words(uint8_t *dst, const uint8_t *src, size_t bytes) {
  dp_alias_word *d = (dp_alias_word *)(void *)dst;
  const dp_alias_word *s = (const dp_alias_word *)(const void *)src;
  size_t words = bytes / 4, w = 0;
  for (; w + 4 <= words; w += 4) {
    const uint32_t w0 = s[w], w1 = s[w + 1], w2 = s[w + 2], w3 = s[w + 3];
    d[w] = w0;
    d[w + 1] = w1;
    d[w + 2] = w2;
    d[w + 3] = w3;
  }
  for (; w < words; ++w) d[w] = s[w];
  return words * 4;
}

void dp_copy(void *dst, const void *src, size_t bytes) {
  uint8_t *d = (uint8_t *)dst;
  const uint8_t *s = (const uint8_t *)src;
  /* Whole aligned words (tables of int32, most tensor rows): no alignment prologue, no tail. */
  if ((((uintptr_t)d | (uintptr_t)s | bytes) & 3u) == 0) {
    copy_words(d, s, bytes);
    return;
  }
  /* Word copies need both pointers at the same offset within a word. */
  if ((((uintptr_t)d ^ (uintptr_t)s) & 3u) == 0) {
    while (bytes && ((uintptr_t)d & 3u)) {
      *d++ = *s++;
      --bytes;
    }
    const size_t moved = copy_words(d, s, bytes);
    d += moved;
    s += moved;
    bytes -= moved;
  }
  while (bytes--) *d++ = *s++;
}

#endif

void dp_copy_bytes(void *dst, const void *src, size_t bytes) {
  const uint8_t *d = (const uint8_t *)dst, *s = (const uint8_t *)src;
  if (bytes == 0 || d == s) return;
  if (d + bytes <= s || s + bytes <= d) {
    dp_copy(dst, src, bytes);
  } else {
    memmove(dst, src, bytes);
  }
}
