/* The NPU of deeploy's QEMU (emulator/patches/0004-npu.patch; emulator/NPU.md), an N-EUREKA-class engine:
 * its register map, the task the cores program and the driver (npu.c). A task is one convolution (1x1,
 * 3x3 dense or 3x3 depthwise, stride 1 or 2) over NHWC int8/uint8 activations with weights in the
 * device's bit-plane layout, requantized per output channel or left as int32 accumulators. Two tasks can
 * be pending; they run one after the other in commit order and complete at the time of the device's
 * timing model (1 cycle = 1 ns of QEMU's virtual clock = 1 instruction under -icount shift=0); their
 * bytes are read and written at the completion. */
#ifndef DP_NPU_DEVICE_H
#define DP_NPU_DEVICE_H

#include <stdint.h>

#define DP_NPU_BASE 0x10201000u

/* Registers: 32 bits, byte offsets from DP_NPU_BASE, 32-bit accesses only. */
#define DP_NPU_ID 0x00u
#define DP_NPU_STATUS 0x04u           /* DP_NPU_STATUS_* bits; write 1s to clear error bits */
#define DP_NPU_QUEUE_DEPTH 0x08u      /* RO: 2 */
#define DP_NPU_QUEUE_FREE 0x0cu
#define DP_NPU_TASK 0x10u             /* 0x10..0x4c: the 16 words of dp_npu_task */
#define DP_NPU_COMMIT 0x50u           /* WO: queue the task in 0x10..0x4c */
#define DP_NPU_TASKS 0x54u            /* RO: tasks accepted = id of the last (ids count from 1) */
#define DP_NPU_COMPLETED 0x58u        /* RO: tasks completed; id n is done once it reaches n */
#define DP_NPU_WAKE_HARTS 0x5cu       /* bit h: completions raise hart h's MSIP; reset 1 */
#define DP_NPU_WAKE_AT 0x60u          /* 0: wake at every completion; n: only once COMPLETED - n >= 0 */
#define DP_NPU_CYCLES_LO 0x64u        /* RO: modelled cycles of all accepted tasks, 64 bits */
#define DP_NPU_CYCLES_HI 0x68u
#define DP_NPU_MACS_LO 0x6cu          /* RO: multiply-accumulates of all accepted tasks, 64 bits */
#define DP_NPU_MACS_HI 0x70u
#define DP_NPU_STALL_CYCLES_LO 0x74u  /* RO: modelled cycles from each WAKE_AT naming a pending task to its end */
#define DP_NPU_STALL_CYCLES_HI 0x78u
#define DP_NPU_COMMIT_TASK 0x7cu      /* WO: an address: the 16 task words from there, then COMMIT */
#define DP_NPU_SETUP_CYCLES 0x80u
#define DP_NPU_STEP_CYCLES(mode) (0x84u + 4u * (mode)) /* per step and weight bit; DP_NPU_MODE_* */
#define DP_NPU_STREAM_BW_Q8 0x90u
#define DP_NPU_WEIGHT_BW_Q8 0x94u
#define DP_NPU_WMEM_BW_Q8 0x98u
#define DP_NPU_WMEM_BASE 0x9cu
#define DP_NPU_WMEM_SIZE 0xa0u

#define DP_NPU_ID_VALUE 0x4e505501u
#define DP_NPU_QUEUE_SLOTS 2u
#define DP_NPU_STATUS_BUSY 0x1u
#define DP_NPU_STATUS_ERR_TASK 0x2u   /* a commit named an impossible task: not queued */
#define DP_NPU_STATUS_ERR_FULL 0x4u   /* a commit found both slots taken: not queued */
#define DP_NPU_STATUS_ERR_BUS 0x8u    /* a task touched unmapped memory: it stopped writing */
#define DP_NPU_STATUS_ERRORS 0xeu

/* CONF0 */
#define DP_NPU_MODE_1X1 0u
#define DP_NPU_MODE_3X3 1u
#define DP_NPU_MODE_DEPTHWISE 2u
#define DP_NPU_CONF0_STRIDE2 (1u << 2)
#define DP_NPU_CONF0_WEIGHT_BITS(bits) (((uint32_t)(bits) - 1u) << 3) /* 1..8 */
#define DP_NPU_CONF0_REQUANT (1u << 6)
#define DP_NPU_CONF0_ROUND (1u << 7)
#define DP_NPU_CONF0_SIGNED_INPUT (1u << 8)
#define DP_NPU_CONF0_SIGNED_OUTPUT (1u << 9)
#define DP_NPU_CONF0_RELU (1u << 10)
#define DP_NPU_CONF0_CHANNEL_SHIFT (1u << 11)
#define DP_NPU_CONF0_BIAS (1u << 12)
#define DP_NPU_CONF0_WEIGHTS_FROM_WMEM (1u << 13)
#define DP_NPU_CONF0_LAYER_SHIFT(shift) ((uint32_t)(shift) << 16) /* 0..31 */

#define DP_NPU_PADDING(top, left, value) ((uint32_t)(top) | (uint32_t)(left) << 4 | (uint32_t)(uint8_t)(value) << 8)
#define DP_NPU_SIZE(height, width) ((uint32_t)(height) << 16 | (uint32_t)(width))
#define DP_NPU_CHANNELS(out, in) ((uint32_t)(out) << 16 | (uint32_t)(in))

#define DP_NPU_REG(offset) (*(volatile uint32_t *)(uintptr_t)(DP_NPU_BASE + (offset)))

/* One task: the words of registers WEIGHTS..CONF0 in their order (COMMIT_TASK reads it from memory, so
 * generated code keeps its tasks as constants; the addresses are pointers, 32 bits on the cluster, so
 * such constants can name arrays). */
typedef struct {
  const void *weights;
  const void *input;
  void *output;
  const int32_t *scale;
  const uint8_t *shift;
  const int32_t *bias;
  uint32_t in_row_stride, in_pixel_stride, out_row_stride, out_pixel_stride;
  uint32_t in_size, out_size, channels, padding; /* DP_NPU_SIZE, DP_NPU_CHANNELS, DP_NPU_PADDING */
  int32_t weight_offset;
  uint32_t conf0;
} dp_npu_task;

/* The device's timing model (emulator/NPU.md): bandwidths in bytes per cycle x 256. */
typedef struct {
  uint32_t setup_cycles;
  uint32_t step_cycles[3]; /* per DP_NPU_MODE_*: cycles of one step per weight bit */
  uint32_t stream_bytes_per_cycle_q8;
  uint32_t weight_bytes_per_cycle_q8;
  uint32_t wmem_bytes_per_cycle_q8;
  uint32_t wmem_base, wmem_size;
} dp_npu_timing;

/* Sets the timing model and names the calling hart as the one that waits; enables its machine software
 * interrupt (mie.MSIE) for wfi. Call once at start-up, with no task pending. */
void dp_npu_configure(const dp_npu_timing *timing);
/* Queues `task` (sleeping while both slots are taken) and returns its id, or 0 when the device refused it
 * (dp_npu_errors says why). */
uint32_t dp_npu_commit(const dp_npu_task *task);
/* Sleeps until task `id` (and every task before it) has completed; 0 returns at once. */
void dp_npu_wait(uint32_t id);
void dp_npu_wait_all(void);
/* Totals since reset: modelled cycles and multiply-accumulates of the accepted tasks, and the modelled
 * cycles the waiting hart slept for them. */
uint64_t dp_npu_modelled_cycles(void);
uint64_t dp_npu_macs(void);
uint64_t dp_npu_stall_cycles(void);
uint32_t dp_npu_tasks(void);
/* The STATUS error bits (DP_NPU_STATUS_ERR_*) set since the last dp_npu_clear_errors. */
uint32_t dp_npu_errors(void);
void dp_npu_clear_errors(void);

#endif
