/* Fork/join: hart 0 publishes a job and bumps a generation counter; the released harts wait for it,
 * run the job and record the generation they finished, each in a word of its own, so that no atomic
 * instruction is needed (PULP cluster cores have no A extension). The stacks of harts 1.. are here;
 * entry.S points them in. */
#include "cluster.h"

#ifndef DP_STACK_BYTES
#error "build with -DDP_STACK_BYTES=<stack bytes per hart> (entry.S uses the same value)"
#endif

uint8_t dp_hart_stacks[DP_MAX_HARTS - 1][DP_STACK_BYTES] __attribute__((aligned(16)));
volatile uint32_t dp_cluster_released;
void *dp_main_thread_pointer; /* entry.S gives it to the other harts */

static dp_job_fn volatile job_fn;
static void *volatile job_arg;
static volatile int job_count;
static volatile uint32_t job_generation;
static volatile uint32_t hart_finished[DP_MAX_HARTS]; /* the last generation each hart finished */
static volatile int cluster_cores = 1;

void dp_worker_main(int hart);

volatile uint64_t dp_job_instret[DP_MAX_HARTS];
volatile uint64_t dp_join_wait_instret;

uint64_t dp_read_instret(void) {
  uint32_t hi, lo, again;
  do {
    __asm__ volatile(".option push\n.option arch, +zicsr\ncsrr %0, minstreth\ncsrr %1, minstret\ncsrr %2, minstreth\n.option pop"
                     : "=r"(hi), "=r"(lo), "=r"(again));
  } while (hi != again);
  return ((uint64_t)hi << 32) | lo;
}

/* This hart's jobs: hart, hart + cores, ... */
static void run_share(int hart) {
  int k;
  for (k = hart; k < job_count; k += cluster_cores) job_fn(job_arg, k, job_count);
}

/* QEMU virt's CLINT: writing 1 to a hart's MSIP word raises its machine software interrupt, which
 * wakes it from wfi (interrupts stay disabled in mstatus, so nothing traps). Waiting harts sleep: they
 * leave the host's cores to the harts that work, and under -icount (which runs harts in turn) a
 * spinning hart would never hand over. */
#define DP_CLINT_MSIP ((volatile uint32_t *)0x02000000u)

static void sleep_until_woken(int hart) {
  __asm__ volatile("wfi");
  DP_CLINT_MSIP[hart] = 0;
}

static void enable_wakeups(void) {
  __asm__ volatile(".option push\n.option arch, +zicsr\ncsrs mie, %0\n.option pop" : : "r"(8u)); /* MSIE */
}

void dp_worker_main(int hart) {
  uint32_t seen = 0;
  enable_wakeups();
  for (;;) {
    while (job_generation == seen) sleep_until_woken(hart);
    seen = job_generation;
    __sync_synchronize();
    const uint64_t start = dp_read_instret();
    run_share(hart);
    dp_job_instret[hart] += dp_read_instret() - start;
    /* Results before the flag; every finishing hart wakes hart 0, which checks them all. */
    __sync_synchronize();
    hart_finished[hart] = seen;
    DP_CLINT_MSIP[0] = 1u;
  }
}

void dp_cluster_start(int cores) {
  cluster_cores = cores < 1 ? 1 : cores > DP_MAX_HARTS ? DP_MAX_HARTS : cores;
  enable_wakeups();
  __asm__ volatile("mv %0, tp" : "=r"(dp_main_thread_pointer));
  __sync_synchronize();
  dp_cluster_released = 1;
}

int dp_cluster_cores(void) { return cluster_cores; }

/* Whether harts 1.. have all finished generation `generation`. */
static int helpers_finished(uint32_t generation) {
  for (int hart = 1; hart < cluster_cores; ++hart) {
    if (hart_finished[hart] != generation) return 0;
  }
  return 1;
}

void dp_parallel(dp_job_fn fn, void *arg, int jobs) {
  const uint32_t generation = job_generation + 1u;
  job_fn = fn;
  job_arg = arg;
  job_count = jobs;
  __sync_synchronize();
  job_generation = generation;
  for (int hart = 1; hart < cluster_cores; ++hart) DP_CLINT_MSIP[hart] = 1u;
  run_share(0);
  const uint64_t waitStart = dp_read_instret();
  while (!helpers_finished(generation)) sleep_until_woken(0);
  dp_join_wait_instret += dp_read_instret() - waitStart;
  __sync_synchronize();
}
