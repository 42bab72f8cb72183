/* DMA performed by the calling core: the copy happens when it is started. */
#include "kernels/dma.h"

#include "kernels/copy.h"

void dp_dma_start(dp_dma_group *group, void *dst, const void *src, const dp_dma_shape *shape) {
  uint8_t *d = (uint8_t *)dst;
  const uint8_t *s = (const uint8_t *)src;
  for (uint32_t p = 0; p < shape->planes; ++p) {
    for (uint32_t r = 0; r < shape->rows; ++r) {
      dp_copy(d + p * shape->dst_plane_stride + r * shape->dst_row_stride,
             s + p * shape->src_plane_stride + r * shape->src_row_stride, shape->run_bytes);
    }
  }
  group->started++;
}

void dp_dma_start_list(dp_dma_group *group, const dp_dma_request *requests, uint32_t count) {
  for (uint32_t i = 0; i < count; ++i) dp_dma_start(group, requests[i].dst, requests[i].src, requests[i].shape);
}

void dp_dma_wait(dp_dma_group *group) { group->started = 0; }

void dp_dma_wait_all(void) {}
