/* Plain copies: Identity and graph outputs that alias other tensors. */
#ifndef DP_COPY_H
#define DP_COPY_H

#include <stddef.h>

void dp_copy_bytes(void *dst, const void *src, size_t bytes);

#endif
