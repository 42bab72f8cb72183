// Building and running a generated program on a target named on the command line: host (the
// machine's C compiler), rv32 (bare metal on QEMU virt), cortex-m4 and cortex-m55 (bare metal on QEMU's
// mps2-an386 and mps3-an547). The one place that knows which target builds how.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "targets/instruction_profile.h"
#include "targets/platform.h"

namespace deeploy {

struct TargetRunOptions {
  int cores = 1;                       // rv32: harts of the cluster; host: jobs run in turn
  bool profile = false;                // count instructions per node (the bare-metal targets)
  std::vector<std::string> hostFlags;  // extra compiler flags of host builds (sanitizers)
  bool genericKernels = false;         // Cortex-M: the generic C kernels instead of the Arm ones (comparisons)
  double timeoutSeconds = 120;
};

// The target names the command line accepts.
const std::vector<std::string>& targetNames();

// The platform a target compiles for unless --platform names one: each Cortex-M target its board's
// platform file, the others the host platform.
std::string defaultPlatformOf(const std::string& target);

// Throws Error unless the target supports the options (the Cortex-M targets have one core; only
// the bare-metal targets count instructions; only the host sanitizes; only the Cortex-M targets have Arm
// kernels to leave out). Checked before compiling.
void checkTargetOptions(const std::string& target, const TargetRunOptions& options);

// Builds `dir`/network.c (already written) for the target and runs it on typed inputs (graph-input
// order); returns the outputs. With options.profile, `profile` receives the instructions per node.
std::vector<TensorData> buildAndRunOnTarget(const std::string& target, const std::string& dir, const Graph& graph,
                                            const Platform& platform, const std::vector<TensorData>& inputs,
                                            const TargetRunOptions& options, InstructionProfile* profile = nullptr);

// A program built for a target around a main() of the caller's (deeploy generate's loop).
struct TargetProgram {
  std::vector<std::string> command;  // runs it (QEMU counting instructions on the bare-metal targets)
  std::string elf;                   // bare-metal targets: the program, for its section sizes
  std::string sizeTool;              // binutils' `size` for the ELF
  std::string marksFile;             // Cortex-M: the instruction counts at each dp_profile_mark
};

// Builds `dir`/network.c with `harness` (empty: the target's test harness) for the target (rv32: `cores`
// harts, the float unit when `floatUnit`). Throws Error for options the target does not support.
TargetProgram buildProgramWithHarness(const std::string& target, const std::string& dir, const Platform& platform,
                                      const std::string& harness, int cores, bool floatUnit);

// The sections of a bare-metal program (binutils' size, Berkeley format). Flash holds what is loaded
// (code and constants in text, the initial values of data); RAM what is written (data and the zeroed bss:
// the arena, the KV caches). Stack and heap are not sections.
struct ElfSizes {
  uint64_t text = 0, data = 0, bss = 0;
  uint64_t flashBytes() const { return text + data; }
  uint64_t ramBytes() const { return data + bss; }
};
ElfSizes elfSizesOf(const TargetProgram& program);

}  // namespace deeploy
