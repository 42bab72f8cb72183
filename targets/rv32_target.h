// The bare-metal RV32 target: generated C built with riscv64-unknown-elf-gcc and picolibc for QEMU's
// `virt` machine, run under qemu-system-riscv32 with semihosting for files and the exit status.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "targets/instruction_profile.h"

namespace deeploy {

struct Rv32BuildOptions {
  bool floatUnit = false;  // rv32imafc (ilp32f) instead of rv32imac (ilp32)
  bool profile = false;    // count retired instructions per node (run under -icount shift=0)
  int cores = 1;           // harts of the cluster (QEMU -smp), 1 to 8
  std::string harness;     // the C file with main(); empty: runtime/rv32/harness.c
};

// True when the network computes with floats (it then needs the rv32imafc variant).
bool needsFloatUnit(const Graph& graph);

// Compiles `dir`/network.c with the RV32 harness and the kernel library (objects cached) into
// `dir`/network_rv32.elf and returns its path. Throws Error with the compiler's output.
std::string buildRv32Program(const std::string& dir, const Rv32BuildOptions& options);

// The QEMU command line running `elf` on `cores` harts; with countInstructions, minstret counts exactly.
std::vector<std::string> qemuCommand(const std::string& elf, int cores, bool countInstructions);

// Runs the program under QEMU on typed inputs (graph-input order) and returns the outputs.
// Runs on `cores` harts (as built); `profile` (for programs built with profiling) receives the
// retired instructions per node and hart, counted by minstret under QEMU's exact instruction count,
// excluding the instructions harts spend waiting for each other.
std::vector<TensorData> runRv32Program(const std::string& elf, const Graph& graph, const std::vector<TensorData>& inputs,
                                       double timeoutSeconds, int cores = 1, InstructionProfile* profile = nullptr);

}  // namespace deeploy
