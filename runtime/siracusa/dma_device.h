/* The cluster DMA device of deeploy's QEMU (emulator/patches/0002-cluster-dma.patch; emulator/DMA.md):
 * its register map and what the runtime uses besides the DMA API of kernels/dma.h (dma.c here). One
 * channel: transfers run one after the other in start order, each taking setup_cycles +
 * ceil(bytes / bandwidth) modelled cycles (1 cycle = 1 ns of QEMU's virtual clock = 1 instruction under
 * -icount shift=0), at the lowest bandwidth of the windows holding its source or destination start
 * address (the default bandwidth when none does); its bytes move when that time has passed. */
#ifndef DP_DMA_DEVICE_H
#define DP_DMA_DEVICE_H

#include <stdint.h>

#define DP_DMA_BASE 0x10200000u

/* Registers: 32 bits, byte offsets from DP_DMA_BASE, 32-bit accesses only. */
#define DP_DMA_ID 0x00u               /* RO: DP_DMA_ID_VALUE */
#define DP_DMA_STATUS 0x04u           /* DP_DMA_STATUS_* bits; write 1s to clear error bits */
#define DP_DMA_QUEUE_DEPTH 0x08u      /* RO: transfers that can be pending at once (32) */
#define DP_DMA_QUEUE_FREE 0x0cu       /* RO: depth minus transfers started and not completed */
#define DP_DMA_DST 0x10u              /* the next transfer; kept after START */
#define DP_DMA_SRC 0x14u
#define DP_DMA_RUN_BYTES 0x18u
#define DP_DMA_ROWS 0x1cu             /* reset 1 */
#define DP_DMA_PLANES 0x20u           /* reset 1 */
#define DP_DMA_SRC_ROW_STRIDE 0x24u
#define DP_DMA_DST_ROW_STRIDE 0x28u
#define DP_DMA_SRC_PLANE_STRIDE 0x2cu
#define DP_DMA_DST_PLANE_STRIDE 0x30u
#define DP_DMA_START 0x34u            /* WO: any value queues the transfer */
#define DP_DMA_TRANSFERS 0x38u        /* RO: transfers accepted = id of the last (ids count from 1) */
#define DP_DMA_COMPLETED 0x3cu        /* RO: transfers completed; id n is done once it reaches n */
#define DP_DMA_CYCLES_LO 0x40u        /* RO: modelled cycles of all accepted transfers, 64 bits */
#define DP_DMA_CYCLES_HI 0x44u
#define DP_DMA_BYTES_LO 0x48u         /* RO: bytes of all accepted transfers, 64 bits */
#define DP_DMA_BYTES_HI 0x4cu
#define DP_DMA_SETUP_CYCLES 0x50u     /* cycles added to every transfer of one byte or more; reset 0 */
#define DP_DMA_DEFAULT_BW_Q8 0x54u    /* bytes per cycle x 256 outside all windows; reset 256 */
#define DP_DMA_WAKE_HARTS 0x58u       /* bit h: completions raise hart h's MSIP; reset 1 */
#define DP_DMA_START_SHAPE 0x5cu      /* WO: an address: RUN_BYTES..DST_PLANE_STRIDE from the 7 words there, then START */
#define DP_DMA_WAKE_AT 0x60u          /* 0 (reset): wake at every completion; n: only once COMPLETED - n >= 0 */
#define DP_DMA_LIST_COUNT 0x64u       /* entries START_LIST reads; reset 0 */
#define DP_DMA_START_LIST 0x68u       /* WO: an address: LIST_COUNT entries of (DST, SRC, shape address), each started as START_SHAPE */
#define DP_DMA_WAKE_NOW 0x6cu         /* WO: bit h: raise hart h's MSIP now (fork/join wakes its harts in one write) */
#define DP_DMA_STALL_CYCLES_LO 0x70u  /* RO: modelled cycles from each WAKE_AT naming a pending transfer to its completion, 64 bits */
#define DP_DMA_STALL_CYCLES_HI 0x74u
#define DP_DMA_WIN_BASE(w) (0x80u + 0x10u * (w))
#define DP_DMA_WIN_SIZE(w) (0x84u + 0x10u * (w)) /* 0: window off */
#define DP_DMA_WIN_BW_Q8(w) (0x88u + 0x10u * (w))

#define DP_DMA_ID_VALUE 0x444d4101u
#define DP_DMA_QUEUE_SLOTS 32u        /* QUEUE_DEPTH: the most entries one START_LIST takes */
#define DP_DMA_WINDOWS 4
#define DP_DMA_STATUS_BUSY 0x1u       /* a transfer is pending */
#define DP_DMA_STATUS_ERR_SHAPE 0x2u  /* a START had 0 rows or planes, or 4 GiB or more: not queued */
#define DP_DMA_STATUS_ERR_FULL 0x4u   /* a START found the queue full: not queued */
#define DP_DMA_STATUS_ERR_BUS 0x8u    /* a transfer touched unmapped memory: its rest was dropped */
#define DP_DMA_STATUS_ERRORS 0xeu

#define DP_DMA_REG(offset) (*(volatile uint32_t *)(uintptr_t)(DP_DMA_BASE + (offset)))

/* An address window and the bandwidth of transfers starting in it. */
typedef struct {
  uint32_t base;
  uint32_t size;
  uint32_t bytes_per_cycle_q8; /* bytes per cycle x 256: 256 = 1 byte per cycle; 0 counts as 1 */
} dp_dma_window;

/* Sets the timing model (the first DP_DMA_WINDOWS windows; the others are turned off) and names the
 * calling hart as the one that waits; enables its machine software interrupt (mie.MSIE) for wfi. Call
 * once at start-up, with no transfer pending. */
void dp_dma_configure(const dp_dma_window *windows, int count, uint32_t setup_cycles, uint32_t default_bytes_per_cycle_q8);
/* Totals over all transfers started so far (since reset). */
uint64_t dp_dma_modelled_cycles(void);
uint64_t dp_dma_bytes(void);
uint32_t dp_dma_transfers(void);
/* Modelled cycles the waiting hart slept for transfers (in dp_dma_wait, and in dp_dma_start while the
 * queue was full), counted by the device from each WAKE_AT to the completion it names (on QEMU's virtual
 * clock, which under -icount jumps to that completion while every hart sleeps). minstret (deeploy's QEMU
 * counts each hart's own instructions there) does not advance while a hart sleeps. */
uint64_t dp_dma_stall_cycles(void);
/* mcycle: the clock the device's model runs on (QEMU's virtual clock under -icount, which jumps to the
 * next completion while every hart sleeps with sleep=off). */
uint64_t dp_dma_clock(void);
/* The STATUS error bits (DP_DMA_STATUS_ERR_*) set since the last dp_dma_clear_errors. */
uint32_t dp_dma_errors(void);
void dp_dma_clear_errors(void);

#endif
