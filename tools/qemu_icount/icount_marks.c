/* A QEMU TCG plugin that counts executed guest instructions and records the running count each time
 * the guest reaches a marker address (deeploy's dp_profile_mark on Cortex-M).
 *
 *   qemu-system-arm ... -plugin libdeeploy_icount.so,marker=0x1234,out=marks.txt
 *
 * writes one line per execution of the instruction at `marker`: the number of guest instructions
 * executed before it, counting every instruction of the translation block that contains it. Every
 * mark is counted the same way, so differences between marks are exact instruction counts.
 *
 * Why a plugin: QEMU's M-profile DWT cycle counter reads 0, and timing with -icount and SysTick only
 * resolves whole timer ticks (the 24-bit SysTick counts in units of 2^shift instructions and its
 * interrupts perturb the program); the plugin adds one counter increment per translation block and
 * gives the exact count at every mark. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qemu_plugin_api.h"

DP_PLUGIN_EXPORT int qemu_plugin_version = DP_PLUGIN_API_VERSION;

static uint64_t executed;       /* guest instructions so far (blocks add their length on entry) */
static uint64_t marker_address; /* Thumb bit cleared */
static FILE *marks;

static void on_marker(unsigned int vcpu_index, void *userdata) {
  (void)vcpu_index;
  (void)userdata;
  /* Flushed at once: a reader may follow the file while the guest runs. */
  fprintf(marks, "%" PRIu64 "\n", executed);
  fflush(marks);
}

static void on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb) {
  size_t n = qemu_plugin_tb_n_insns(tb), i;
  (void)id;
  qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64, &executed, n);
  for (i = 0; i < n; ++i) {
    struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
    if (qemu_plugin_insn_vaddr(insn) == marker_address) {
      qemu_plugin_register_vcpu_insn_exec_cb(insn, on_marker, QEMU_PLUGIN_CB_NO_REGS, NULL);
    }
  }
}

static void on_qemu_exit(qemu_plugin_id_t id, void *userdata) {
  (void)id;
  (void)userdata;
  fclose(marks);
}

/* The value of argument `key=value`, or NULL. */
static const char *argument(int argc, char **argv, const char *key) {
  size_t length = strlen(key);
  int i;
  for (i = 0; i < argc; ++i) {
    if (strncmp(argv[i], key, length) == 0 && argv[i][length] == '=') return argv[i] + length + 1;
  }
  return NULL;
}

DP_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc, char **argv) {
  const char *marker = argument(argc, argv, "marker"), *out = argument(argc, argv, "out");
  char *end = NULL;
  (void)info;
  if (!marker || !out) {
    fprintf(stderr, "deeploy icount plugin: give marker=<address> and out=<file>\n");
    return 1;
  }
  marker_address = strtoull(marker, &end, 0) & ~(uint64_t)1;
  if (*end != '\0') {
    fprintf(stderr, "deeploy icount plugin: bad marker address '%s'\n", marker);
    return 1;
  }
  marks = fopen(out, "w");
  if (!marks) {
    fprintf(stderr, "deeploy icount plugin: cannot write '%s'\n", out);
    return 1;
  }
  qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
  qemu_plugin_register_atexit_cb(id, on_qemu_exit, NULL);
  return 0;
}
