/* What fork/join (rv32/cluster.c) and the cluster DMA driver (siracusa/dma.c) both do on a hart of QEMU's
 * virt machine: read a counter CSR, and sleep until another hart or a device wakes this one.
 *
 * QEMU virt's CLINT: writing 1 to a hart's MSIP word raises its machine software interrupt, which wakes
 * it from wfi (interrupts stay disabled in mstatus, so nothing traps; mie.MSIE must be set). Waiting harts
 * sleep: they leave the host's cores to the harts that work, and under -icount (which runs harts in turn)
 * a spinning hart would never hand over. A wake-up may come from any source, so every sleeper checks its
 * condition again after each one. */
#ifndef DP_RV32_HART_H
#define DP_RV32_HART_H

#include <stdint.h>

#define DP_CLINT_MSIP ((volatile uint32_t *)0x02000000u)

static inline uint32_t dp_hart_id(void) {
  uint32_t hart;
  __asm__ volatile(".option push\n.option arch, +zicsr\ncsrr %0, mhartid\n.option pop" : "=r"(hart));
  return hart;
}

/* Lets the machine software interrupt end this hart's wfi. */
static inline void dp_enable_wakeups(void) {
  __asm__ volatile(".option push\n.option arch, +zicsr\ncsrs mie, %0\n.option pop" : : "r"(8u)); /* MSIE */
}

/* Sleeps until the next machine software interrupt (at once if one is pending), then clears it. */
static inline void dp_sleep_until_woken(uint32_t hart) {
  __asm__ volatile("wfi" ::: "memory");
  DP_CLINT_MSIP[hart] = 0u;
}

/* A device's 64-bit counter in two registers, the high word after the low: read high, low, high until
 * both highs agree. */
static inline uint64_t dp_read_device_counter64(const volatile uint32_t *low) {
  uint32_t hi, lo, again;
  do {
    hi = low[1];
    lo = low[0];
    again = low[1];
  } while (hi != again);
  return ((uint64_t)hi << 32) | lo;
}

/* uint64_t fn(void): the 64-bit counter CSR (e.g. "minstret", "mcycle"), high, low, high until both
 * highs agree; LOW: uint32_t fn(void), its low word alone (one CSR read, for differences of less than
 * 2^32). */
#define DP_DEFINE_COUNTER64(fn, csr)                                                                \
  uint64_t fn(void) {                                                                                \
    uint32_t hi, lo, again;                                                                          \
    do {                                                                                             \
      __asm__ volatile(".option push\n.option arch, +zicsr\ncsrr %0, " csr "h\ncsrr %1, " csr        \
                       "\ncsrr %2, " csr "h\n.option pop"                                            \
                       : "=r"(hi), "=r"(lo), "=r"(again));                                           \
    } while (hi != again);                                                                           \
    return ((uint64_t)hi << 32) | lo;                                                                \
  }
#define DP_DEFINE_COUNTER_LOW(fn, csr)                                                               \
  static inline uint32_t fn(void) {                                                                  \
    uint32_t lo;                                                                                     \
    __asm__ volatile(".option push\n.option arch, +zicsr\ncsrr %0, " csr "\n.option pop" : "=r"(lo)); \
    return lo;                                                                                       \
  }

#endif
