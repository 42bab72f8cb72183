/* Fork/join over the harts of the RV32 cluster. Hart 0 runs the program; the others serve jobs. */
#ifndef DP_CLUSTER_H
#define DP_CLUSTER_H

#include <stdint.h>

#define DP_MAX_HARTS 8

/* A job: every hart of the cluster calls fn(arg, core, cores) once. */
typedef void (*dp_job_fn)(void *arg, int core, int cores);

/* Releases harts 1 .. cores-1 (they must exist: QEMU -smp >= cores); call once, on hart 0. */
void dp_cluster_start(int cores);
int dp_cluster_cores(void);
/* Runs `fn` on every hart, hart 0 included, and returns when all have finished. */
void dp_parallel(dp_job_fn fn, void *arg);

#endif
