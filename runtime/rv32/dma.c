/* The rv32 cluster's DMA. With one hart a transfer is copied when it is started, as on the host. With
 * more, dp_dma_start queues it and dp_dma_wait copies the queued transfers up to the group's last one,
 * their bytes shared among the harts. Transfers pending together may depend on each other (the tiled
 * code leaves a node's last write-backs pending while the next node loads, perhaps the same bytes), so
 * the queue is copied in batches: a batch ends before the first transfer whose bytes overlap what an
 * earlier one of the batch writes, or whose destination overlaps what one reads; batches run in start
 * order, which is the order the DMA contract promises. Called on hart 0, outside jobs (dp_parallel
 * does not nest). */
#include "kernels/dma.h"

#include "cluster.h"
#include "kernels/copy.h"

/* Transfers waiting to be copied; a start that finds the queue full copies the queued ones first. */
#define DP_DMA_QUEUE 64
/* Fewer bytes than this per hart are not worth waking another hart for. */
#define DP_DMA_MIN_SHARE_BYTES 64u

typedef struct {
  uint8_t *dst;
  const uint8_t *src;
  const dp_dma_group *group;
  uint32_t bytes;
  dp_dma_shape shape; /* a copy: the caller's may be gone by the time it is copied */
} dp_dma_transfer;

static dp_dma_transfer queue[DP_DMA_QUEUE];
static int queued;
/* The cluster's harts, read at the first start (dp_cluster_start has run by then and runs once). */
static int harts;

/* The first `count` queued transfers as one stream of bytes (transfer by transfer, each run by run),
 * cut into shares of `share_bytes` (a multiple of 4, so word copies stay whole). */
typedef struct {
  int count;
  uint32_t share_bytes;
} dp_dma_batch;

/* Bytes [lo, hi) of one transfer, its runs taken plane by plane, row by row. */
static void copy_part(const dp_dma_transfer *t, uint32_t lo, uint32_t hi) {
  const dp_dma_shape *s = &t->shape;
  uint32_t run, plane, row, at;
  if (lo >= hi) return;
  if (t->bytes == s->run_bytes) { /* one run */
    dp_copy(t->dst + lo, t->src + lo, hi - lo);
    return;
  }
  run = lo / s->run_bytes;
  at = lo - run * s->run_bytes;
  plane = run / s->rows;
  row = run - plane * s->rows;
  while (lo < hi) {
    const uint32_t n = s->run_bytes - at < hi - lo ? s->run_bytes - at : hi - lo;
    dp_copy(t->dst + plane * s->dst_plane_stride + row * s->dst_row_stride + at,
            t->src + plane * s->src_plane_stride + row * s->src_row_stride + at, n);
    lo += n;
    at = 0;
    if (++row == s->rows) {
      row = 0;
      ++plane;
    }
  }
}

/* A whole transfer. */
static void copy_whole(uint8_t *dst, const uint8_t *src, const dp_dma_shape *s) {
  uint32_t p, r;
  for (p = 0; p < s->planes; ++p) {
    for (r = 0; r < s->rows; ++r) {
      dp_copy(dst + p * s->dst_plane_stride + r * s->dst_row_stride, src + p * s->src_plane_stride + r * s->src_row_stride,
              s->run_bytes);
    }
  }
}

static void copy_share(void *arg, int share, int shares) {
  const dp_dma_batch *b = (const dp_dma_batch *)arg;
  const uint32_t lo = (uint32_t)share * b->share_bytes;
  const uint32_t hi = share + 1 == shares ? UINT32_MAX : lo + b->share_bytes;
  uint32_t base = 0;
  int i;
  for (i = 0; i < b->count && base < hi; ++i) {
    const dp_dma_transfer *t = &queue[i];
    if (lo < base + t->bytes) copy_part(t, lo > base ? lo - base : 0, hi - base < t->bytes ? hi - base : t->bytes);
    base += t->bytes;
  }
}

/* The first and one past the last byte a transfer's runs may touch at its destination (dst) or source. */
static uintptr_t span_lo(const dp_dma_transfer *t, int dst) { return (uintptr_t)(dst ? t->dst : t->src); }
static uintptr_t span_hi(const dp_dma_transfer *t, int dst) {
  const dp_dma_shape *s = &t->shape;
  return span_lo(t, dst) + (s->planes - 1u) * (dst ? s->dst_plane_stride : s->src_plane_stride) +
         (s->rows - 1u) * (dst ? s->dst_row_stride : s->src_row_stride) + s->run_bytes;
}
static int spans_overlap(const dp_dma_transfer *a, int a_dst, const dp_dma_transfer *b, int b_dst) {
  return span_lo(a, a_dst) < span_hi(b, b_dst) && span_lo(b, b_dst) < span_hi(a, a_dst);
}

/* How many of the first `count` queued transfers may be copied together: up to the first that reads or
 * writes bytes an earlier one writes, or writes bytes an earlier one reads. */
static int independent_prefix(int count) {
  int i, j;
  for (i = 1; i < count; ++i) {
    for (j = 0; j < i; ++j) {
      if (spans_overlap(&queue[i], 0, &queue[j], 1) || spans_overlap(&queue[i], 1, &queue[j], 1) ||
          spans_overlap(&queue[i], 1, &queue[j], 0))
        return i;
    }
  }
  return count;
}

/* Copies the first `count` queued transfers, as one batch (no one depends on another), and drops them
 * from the queue. */
static void perform_batch(int count) {
  dp_dma_batch batch = {count, 0};
  uint32_t bytes = 0, shares;
  int i;
  for (i = 0; i < count; ++i) bytes += queue[i].bytes;
  shares = bytes / DP_DMA_MIN_SHARE_BYTES;
  if (shares > (uint32_t)harts) shares = (uint32_t)harts;
  if (shares > 1) {
    batch.share_bytes = (bytes / shares + 3u) & ~3u;
    dp_parallel(copy_share, &batch, (int)shares);
  } else {
    for (i = 0; i < count; ++i) copy_whole(queue[i].dst, queue[i].src, &queue[i].shape);
  }
  for (i = count; i < queued; ++i) queue[i - count] = queue[i];
  queued -= count;
}

/* Copies the first `count` queued transfers in start order, batch by batch, and drops them. */
static void perform(int count) {
  while (count > 0) {
    const int batch = independent_prefix(count);
    perform_batch(batch);
    count -= batch;
  }
}

/* The first start (which learns the cluster's size) and every start on more than one hart; out of
 * line, so that a single hart's start stays a plain copy. */
static __attribute__((noinline)) void queue_transfer(dp_dma_group *group, void *dst, const void *src, const dp_dma_shape *shape) {
  dp_dma_transfer *t;
  if (harts == 0) harts = dp_cluster_cores();
  if (harts == 1) {
    copy_whole((uint8_t *)dst, (const uint8_t *)src, shape);
    return;
  }
  if (queued == DP_DMA_QUEUE) perform(queued);
  t = &queue[queued++];
  t->dst = (uint8_t *)dst;
  t->src = (const uint8_t *)src;
  t->group = group;
  t->bytes = shape->run_bytes * shape->rows * shape->planes;
  t->shape = *shape;
}

void dp_dma_start(dp_dma_group *group, void *dst, const void *src, const dp_dma_shape *shape) {
  group->started++;
  if (harts == 1) { /* nothing to share: copy now */
    copy_whole((uint8_t *)dst, (const uint8_t *)src, shape);
  } else {
    queue_transfer(group, dst, src, shape);
  }
}

void dp_dma_start_list(dp_dma_group *group, const dp_dma_request *requests, uint32_t count) {
  uint32_t i;
  for (i = 0; i < count; ++i) dp_dma_start(group, requests[i].dst, requests[i].src, requests[i].shape);
}

void dp_dma_wait_all(void) {
  if (queued > 0) perform(queued);
}

void dp_dma_wait(dp_dma_group *group) {
  int last = queued;
  group->started = 0;
  if (last == 0) return;
  while (last > 0 && queue[last - 1].group != group) --last;
  if (last > 0) perform(last);
}
