/* The DMA API (kernels/dma.h) on the cluster DMA device (dma_device.h): dp_dma_start programs a
 * transfer and queues it, the device moves the bytes by itself, dp_dma_wait sleeps in wfi until the
 * device has completed the group's last transfer. The cores copy nothing.
 *
 * Transfers are numbered 1, 2, ... in start order and complete in that order, so a group only keeps
 * the number of its last transfer (0: none pending) and is done once the device's COMPLETED counter
 * has reached it. At the completion a wait asks for (WAKE_AT) the device raises the machine software
 * interrupt (CLINT MSIP) of the hart dp_dma_configure named (hart 0 after reset). That hart sleeps in
 * wfi with mie.MSIE set and mstatus.MIE clear, so the interrupt ends the wfi without a trap, and clears
 * its MSIP itself.
 * Fork/join (rv32/cluster.c) uses the same MSIP, so a wake-up can come from either: both sides check
 * their condition again after each one. Called on one hart (hart 0), outside parallel jobs. */
#include "kernels/dma.h"

#include <stddef.h>

#include "rv32/hart.h"
#include "siracusa/dma_device.h"

/* START_SHAPE reads dp_dma_shape as the device's seven shape registers, in their order. */
_Static_assert(offsetof(dp_dma_shape, rows) == 4 && offsetof(dp_dma_shape, dst_plane_stride) == 24 &&
                   sizeof(dp_dma_shape) == 28,
               "dp_dma_shape must be the words of RUN_BYTES..DST_PLANE_STRIDE");
/* START_LIST reads dp_dma_request as its entries: DST, SRC, the shape's address. */
_Static_assert(offsetof(dp_dma_request, src) == 4 && offsetof(dp_dma_request, shape) == 8 && sizeof(dp_dma_request) == 12,
               "dp_dma_request must be the words of a START_LIST entry");

DP_DEFINE_COUNTER64(dp_dma_clock, "mcycle")

/* The hart that waits for transfers (dp_dma_configure's caller): the device raises its MSIP. */
static uint32_t waiting_hart;

/* Whether transfer `id` has completed (ids wrap at 32 bits; at most 32 are pending). */
static int completed(uint32_t id) { return (int32_t)(DP_DMA_REG(DP_DMA_COMPLETED) - id) >= 0; }

/* Sleeps until transfer `id` has completed. WAKE_AT makes the device wake this hart only then, not at
 * every completion before it (and count the time until then as stalled); it is set before the check
 * that decides to sleep, so a completion in between still raises the wake-up. */
static void wait_for(uint32_t id) {
  if (completed(id)) return;
  DP_DMA_REG(DP_DMA_WAKE_AT) = id;
  while (!completed(id)) dp_sleep_until_woken(waiting_hart);
}

/* Sleeps until the queue has `slots` free: every completion frees one. */
static void wait_for_room(uint32_t slots) {
  for (;;) {
    DP_DMA_REG(DP_DMA_WAKE_AT) = DP_DMA_REG(DP_DMA_COMPLETED) + 1u;
    if (DP_DMA_REG(DP_DMA_QUEUE_FREE) >= slots) break;
    dp_sleep_until_woken(waiting_hart);
  }
}

/* The group's transfers end with the last one accepted: this start's, or (for a shape the device refused,
 * see dp_dma_errors) the one before, which the group may as well wait for. */
static void record_last(dp_dma_group *group) {
  const uint32_t id = DP_DMA_REG(DP_DMA_TRANSFERS);
  if (id == 0u) {
    /* The 2^32nd transfer has the id that means "none pending": wait for it here. */
    wait_for(id);
  }
  group->started = id;
}

/* The device reads the shape from memory (START_SHAPE), so a transfer takes three register writes. */
void dp_dma_start(dp_dma_group *group, void *dst, const void *src, const dp_dma_shape *shape) {
  if (DP_DMA_REG(DP_DMA_QUEUE_FREE) == 0u) wait_for_room(1u);
  DP_DMA_REG(DP_DMA_DST) = (uint32_t)(uintptr_t)dst;
  DP_DMA_REG(DP_DMA_SRC) = (uint32_t)(uintptr_t)src;
  DP_DMA_REG(DP_DMA_START_SHAPE) = (uint32_t)(uintptr_t)shape;
  record_last(group);
}

/* START_LIST: two register writes for the whole list (at most a queue's worth at a time). */
void dp_dma_start_list(dp_dma_group *group, const dp_dma_request *requests, uint32_t count) {
  while (count > 0u) {
    const uint32_t part = count < DP_DMA_QUEUE_SLOTS ? count : DP_DMA_QUEUE_SLOTS;
    if (DP_DMA_REG(DP_DMA_QUEUE_FREE) < part) wait_for_room(part);
    DP_DMA_REG(DP_DMA_LIST_COUNT) = part;
    DP_DMA_REG(DP_DMA_START_LIST) = (uint32_t)(uintptr_t)requests;
    requests += part;
    count -= part;
  }
  record_last(group);
}

void dp_dma_wait_all(void) {
  const uint32_t last = DP_DMA_REG(DP_DMA_TRANSFERS); /* 0: none started (a wrapped id is waited for at its start) */
  if (last != 0u) wait_for(last);
}

void dp_dma_wait(dp_dma_group *group) {
  const uint32_t id = group->started;
  if (id == 0u) return;
  wait_for(id);
  group->started = 0u;
}

void dp_dma_configure(const dp_dma_window *windows, int count, uint32_t setup_cycles, uint32_t default_bytes_per_cycle_q8) {
  int w;
  for (w = 0; w < DP_DMA_WINDOWS; ++w) {
    const int on = w < count;
    DP_DMA_REG(DP_DMA_WIN_SIZE(w)) = 0u; /* off while its base and bandwidth change */
    DP_DMA_REG(DP_DMA_WIN_BASE(w)) = on ? windows[w].base : 0u;
    DP_DMA_REG(DP_DMA_WIN_BW_Q8(w)) = on ? windows[w].bytes_per_cycle_q8 : 0u;
    DP_DMA_REG(DP_DMA_WIN_SIZE(w)) = on ? windows[w].size : 0u;
  }
  DP_DMA_REG(DP_DMA_SETUP_CYCLES) = setup_cycles;
  DP_DMA_REG(DP_DMA_DEFAULT_BW_Q8) = default_bytes_per_cycle_q8;
  waiting_hart = dp_hart_id();
  DP_DMA_REG(DP_DMA_WAKE_HARTS) = waiting_hart < 32u ? 1u << waiting_hart : 0u;
  DP_DMA_REG(DP_DMA_STATUS) = DP_DMA_STATUS_ERRORS;
  dp_enable_wakeups();
}

static uint64_t read_counter(uint32_t lo_offset) { return dp_read_device_counter64(&DP_DMA_REG(lo_offset)); }

uint64_t dp_dma_modelled_cycles(void) { return read_counter(DP_DMA_CYCLES_LO); }

uint64_t dp_dma_bytes(void) { return read_counter(DP_DMA_BYTES_LO); }

uint64_t dp_dma_stall_cycles(void) { return read_counter(DP_DMA_STALL_CYCLES_LO); }

uint32_t dp_dma_transfers(void) { return DP_DMA_REG(DP_DMA_TRANSFERS); }

uint32_t dp_dma_errors(void) { return DP_DMA_REG(DP_DMA_STATUS) & DP_DMA_STATUS_ERRORS; }

void dp_dma_clear_errors(void) { DP_DMA_REG(DP_DMA_STATUS) = DP_DMA_STATUS_ERRORS; }
