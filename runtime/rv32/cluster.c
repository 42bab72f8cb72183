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

/* The low word of minstret: the counters below add differences of it (a job retires far fewer than 2^32
 * instructions), one CSR read instead of dp_read_instret's three. */
static inline uint32_t instret_low(void) {
  uint32_t lo;
  __asm__ volatile(".option push\n.option arch, +zicsr\ncsrr %0, minstret\n.option pop" : "=r"(lo));
  return lo;
}

/* The jobs of the hart running jobs first, first + cores, ... (the job's fields read once: they are
 * volatile). Hart h > 0 starts at job h - 1 and hart 0 at job cores - 1: the generated code splits a node
 * into equal parts but the last, which is smaller, so the hart that also forks and joins takes it. */
static void run_share(int first, int cores) {
  const dp_job_fn fn = job_fn;
  void *const arg = job_arg;
  const int count = job_count;
  int k;
  for (k = first; k < count; k += cores) fn(arg, k, count);
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
    const uint32_t start = instret_low();
    run_share(hart - 1, cluster_cores);
    dp_job_instret[hart] += instret_low() - start;
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

/* Hart 0's wait for the others' jobs of the current generation (only hart 0 writes job_generation), out
 * of line: dp_parallel keeps nothing across its own job and ends in a tail call here. */
static __attribute__((noinline)) void join_helpers(void) {
  const uint32_t generation = job_generation;
  const uint32_t waitStart = instret_low();
  while (!helpers_finished(generation)) sleep_until_woken(0);
  dp_join_wait_instret += instret_low() - waitStart;
  __sync_synchronize();
}

void dp_parallel(dp_job_fn fn, void *arg, int jobs) {
  const int cores = cluster_cores;
  job_fn = fn;
  job_arg = arg;
  job_count = jobs;
  __sync_synchronize();
  job_generation = job_generation + 1u;
  for (volatile uint32_t *msip = DP_CLINT_MSIP + 1, *const end = DP_CLINT_MSIP + cores; msip < end; ++msip) *msip = 1u;
  if (jobs > cores)
    run_share(cores - 1, cores);
  else if (jobs == cores)
    fn(arg, cores - 1, jobs);
  join_helpers();
}
