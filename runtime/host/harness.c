/* Host test harness: runs the generated network once on raw binary files.
 * Usage: network_host IN_0 ... IN_n-1 OUT_0 ... OUT_m-1
 * Test scaffolding only: it uses stdio and malloc, the generated network itself does not. */
#include <stdio.h>
#include <stdlib.h>

#include "network.h"

static void *read_file(const char *path, size_t bytes) {
  void *buffer = malloc(bytes ? bytes : 1);
  FILE *f = fopen(path, "rb");
  if (!buffer || !f || fread(buffer, 1, bytes, f) != bytes) {
    fprintf(stderr, "cannot read %zu bytes from %s\n", bytes, path);
    exit(2);
  }
  fclose(f);
  return buffer;
}

static void write_file(const char *path, const void *data, size_t bytes) {
  FILE *f = fopen(path, "wb");
  if (!f || fwrite(data, 1, bytes, f) != bytes || fclose(f) != 0) {
    fprintf(stderr, "cannot write %s\n", path);
    exit(2);
  }
}

int main(int argc, char **argv) {
  void *inputs[NETWORK_NUM_INPUTS + 1];
  void *outputs[NETWORK_NUM_OUTPUTS + 1];
  int i;
  if (argc != 1 + NETWORK_NUM_INPUTS + NETWORK_NUM_OUTPUTS) {
    fprintf(stderr, "usage: %s %d input files then %d output files\n", argv[0], NETWORK_NUM_INPUTS, NETWORK_NUM_OUTPUTS);
    return 2;
  }
  for (i = 0; i < NETWORK_NUM_INPUTS; ++i) inputs[i] = read_file(argv[1 + i], network_input_bytes[i]);
  for (i = 0; i < NETWORK_NUM_OUTPUTS; ++i) outputs[i] = malloc(network_output_bytes[i] ? network_output_bytes[i] : 1);
  network_init();
  network_run((const void *const *)inputs, outputs);
  for (i = 0; i < NETWORK_NUM_OUTPUTS; ++i) write_file(argv[1 + NETWORK_NUM_INPUTS + i], outputs[i], network_output_bytes[i]);
  for (i = 0; i < NETWORK_NUM_INPUTS; ++i) free(inputs[i]);
  for (i = 0; i < NETWORK_NUM_OUTPUTS; ++i) free(outputs[i]);
  return 0;
}
