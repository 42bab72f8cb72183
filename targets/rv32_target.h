// The bare-metal RV32 targets: generated C built with picolibc for QEMU's `virt` machine, run under
// qemu-system-riscv32 with semihosting for files and the exit status. Two machines: rv32 (rv32imac,
// riscv64-unknown-elf-gcc, Debian's QEMU, the cores copy for the DMA) and a platform with a RISC-V
// machine section (siracusa: clang-19 with the CORE-V extensions, the platform's levels at their
// addresses, the cluster DMA device, deeploy's patched QEMU from emulator/).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "targets/instruction_profile.h"
#include "targets/platform.h"

namespace deeploy {

struct Rv32BuildOptions {
  bool floatUnit = false;  // rv32imafc (ilp32f) instead of rv32imac (ilp32)
  bool profile = false;    // count retired instructions per node (run under -icount shift=0)
  int cores = 1;           // harts of the cluster (QEMU -smp), 1 to 8
  std::string harness;     // the C file with main(); empty: runtime/rv32/harness.c
  // The platform of the machine to build for (one with a RISC-V machine section, e.g. siracusa); nullptr:
  // the stock rv32 virt machine.
  const Platform* machine = nullptr;
};

// The patched QEMU that executes the CORE-V extensions and has the cluster DMA (built by scripts/setup).
std::string xpulpQemuPath();

// The linker script of a program for the platform's RV32 machine: code and system data in its code and
// system regions, each level's arrays (tagged by codegen's levelSection) at the level's address, and the
// symbols picolibc's start-up code reads.
std::string rv32MachineLinkerScript(const Platform& platform);

// True when the network computes with floats (it then needs the rv32imafc variant).
bool needsFloatUnit(const Graph& graph);

// Compiles `dir`/network.c with the RV32 harness and the kernel library (objects cached) into
// `dir`/network_rv32.elf and returns its path. Throws Error with the compiler's output.
std::string buildRv32Program(const std::string& dir, const Rv32BuildOptions& options);

// The QEMU command line running `elf` on `cores` harts; with countInstructions, minstret counts exactly.
std::vector<std::string> qemuCommand(const std::string& elf, int cores, bool countInstructions,
                                     const Platform* machine = nullptr);

// Runs the program under QEMU on typed inputs (graph-input order) and returns the outputs.
// Runs on `cores` harts (as built); `profile` (for programs built with profiling) receives the
// retired instructions per node and hart, counted by minstret under QEMU's exact instruction count,
// excluding the instructions harts spend waiting for each other.
std::vector<TensorData> runRv32Program(const std::string& elf, const Graph& graph, const std::vector<TensorData>& inputs,
                                       double timeoutSeconds, int cores = 1, InstructionProfile* profile = nullptr,
                                       const Platform* machine = nullptr);

}  // namespace deeploy
