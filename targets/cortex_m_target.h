// The bare-metal Arm Cortex-M targets (cortex-m4 on QEMU's mps2-an386, cortex-m55 on mps3-an547):
// generated C built with arm-none-eabi-gcc and newlib (semihosting for files and the exit status),
// linked by a script generated from the platform's memory levels, run under qemu-system-arm. The
// platform file (targets/cortex-m4.json, cortex-m55.json) describes the board: its regions, the
// compiler's CPU flags and the QEMU machine (Platform::machine).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "targets/instruction_profile.h"
#include "targets/platform.h"

namespace deeploy {

struct CortexMBuildOptions {
  bool profile = false;  // the run function marks every node boundary (-DDP_PROFILE)
  std::string harness;   // the C file with main(); empty: runtime/cortex_m/harness.c
  bool genericKernels = false;  // -DDP_GENERIC_KERNELS: the generic C kernels, no Arm ones (matmul_arm.h)
};

// The linker script of a program for `platform` (which must have a machine): the vector table at the
// boot address, code in the machine's code level, constants in the weight level, data, the arena and
// the KV caches in the activation level, heap and stack in the stack level; each region as large as
// its level, so the linker fails a program that does not fit.
std::string cortexMLinkerScript(const Platform& platform);

// Compiles `dir`/network.c with the harness, the start-up code and the kernel library (objects
// cached) into `dir`/network_cortex_m.elf and returns its path. Throws Error with the compiler's or
// linker's output.
std::string buildCortexMProgram(const std::string& dir, const Platform& platform, const CortexMBuildOptions& options);

// The QEMU command running `elf` on the platform's board. With `marksFile`, the instruction-counting
// plugin (tools/qemu_icount) writes there one line per call of dp_profile_mark: the number of guest
// instructions executed before that call.
std::vector<std::string> cortexMQemuCommand(const std::string& elf, const Platform& platform,
                                            const std::string& marksFile = "");

// The running instruction counts the plugin wrote, one per mark in call order.
std::vector<uint64_t> readInstructionMarks(const std::string& marksFile);

// Instructions executed between consecutive marks, excluding the marks' own instructions: `marks`
// starts with two back-to-back calibration marks (what one mark costs); each later pair of
// neighbouring marks brackets one interval (a node of the network, or a token of a generation loop).
std::vector<uint64_t> instructionsBetweenMarks(const std::vector<uint64_t>& marks);

// Runs the program under QEMU on typed inputs (graph-input order) and returns the outputs. `profile`
// (for programs built with profiling) receives the instructions each node executed.
std::vector<TensorData> runCortexMProgram(const std::string& elf, const Platform& platform, const Graph& graph,
                                          const std::vector<TensorData>& inputs, double timeoutSeconds,
                                          InstructionProfile* profile = nullptr);

}  // namespace deeploy
