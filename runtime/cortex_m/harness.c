/* Bare-metal Cortex-M test harness (QEMU mps2-an386 / mps3-an547, newlib with semihosting): runs the
 * generated network once on the raw files DP_IO_DIR/input_<i>.bin and writes
 * DP_IO_DIR/output_<i>.bin through the host. Test scaffolding only: it uses stdio and malloc (the heap
 * lies in the platform's stack level), the generated network itself does not.
 *
 * With -DDP_PROFILE the marks are counted by the QEMU plugin: the first two, back to back, measure
 * what a mark costs; then the run function's NETWORK_NUM_NODES + 1 marks follow. */
#include <stdio.h>
#include <stdlib.h>

#include "kernels/profile.h"
#include "network.h"

#ifndef DP_IO_DIR
#error "build with -DDP_IO_DIR=\"<directory of the input and output files>/\""
#endif

static void file_name(char *name, size_t size, const char *kind, int index) {
  snprintf(name, size, "%s%s_%d.bin", DP_IO_DIR, kind, index);
}

static void *read_input(int index, size_t bytes) {
  char name[512];
  void *buffer = malloc(bytes ? bytes : 1);
  FILE *f;
  file_name(name, sizeof name, "input", index);
  f = fopen(name, "rb");
  if (!buffer || !f || fread(buffer, 1, bytes, f) != bytes) {
    printf("cannot read %u bytes from %s\n", (unsigned)bytes, name);
    exit(2);
  }
  fclose(f);
  return buffer;
}

static void write_output(int index, const void *data, size_t bytes) {
  char name[512];
  FILE *f;
  file_name(name, sizeof name, "output", index);
  f = fopen(name, "wb");
  if (!f || fwrite(data, 1, bytes, f) != bytes || fclose(f) != 0) {
    printf("cannot write %s\n", name);
    exit(2);
  }
}

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
  for (i = 0; i < NETWORK_NUM_OUTPUTS; ++i) {
    outputs[i] = malloc(network_output_bytes[i] ? network_output_bytes[i] : 1);
    if (!outputs[i]) {
      printf("cannot allocate output %d\n", i);
      return 2;
    }
  }
  network_init();
#ifdef DP_PROFILE
  measure_mark_cost();
#endif
  network_run((const void *const *)inputs, outputs);
  for (i = 0; i < NETWORK_NUM_OUTPUTS; ++i) write_output(i, outputs[i], network_output_bytes[i]);
  return 0;
}
