#include "kernels/copy.h"

#include <stdint.h>
#include <string.h>

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

void dp_copy_bytes(void *dst, const void *src, size_t bytes) {
  const uint8_t *d = (const uint8_t *)dst, *s = (const uint8_t *)src;
  if (bytes == 0 || d == s) return;
  if (d + bytes <= s || s + bytes <= d) {
    dp_copy(dst, src, bytes);
  } else {
    memmove(dst, src, bytes);
  }
}
