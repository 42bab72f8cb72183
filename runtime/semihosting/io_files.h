/* The bare-metal test harnesses' file exchange with the host through semihosting stdio: inputs are
 * read from DP_IO_DIR/input_<i>.bin, outputs written to DP_IO_DIR/output_<i>.bin. Test scaffolding
 * only: it uses stdio and malloc, the generated network itself does not. Any failure exits with 2. */
#ifndef DP_SEMIHOSTING_IO_FILES_H
#define DP_SEMIHOSTING_IO_FILES_H

#include <stdio.h>
#include <stdlib.h>

#ifndef DP_IO_DIR
#error "build with -DDP_IO_DIR=\"<directory of the input and output files>/\""
#endif

static void file_name(char *name, size_t size, const char *kind, int index) {
  snprintf(name, size, "%s%s_%d.bin", DP_IO_DIR, kind, index);
}

static void *allocate(size_t bytes) {
  void *buffer = malloc(bytes ? bytes : 1);
  if (!buffer) {
    printf("cannot allocate %u bytes\n", (unsigned)bytes);
    exit(2);
  }
  return buffer;
}

static void *read_input(int index, size_t bytes) {
  char name[512];
  void *buffer = allocate(bytes);
  FILE *f;
  file_name(name, sizeof name, "input", index);
  f = fopen(name, "rb");
  if (!f || fread(buffer, 1, bytes, f) != bytes) {
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

#endif
