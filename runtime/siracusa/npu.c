/* The driver of the NPU device (npu_device.h): a task is committed with one register write (COMMIT_TASK
 * reads its 16 words from memory) and waited for in wfi, as dma.c waits for transfers. Tasks are numbered
 * 1, 2, ... in commit order and complete in that order, so a wait only needs the id of the last task it
 * covers. The device raises the MSIP of the hart dp_npu_configure named; the DMA and fork/join raise the
 * same interrupt, so every wait checks its condition again after a wake-up. Called on one hart. */
#include "siracusa/npu_device.h"

#include <stddef.h>

#include "rv32/hart.h"

_Static_assert(offsetof(dp_npu_task, padding) == 0x44u - DP_NPU_TASK && offsetof(dp_npu_task, conf0) == 0x4cu - DP_NPU_TASK &&
                   sizeof(dp_npu_task) == 16u * 4u,
               "dp_npu_task must be the words of registers WEIGHTS..CONF0");

static uint32_t waiting_hart;

static int completed(uint32_t id) { return (int32_t)(DP_NPU_REG(DP_NPU_COMPLETED) - id) >= 0; }

/* WAKE_AT is set before the check that decides to sleep, so a completion in between still wakes. */
static void wait_for(uint32_t id) {
  if (completed(id)) return;
  DP_NPU_REG(DP_NPU_WAKE_AT) = id;
  while (!completed(id)) dp_sleep_until_woken(waiting_hart);
}

/* Both slots taken: the next completion frees one. */
static void wait_for_a_slot(void) {
  for (;;) {
    DP_NPU_REG(DP_NPU_WAKE_AT) = DP_NPU_REG(DP_NPU_COMPLETED) + 1u;
    if (DP_NPU_REG(DP_NPU_QUEUE_FREE) > 0u) break;
    dp_sleep_until_woken(waiting_hart);
  }
}

uint32_t dp_npu_commit(const dp_npu_task *task) {
  if (DP_NPU_REG(DP_NPU_QUEUE_FREE) == 0u) wait_for_a_slot();
  const uint32_t before = DP_NPU_REG(DP_NPU_TASKS);
  DP_NPU_REG(DP_NPU_COMMIT_TASK) = (uint32_t)(uintptr_t)task;
  const uint32_t id = DP_NPU_REG(DP_NPU_TASKS);
  if (id == before) return 0u; /* refused: ERR_TASK or ERR_BUS */
  if (id == 0u) {
    wait_for(id); /* the 2^32nd task has the id that means "none": finish it here */
  }
  return id;
}

void dp_npu_wait(uint32_t id) {
  if (id != 0u) wait_for(id);
}

void dp_npu_wait_all(void) { dp_npu_wait(DP_NPU_REG(DP_NPU_TASKS)); }

void dp_npu_configure(const dp_npu_timing *timing) {
  uint32_t mode;
  DP_NPU_REG(DP_NPU_SETUP_CYCLES) = timing->setup_cycles;
  for (mode = 0; mode < 3u; ++mode) DP_NPU_REG(DP_NPU_STEP_CYCLES(mode)) = timing->step_cycles[mode];
  DP_NPU_REG(DP_NPU_STREAM_BW_Q8) = timing->stream_bytes_per_cycle_q8;
  DP_NPU_REG(DP_NPU_WEIGHT_BW_Q8) = timing->weight_bytes_per_cycle_q8;
  DP_NPU_REG(DP_NPU_WMEM_BW_Q8) = timing->wmem_bytes_per_cycle_q8;
  DP_NPU_REG(DP_NPU_WMEM_BASE) = timing->wmem_base;
  DP_NPU_REG(DP_NPU_WMEM_SIZE) = timing->wmem_size;
  waiting_hart = dp_hart_id();
  DP_NPU_REG(DP_NPU_WAKE_HARTS) = waiting_hart < 32u ? 1u << waiting_hart : 0u;
  DP_NPU_REG(DP_NPU_STATUS) = DP_NPU_STATUS_ERRORS;
  dp_enable_wakeups();
}

static uint64_t read_counter(uint32_t lo_offset) { return dp_read_device_counter64(&DP_NPU_REG(lo_offset)); }

uint64_t dp_npu_modelled_cycles(void) { return read_counter(DP_NPU_CYCLES_LO); }

uint64_t dp_npu_macs(void) { return read_counter(DP_NPU_MACS_LO); }

uint64_t dp_npu_stall_cycles(void) { return read_counter(DP_NPU_STALL_CYCLES_LO); }

uint32_t dp_npu_tasks(void) { return DP_NPU_REG(DP_NPU_TASKS); }

uint32_t dp_npu_errors(void) { return DP_NPU_REG(DP_NPU_STATUS) & DP_NPU_STATUS_ERRORS; }

void dp_npu_clear_errors(void) { DP_NPU_REG(DP_NPU_STATUS) = DP_NPU_STATUS_ERRORS; }
