/* Fork/join: hart 0 publishes a job and bumps a generation counter; the released harts wait for it,
 * run the job and record the generation they finished, each in a word of its own, so that no atomic
 * instruction is needed (PULP cluster cores have no A extension). The stacks of harts 1.. are here;
 * entry.S points them in. */
#include "cluster.h"
#include "rv32/hart.h"
#ifdef DP_CLUSTER_DMA
#include "siracusa/dma_device.h"
#endif

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

volatile uint32_t dp_job_instret[DP_MAX_HARTS];
volatile uint32_t dp_join_wait_instret;

DP_DEFINE_COUNTER64(dp_read_instret, "minstret")
/* The counters below add differences of minstret's low word (a job retires far fewer than 2^32
 * instructions). */
DP_DEFINE_COUNTER_LOW(instret_low, "minstret")

#ifdef DP_CLUSTER_DMA
volatile uint32_t dp_job_stalls[DP_MAX_HARTS];
volatile uint32_t dp_join_wait_stalls;
DP_DEFINE_COUNTER_LOW(stalls_low, "0xfc0")
uint32_t dp_read_stalls(void) { return stalls_low(); }
#define DP_STALLS_START(name) const uint32_t name = stalls_low()
#define DP_STALLS_ADD(sum, start) ((sum) += stalls_low() - (start))
#else
#define DP_STALLS_START(name) ((void)0)
#define DP_STALLS_ADD(sum, start) ((void)0)
#endif

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

void dp_worker_main(int hart) {
  uint32_t seen = 0;
  dp_enable_wakeups();
  for (;;) {
    while (job_generation == seen) dp_sleep_until_woken((uint32_t)hart);
    seen = job_generation;
    __sync_synchronize();
    DP_STALLS_START(stallStart);
    const uint32_t start = instret_low();
    run_share(hart - 1, cluster_cores);
    dp_job_instret[hart] += instret_low() - start;
    DP_STALLS_ADD(dp_job_stalls[hart], stallStart);
    /* Results before the flag; every finishing hart wakes hart 0, which checks them all. */
    __sync_synchronize();
    hart_finished[hart] = seen;
    DP_CLINT_MSIP[0] = 1u;
  }
}

void dp_cluster_start(int cores) {
  cluster_cores = cores < 1 ? 1 : cores > DP_MAX_HARTS ? DP_MAX_HARTS : cores;
  dp_enable_wakeups();
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
  /* The stall counter's reads inside the instructions counted as waiting, the job's outside its count:
   * neither adds to the work the profile reports. */
  const uint32_t waitStart = instret_low();
  DP_STALLS_START(stallStart);
  while (!helpers_finished(generation)) dp_sleep_until_woken(0u);
  DP_STALLS_ADD(dp_join_wait_stalls, stallStart);
  dp_join_wait_instret += instret_low() - waitStart;
  __sync_synchronize();
}

/* Raises the software interrupt of harts 1 .. cores-1 (a fork costs hart 0 these instructions every time,
 * and a decode step forks hundreds of times): on the Siracusa-class cluster one write to the DMA device's
 * WAKE_NOW, elsewhere one store to each hart's CLINT word, no loop. */
static inline void wake_helpers(int cores) {
#ifdef DP_CLUSTER_DMA
  DP_DMA_REG(DP_DMA_WAKE_NOW) = ((1u << cores) - 1u) & ~1u;
#else
  _Static_assert(DP_MAX_HARTS == 8, "wake_helpers names harts 1..7");
  volatile uint32_t *const msip = DP_CLINT_MSIP;
  switch (cores) {
    case 8: msip[7] = 1u; __attribute__((fallthrough));
    case 7: msip[6] = 1u; __attribute__((fallthrough));
    case 6: msip[5] = 1u; __attribute__((fallthrough));
    case 5: msip[4] = 1u; __attribute__((fallthrough));
    case 4: msip[3] = 1u; __attribute__((fallthrough));
    case 3: msip[2] = 1u; __attribute__((fallthrough));
    case 2: msip[1] = 1u; break;
    default: break;
  }
#endif
}

/* Publishes the job and wakes harts 1..; the generation goes up after the job's fields (fence). */
static inline void fork_helpers(dp_job_fn fn, void *arg, int jobs, int cores) {
  job_fn = fn;
  job_arg = arg;
  job_count = jobs;
  __sync_synchronize();
  job_generation = job_generation + 1u;
  wake_helpers(cores);
}

/* More or fewer jobs than harts: hart 0's share of them, then the join. */
static __attribute__((noinline)) void run_share_and_join(int cores) {
  run_share(cores - 1, cores);
  join_helpers();
}

void dp_parallel(dp_job_fn fn, void *arg, int jobs) {
  const int cores = cluster_cores;
  fork_helpers(fn, arg, jobs, cores);
  if (jobs != cores) {
    run_share_and_join(cores);
    return;
  }
  /* One job a hart, what the generated code asks for: hart 0 keeps nothing across its own. */
  fn(arg, cores - 1, jobs);
  join_helpers();
}
