#include "kernels/copy.h"

#include <string.h>

void dp_copy_bytes(void *dst, const void *src, size_t bytes) {
  if (bytes && dst != src) memmove(dst, src, bytes);
}
