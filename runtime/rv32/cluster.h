/* Fork/join over the harts of the RV32 cluster. Hart 0 runs the program; the others serve jobs. */
#ifndef DP_CLUSTER_H
#define DP_CLUSTER_H

#include <stdint.h>

#include "kernels/parallel.h"

#define DP_MAX_HARTS 8

/* Releases harts 1 .. cores-1 (they must exist: QEMU -smp >= cores); call once, on hart 0. */
void dp_cluster_start(int cores);
int dp_cluster_cores(void);
/* Retired instructions of the calling hart (exact under QEMU -icount shift=0). */
uint64_t dp_read_instret(void);
/* Instructions harts 1.. have retired inside jobs, and hart 0 while waiting for the others at joins:
 * the profile's per-hart work excludes waiting. Both are sums modulo 2^32 (one word to update at every
 * job): readers take their differences in 32 bits, over spans (a node, a step) of far fewer instructions. */
extern volatile uint32_t dp_job_instret[DP_MAX_HARTS];
extern volatile uint32_t dp_join_wait_instret;
#ifdef DP_CLUSTER_DMA
/* deeploy's QEMU only: the cycles its CV32E40P timing model (emulator/README.md) stalled the calling hart,
 * low word, and the same two sums as above for them; instructions plus stalls estimate cycles. */
uint32_t dp_read_stalls(void);
extern volatile uint32_t dp_job_stalls[DP_MAX_HARTS];
extern volatile uint32_t dp_join_wait_stalls;
#endif

/* dp_parallel (kernels/parallel.h): job k runs on hart (k + 1) mod cores, so hart 0, which also forks and
 * joins, takes the last and smallest part of a split node; it returns when all jobs have finished. */

#endif
