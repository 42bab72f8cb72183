/* Asynchronous DMA between memory levels, as the tiled code uses it: start a 1-D to 3-D strided copy,
 * keep computing, wait for the copies of a group. Every target implements this API; on the host the
 * copy is done by the core at start, so waiting has nothing left to do; the rv32 cluster queues copies
 * and its harts share them at the wait (runtime/rv32/dma.c).
 * Contract: a transfer may happen at any time between its start and the return of its group's wait,
 * but transfers happen in the order they were started, so a group's wait also waits for every transfer
 * started before the group's last one. The program reads a destination only after that wait and leaves
 * a source unchanged until then. */
#ifndef DP_DMA_H
#define DP_DMA_H

#include <stdint.h>

/* Transfers started into one group are waited for together. */
typedef struct {
  uint32_t started;
} dp_dma_group;

/* A copy of `planes` x `rows` runs of `run_bytes` contiguous bytes. Consecutive runs of a plane are
 * `src_row_stride` / `dst_row_stride` bytes apart, consecutive planes `src_plane_stride` /
 * `dst_plane_stride` bytes apart. A 1-D copy has rows = planes = 1. */
typedef struct {
  uint32_t run_bytes;
  uint32_t rows;
  uint32_t planes;
  uint32_t src_row_stride;
  uint32_t dst_row_stride;
  uint32_t src_plane_stride;
  uint32_t dst_plane_stride;
} dp_dma_shape;

void dp_dma_start(dp_dma_group *group, void *dst, const void *src, const dp_dma_shape *shape);

/* One transfer of a list (dp_dma_start_list): the arguments of a dp_dma_start. */
typedef struct {
  void *dst;
  const void *src;
  const dp_dma_shape *shape;
} dp_dma_request;

/* Starts the `count` transfers of `requests`, in order, into `group`, as as many dp_dma_start calls would
 * (the tiled code keeps the transfers that start together in a constant table: one call for them all). */
void dp_dma_start_list(dp_dma_group *group, const dp_dma_request *requests, uint32_t count);
void dp_dma_wait(dp_dma_group *group);
/* Waits for every transfer started so far (the tiled code's stores not yet waited for, before code that
 * reads or writes memory without a transfer of its own). */
void dp_dma_wait_all(void);

#endif
