/* The sequential fork/join: weak, so a cluster runtime's definition replaces it. */
#include "kernels/parallel.h"

__attribute__((weak)) void dp_parallel(dp_job_fn fn, void *arg, int jobs) {
  int k;
  for (k = 0; k < jobs; ++k) fn(arg, k, jobs);
}
