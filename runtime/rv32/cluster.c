/* Fork/join: hart 0 publishes a job and bumps a generation counter; the released harts spin on it,
 * run the job and count themselves done. The stacks of harts 1.. are here; entry.S points them in. */
#include "cluster.h"

#ifndef DP_STACK_BYTES
#error "build with -DDP_STACK_BYTES=<stack bytes per hart> (entry.S uses the same value)"
#endif

uint8_t dp_hart_stacks[DP_MAX_HARTS - 1][DP_STACK_BYTES] __attribute__((aligned(16)));
volatile uint32_t dp_cluster_released;

static dp_job_fn volatile job_fn;
static void *volatile job_arg;
static volatile uint32_t job_generation;
static volatile uint32_t jobs_done;
static volatile int cluster_cores = 1;

void dp_worker_main(int hart);

void dp_worker_main(int hart) {
  uint32_t seen = 0;
  for (;;) {
    while (job_generation == seen) {
    }
    seen = job_generation;
    __sync_synchronize();
    job_fn(job_arg, hart, cluster_cores);
    __atomic_fetch_add(&jobs_done, 1u, __ATOMIC_SEQ_CST);
  }
}

void dp_cluster_start(int cores) {
  cluster_cores = cores < 1 ? 1 : cores > DP_MAX_HARTS ? DP_MAX_HARTS : cores;
  __sync_synchronize();
  dp_cluster_released = 1;
}

int dp_cluster_cores(void) { return cluster_cores; }

void dp_parallel(dp_job_fn fn, void *arg) {
  const uint32_t helpers = (uint32_t)cluster_cores - 1u;
  job_fn = fn;
  job_arg = arg;
  jobs_done = 0;
  __sync_synchronize();
  job_generation = job_generation + 1u;
  fn(arg, 0, cluster_cores);
  while (jobs_done != helpers) {
  }
  __sync_synchronize();
}
