/* Bare-metal Cortex-M test harness (QEMU mps2-an386 / mps3-an547, newlib with semihosting): runs the
 * generated network once on the raw files DP_IO_DIR/input_<i>.bin and writes
 * DP_IO_DIR/output_<i>.bin through the host. Test scaffolding only: it uses stdio and malloc (the heap
 * lies in the platform's stack level), the generated network itself does not.
 *
 * With -DDP_PROFILE the marks are counted by the QEMU plugin: the first two, back to back, measure
 * what a mark costs; then the run function's NETWORK_NUM_NODES + 1 marks follow. */

#include "kernels/profile.h"
#include "network.h"
#include "semihosting/io_files.h"

#ifdef DP_PROFILE
/* Two marks called as the run function calls them: the instructions between them are what every
 * node's interval holds besides the node. */
static __attribute__((noinline)) void measure_mark_cost(void) {
  dp_profile_mark(NETWORK_NUM_NODES + 1);
  dp_profile_mark(NETWORK_NUM_NODES + 2);
}
#endif

int main(void) {
  void *inputs[NETWORK_NUM_INPUTS + 1];
  void *outputs[NETWORK_NUM_OUTPUTS + 1];
  int i;
  for (i = 0; i < NETWORK_NUM_INPUTS; ++i) inputs[i] = read_input(i, network_input_bytes[i]);
  for (i = 0; i < NETWORK_NUM_OUTPUTS; ++i) outputs[i] = allocate(network_output_bytes[i]);
  network_init();
#ifdef DP_PROFILE
  measure_mark_cost();
#endif
  network_run((const void *const *)inputs, outputs);
  for (i = 0; i < NETWORK_NUM_OUTPUTS; ++i) write_output(i, outputs[i], network_output_bytes[i]);
  return 0;
}
