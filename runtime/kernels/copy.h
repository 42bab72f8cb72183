/* Plain copies: Identity, graph outputs that alias other tensors, and the rows that data movement and
 * DMA move. The C libraries of small targets copy byte by byte (picolibc's memcpy is built for size),
 * so the kernels copy through dp_copy, which moves aligned 32-bit words. */
#ifndef DP_COPY_H
#define DP_COPY_H

#include <stddef.h>

/* memcpy: the regions must not overlap. */
void dp_copy(void *dst, const void *src, size_t bytes);

/* memmove: the regions may overlap. */
void dp_copy_bytes(void *dst, const void *src, size_t bytes);

#endif
