/* The profiling marker of the Cortex-M targets. The generated run function calls it at every node
 * boundary (kernels/profile.h); it does nothing itself: the QEMU plugin in tools/qemu_icount watches
 * its address and records the running count of executed instructions at every call. noipa keeps each
 * call a real call, whatever the optimizer knows about the empty body. */
void dp_profile_mark(int node);

__attribute__((noipa)) void dp_profile_mark(int node) { (void)node; }
