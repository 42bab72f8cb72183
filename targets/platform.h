// A target platform described by data (targets/<name>.json): its memory levels with their sizes and
// the DMA links between neighbouring levels, its compute engines and the level each computes from,
// and where weights, activations and I/O live by default.
#pragma once

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

#include "tiling/tiling_target.h"

namespace deeploy {

// A DMA path from one level to a neighbour. Links are directed: a read-only level (flash, MRAM
// weights) lists the levels it feeds, and nothing lists it as a destination.
struct DmaLink {
  std::string level;         // the destination level
  double bytesPerCycle = 0;  // DMA bandwidth of transfers along this link
};

struct MemoryLevel {
  std::string name;
  std::string description;
  uint64_t sizeBytes = 0;
  std::vector<DmaLink> neighbours;  // levels this level's data can be moved to
  // Where the level's region starts in the address map of a real board (platforms with a machine).
  std::optional<uint64_t> baseAddress;
};

// A range of a machine's address map that is not one of the platform's memory levels.
struct AddressRegion {
  uint64_t baseAddress = 0;
  uint64_t sizeBytes = 0;
};

// How bare-metal programs for the platform are built and run (the Cortex-M and Siracusa targets): the
// board QEMU emulates, the compiler's CPU flags, where the core boots, and where what the network does
// not hold lives (code, the C library's data, stacks and heap): in levels of the platform (code_level,
// stack_level) or in regions of the address map outside them (code_region, system_region). The linker
// script is generated from this and the levels' regions.
struct MachineDescription {
  std::string qemuMachine;                 // qemu-system-<arch> -M <qemuMachine>
  std::string qemuCpu;                     // -cpu <qemuCpu>, when the machine's default CPU is not the one
  std::vector<std::string> compilerFlags;  // ISA, FPU and float ABI for the target's C compiler
  std::vector<std::string> floatCompilerFlags;  // instead of compilerFlags for networks computing with floats
  uint64_t bootAddress = 0;                // where the core reads its vector table or first instruction at reset
  std::string codeLevel;                   // code and the C library's read-only data (or codeRegion)
  std::string stackLevel;                  // the stack and the heap of the test harness (or systemRegion)
  std::optional<AddressRegion> codeRegion;    // code, the C library's constants and the initial data
  std::optional<AddressRegion> systemRegion;  // the C library's and the harness's data, stacks and heap
  uint64_t dmaSetupCycles = 0;             // modelled cost of programming one DMA transfer
};

// What the engine mapping pass estimates a node costs on the cores: cycles per int8 multiply-accumulate on
// one core plus a fixed cost per node and core (kernel set-up, fork/join). Estimates, with their source.
struct CoreCostModel {
  double int8MacCycles = 0;
  double nodeCycles = 0;
  std::string source;
};

// An N-EUREKA-class NPU (emulator/NPU.md): the parameters of its timing model, which the emulated device
// runs on and the engine mapping pass estimates with, and the level only it reads weights from.
struct NpuModel {
  uint64_t setupCycles = 0;
  uint64_t stepCycles1x1 = 1, stepCycles3x3 = 1, stepCyclesDepthwise = 1;  // per step and weight bit
  double streamBytesPerCycle = 1;  // activations in and out
  double weightBytesPerCycle = 1;  // weights from any level but the weight memory
  std::string weightMemory;        // the level of weights only the NPU reads (empty: none)
  double weightMemoryBytesPerCycle = 1;
  std::string source;
};

struct ComputeEngine {
  std::string name;
  int cores = 1;
  std::vector<std::string> isaFeatures;
  std::string computesFrom;  // the memory level its kernels read and write
  std::optional<CoreCostModel> costModel;  // cores: what the engine mapping pass estimates with
  std::optional<NpuModel> npu;             // set: the engine is an NPU, not cores
};

// What turns the estimated cycles of a run into time and energy, per engine: the clock, the average power
// the chip draws while its cores run a network (cores, memories, DMA: no finer split is published), and the
// energy of each multiply-accumulate the NPU computes, with their sources.
struct EnergyModel {
  double clockHz = 0;
  double powerMilliwatts = 0;
  double npuPicojoulesPerMac = 0;
  std::string source;

  double seconds(uint64_t cycles) const { return static_cast<double>(cycles) / clockHz; }
  double microjoules(uint64_t cycles, uint64_t npuMacs) const {
    return seconds(cycles) * powerMilliwatts * 1e3 + static_cast<double>(npuMacs) * npuPicojoulesPerMac * 1e-6;
  }
  // "340 MHz, 166.6 mW and 0.226 pJ per NPU MAC": the model's figures, as reports name them.
  std::string figures() const;
};

// Which nodes the NPU runs (--npu): none; those the cost model gives it (the default); every one it can run.
enum class NpuPolicy { Off, Auto, All };

struct Platform {
  std::string name;
  std::string description;
  std::string source;  // where the figures come from
  std::vector<MemoryLevel> levels;
  std::vector<ComputeEngine> engines;
  std::string weightLevel;      // default level of constants
  std::string activationLevel;  // default level of the activation arena
  std::string ioLevel;          // default level of network inputs and outputs
  uint64_t alignment = 8;       // of every buffer in the arena
  std::optional<MachineDescription> machine;  // for platforms of a real board (bare-metal targets)
  std::optional<EnergyModel> energy;           // for platforms whose runs estimate cycles
  // "int16_weights": constant int8 weights of NT products stored widened to int16 (KernelChoices).
  bool int16Weights = false;
  NpuPolicy npuPolicy = NpuPolicy::Off;  // a choice of the command line (resolvePlatform), not of the file
  std::vector<std::string> npuNodes;     // likewise: nodes the NPU runs whatever the policy (--npu-node)

  // nullptr when the platform has no level of that name.
  const MemoryLevel* findLevel(const std::string& levelName) const;
  // The engine with an NPU model (nullptr: none).
  const ComputeEngine* npuEngine() const;
  // Throws Error naming the platform when the level does not exist.
  const MemoryLevel& level(const std::string& levelName) const;
  size_t levelIndex(const std::string& levelName) const;
};

// A bandwidth as the emulated devices' registers hold it: bytes per cycle x 256, rounded, at least 1 (the
// devices count 0 as 1), so that the compiler's models and the devices time alike.
uint32_t bytesPerCycleQ8(double bytesPerCycle);

// Sizes above this are treated as typos (1 TiB; also the size of the host's one level).
constexpr uint64_t kMaxLevelBytes = uint64_t{1} << 40;
// Machines have a 32-bit address space: every region ends at or below this.
constexpr uint64_t kAddressSpaceBytes = uint64_t{1} << 32;

// Parses and validates a platform description; `origin` (a path) prefixes error messages.
Platform parsePlatform(const nlohmann::json& description, const std::string& origin);
// Reads and validates a platform file. Throws Error naming the file and the problem.
Platform loadPlatform(const std::string& path);
// Where the shipped platform files live (targets/ of the source tree, or DEEPLOY_PLATFORM_DIR).
std::string platformDir();
// The shipped platform `name` (platformDir()/<name>.json).
Platform builtinPlatform(const std::string& name);
// A path to a platform file (it exists or ends in .json) or the name of a shipped platform.
Platform platformFromArgument(const std::string& fileOrName);
// The host platform, loaded once.
const Platform& hostPlatform();

// What tiling needs of the platform: the level its (first) engine computes from, its size and the
// DMA bandwidths into it. nullopt when that engine computes where activations live (nothing to tile).
// Throws Error when the platform has no DMA link from the activation or weight level to it.
std::optional<TilingTarget> tilingTargetOf(const Platform& platform);

// Replaces the size of level `levelName` (the --l1/--l2 overrides). Throws Error when the platform
// has no such level or the size is not in [1, kMaxLevelBytes].
void overrideLevelSize(Platform& platform, const std::string& levelName, int64_t bytes);

}  // namespace deeploy
