/* Per-layer profiling hooks of the generated run function. DP_PROFILE_MARK(k) comes before node k
 * and DP_PROFILE_MARK(NETWORK_NUM_NODES) after the last; they compile to nothing unless the program
 * is built with -DDP_PROFILE and provides dp_profile_mark (the rv32 harness reads minstret). */
#ifndef DP_PROFILE_H
#define DP_PROFILE_H

#ifdef DP_PROFILE
void dp_profile_mark(int node);
#define DP_PROFILE_MARK(node) dp_profile_mark(node)
#else
#define DP_PROFILE_MARK(node) ((void)0)
#endif

#endif
