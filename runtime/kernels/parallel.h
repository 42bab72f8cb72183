/* Fork/join of the generated code: dp_parallel(fn, arg, jobs) calls fn(arg, k, jobs) once for every
 * k in [0, jobs) and returns when all calls have finished. The kernel library's definition runs them
 * in turn on the calling core; a target with a cluster (rv32) spreads them over its cores. */
#ifndef DP_PARALLEL_H
#define DP_PARALLEL_H

typedef void (*dp_job_fn)(void *arg, int job, int jobs);

void dp_parallel(dp_job_fn fn, void *arg, int jobs);

#endif
