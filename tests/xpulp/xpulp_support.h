/* What the CORE-V kernel checks share: their pseudo-random numbers (xorshift32, seeded by each check's
 * XPULP_RANDOM_SEED, defined before it includes this once, so that its cases are the same on every run)
 * and the byte comparison of an output against the generic kernel's, counted and reported. */
#ifndef XPULP_SUPPORT_H
#define XPULP_SUPPORT_H

#include <stdint.h>
#include <stdio.h>

static uint32_t rng = XPULP_RANDOM_SEED;
static uint32_t rnd(void) {
  rng ^= rng << 13;
  rng ^= rng >> 17;
  rng ^= rng << 5;
  return rng;
}
/* Uniform in [lo, hi]. */
static int32_t rnd_in(int32_t lo, int32_t hi) { return lo + (int32_t)(rnd() % (uint32_t)(hi - lo + 1)); }

static int failures, checks;
static const char *case_name;
static char case_shape[256];

/* Compares bytes (outputs plus guard) and reports the first difference; `what` names the kernel (or is
 * empty when case_name does). */
static void compare(const char *what, const void *test, const void *ref, int32_t bytes) {
  const uint8_t *t = (const uint8_t *)test, *r = (const uint8_t *)ref;
  int32_t i;
  ++checks;
  for (i = 0; i < bytes; ++i)
    if (t[i] != r[i]) {
      ++failures;
      if (failures <= 20)
        printf("FAIL %s %s %s: byte %ld differs (%u, expected %u)\n", case_name, what, case_shape, (long)i, t[i], r[i]);
      return;
    }
}

#endif
