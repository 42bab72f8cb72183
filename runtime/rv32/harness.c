/* Bare-metal RV32 test harness (QEMU virt, picolibc with semihosting): runs the generated network once
 * on the raw files DP_IO_DIR/input_<i>.bin and writes DP_IO_DIR/output_<i>.bin through the host.
 * Test scaffolding only: it uses stdio and malloc, the generated network itself does not. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "cluster.h"
#include "network.h"
#ifdef DP_CLUSTER_DMA
#include "siracusa/dma_device.h"
#include "siracusa/npu_device.h"
#endif
#include "semihosting/io_files.h"

#ifndef DP_CORES
#error "build with -DDP_CORES=<harts of the cluster>"
#endif

#ifdef DP_PROFILE
/* Per node and hart, instructions of real work: hart 0's own minus its waiting at joins and minus the
 * marks themselves; the other harts' instructions inside jobs. */
#define DP_MARKS (NETWORK_NUM_NODES + 3) /* the run's marks and two for measuring a mark */
static uint64_t dp_mark_hart0[DP_MARKS];
static uint32_t dp_mark_wait[DP_MARKS], dp_mark_jobs[DP_MARKS][DP_MAX_HARTS]; /* sums modulo 2^32 (cluster.h) */
static uint64_t dp_mark_cost;
#ifdef DP_CLUSTER_DMA
/* The cluster DMA's and the NPU's modelled cycles of the transfers and tasks started so far and hart 0's
 * modelled cycles asleep waiting for them (models, printed apart from the instructions). */
static uint64_t dp_mark_dma[DP_MARKS], dp_mark_dma_wait[DP_MARKS], dp_mark_npu[DP_MARKS], dp_mark_npu_wait[DP_MARKS];
/* The same as the instruction marks for the timing model's stall cycles (sums modulo 2^32). */
static uint32_t dp_mark_stall_hart0[DP_MARKS], dp_mark_stall_wait[DP_MARKS], dp_mark_stall_jobs[DP_MARKS][DP_MAX_HARTS];
static uint32_t dp_mark_stall_cost;
#endif

/* Out of line everywhere, so that measure_mark_cost times the very code the run function calls. */
__attribute__((noinline)) void dp_profile_mark(int node) {
  int h;
#ifdef DP_CLUSTER_DMA
  dp_mark_dma[node] = dp_dma_modelled_cycles();
  dp_mark_dma_wait[node] = dp_dma_stall_cycles();
  dp_mark_npu[node] = dp_npu_modelled_cycles();
  dp_mark_npu_wait[node] = dp_npu_stall_cycles();
  dp_mark_stall_hart0[node] = dp_read_stalls();
  dp_mark_stall_wait[node] = dp_join_wait_stalls;
  for (h = 0; h < DP_MAX_HARTS; ++h) dp_mark_stall_jobs[node][h] = dp_job_stalls[h];
#endif
  dp_mark_hart0[node] = dp_read_instret();
  dp_mark_wait[node] = dp_join_wait_instret;
  for (h = 0; h < DP_MAX_HARTS; ++h) dp_mark_jobs[node][h] = dp_job_instret[h];
}

/* Hart 0's instructions between the counter reads of two back-to-back marks, called as the run
 * function calls them: what every node's count includes besides the node. */
static void measure_mark_cost(void) {
  dp_profile_mark(NETWORK_NUM_NODES + 1);
  dp_profile_mark(NETWORK_NUM_NODES + 2);
  dp_mark_cost = dp_mark_hart0[NETWORK_NUM_NODES + 2] - dp_mark_hart0[NETWORK_NUM_NODES + 1];
#ifdef DP_CLUSTER_DMA
  dp_mark_stall_cost = dp_mark_stall_hart0[NETWORK_NUM_NODES + 2] - dp_mark_stall_hart0[NETWORK_NUM_NODES + 1];
#endif
}

static uint64_t hart0_work(int n) {
  const uint64_t elapsed = (dp_mark_hart0[n + 1] - dp_mark_hart0[n]) - (uint32_t)(dp_mark_wait[n + 1] - dp_mark_wait[n]);
  return elapsed > dp_mark_cost ? elapsed - dp_mark_cost : 0;
}

#ifdef DP_CLUSTER_DMA
/* "DP_STALL node <k> <hart 0> ...": the timing model's stall cycles of the same work the DP_PROFILE lines
 * count (a model, not a count). */
static void print_stalls(void) {
  int n, h;
  for (n = 0; n < NETWORK_NUM_NODES; ++n) {
    printf("DP_STALL node %d", n);
    for (h = 0; h < DP_CORES; ++h) {
      uint32_t stalls = dp_mark_stall_jobs[n + 1][h] - dp_mark_stall_jobs[n][h];
      if (h == 0) {
        const uint32_t own = (dp_mark_stall_hart0[n + 1] - dp_mark_stall_hart0[n]) - (dp_mark_stall_wait[n + 1] - dp_mark_stall_wait[n]);
        stalls = own > dp_mark_stall_cost ? own - dp_mark_stall_cost : 0;
      }
      printf(" %lu", (unsigned long)stalls);
    }
    printf("\n");
  }
}
#endif

static void print_profile(void) {
  uint64_t total[DP_CORES] = {0};
  int n, h;
  for (n = 0; n < NETWORK_NUM_NODES; ++n) {
    printf("DP_PROFILE node %d", n);
    for (h = 0; h < DP_CORES; ++h) {
      uint64_t work = h == 0 ? hart0_work(n) : (uint32_t)(dp_mark_jobs[n + 1][h] - dp_mark_jobs[n][h]);
      total[h] += work;
      printf(" %lu", (unsigned long)work);
    }
    printf("\n");
  }
  printf("DP_PROFILE total");
  for (h = 0; h < DP_CORES; ++h) printf(" %lu", (unsigned long)total[h]);
  printf("\n");
#ifdef DP_CLUSTER_DMA
  print_stalls();
  for (n = 0; n < NETWORK_NUM_NODES; ++n) {
    printf("DP_DMA node %d %lu %lu\n", n, (unsigned long)(dp_mark_dma[n + 1] - dp_mark_dma[n]),
           (unsigned long)(dp_mark_dma_wait[n + 1] - dp_mark_dma_wait[n]));
  }
  printf("DP_DMA total %lu %lu\n", (unsigned long)(dp_mark_dma[NETWORK_NUM_NODES] - dp_mark_dma[0]),
         (unsigned long)dp_dma_bytes());
  for (n = 0; n < NETWORK_NUM_NODES; ++n) {
    printf("DP_NPU node %d %lu %lu\n", n, (unsigned long)(dp_mark_npu[n + 1] - dp_mark_npu[n]),
           (unsigned long)(dp_mark_npu_wait[n + 1] - dp_mark_npu_wait[n]));
  }
  printf("DP_NPU total %lu %lu\n", (unsigned long)(dp_mark_npu[NETWORK_NUM_NODES] - dp_mark_npu[0]),
         (unsigned long)dp_npu_macs());
#endif
}
#endif

int main(void) {
  void *inputs[NETWORK_NUM_INPUTS + 1];
  void *outputs[NETWORK_NUM_OUTPUTS + 1];
  int i;
  dp_cluster_start(DP_CORES);
  for (i = 0; i < NETWORK_NUM_INPUTS; ++i) inputs[i] = read_input(i, network_input_bytes[i]);
  for (i = 0; i < NETWORK_NUM_OUTPUTS; ++i) outputs[i] = allocate(network_output_bytes[i]);
  network_init();
#ifdef DP_PROFILE
  measure_mark_cost();
#endif
  network_run((const void *const *)inputs, outputs);
#ifdef DP_PROFILE
  print_profile();
#endif
  for (i = 0; i < NETWORK_NUM_OUTPUTS; ++i) write_output(i, outputs[i], network_output_bytes[i]);
  return 0;
}
