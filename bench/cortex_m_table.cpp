// deeploy_cortex_m_table: generated programs on the Cortex-M targets (cortex-m4 on QEMU's mps2-an386,
// cortex-m55 on mps3-an547; instructions counted by the tools/qemu_icount plugin), printed as markdown
// tables, each program built with the Arm kernels (DSP on the M4, MVE on the M55; on the M4 with the
// weights stored as int8 and, the platform's default, widened to int16 at compile time) and with the
// generic C kernels (-DDP_GENERIC_KERNELS, int8 weights) for comparison:
//  (a) int8 products in instructions per multiply-accumulate: Gemm (A runtime, B constant, int32 out)
//      and the requantized RQMatMul (B constant, int8 out) of 64x64x64, 256x256x256 and the GEMV
//      1x256x256;
//  (b) the INT8 microLlama32 decode step: instructions per token;
//  (c) flash and RAM of the programs (ELF sections, Arm kernels) and the memory plan's use of each
//      level, for microLlama32 and for the fortunes decode step (models/fortunes/decode_255) compiled
//      over persistent KV caches of kContextTokens tokens.
// Every result is checked, the single nodes against the reference interpreter and the networks against
// their outputs.npz; a mismatch stops the program with an error (exit status 1).
//
// Usage: deeploy_cortex_m_table [MODEL.onnx]   (default microLlama32; inputs.npz and outputs.npz beside it)
#include <cinttypes>
#include <cstdio>
#include <string>
#include <vector>

#include "bench/table_support.h"
#include "ir/error.h"
#include "targets/host_target.h"
#include "targets/run_target.h"
#include "tools/work_dir.h"

namespace deeploy::bench {
namespace {

constexpr double kRunTimeoutSeconds = 600;
constexpr int64_t kContextTokens = 256;

// One column of the instruction tables: a target, its kernels and how its constant weights are stored.
struct KernelSetup {
  std::string target, label;
  bool genericKernels = false;
  bool int16Weights = false;

  std::string describe() const { return target + " " + label; }
  Platform platform() const {
    PlatformChoice choice;
    choice.int16Weights = int16Weights;
    return resolvePlatform(choice, target);
  }
};

const std::vector<KernelSetup>& kernelSetups() {
  static const std::vector<KernelSetup> setups = {
      {"cortex-m4", "generic", true, false},
      {"cortex-m4", "DSP", false, false},
      {"cortex-m4", "DSP int16 weights", false, true},
      {"cortex-m55", "generic", true, false},
      {"cortex-m55", "MVE", false, false},
  };
  return setups;
}

// ---- Running a compiled model ----

struct TargetRun {
  std::vector<TensorData> outputs;
  InstructionProfile profile;
};

TargetRun runOnTarget(const CompiledModel& model, const KernelSetup& setup, bool profile) {
  WorkDir dir(std::nullopt);
  writeNetworkSources(dir.path(), model.network);
  TargetRunOptions options;
  options.profile = profile;
  options.genericKernels = setup.genericKernels;
  options.timeoutSeconds = kRunTimeoutSeconds;
  TargetRun run;
  run.outputs = buildAndRunOnTarget(setup.target, dir.path(), model.graph, model.platform, model.inputs, options, &run.profile);
  return run;
}

// The instructions of a network's run with the setup, after checking its outputs.
uint64_t profileNetwork(const TestNetwork& network, const KernelSetup& setup) {
  const CompiledModel model = compileModel(network.onnx, network.inputs, setup.platform());
  const TargetRun run = runOnTarget(model, setup, true);
  requireExpectedOutputs(model.graph, run.outputs, network.outputs, network.onnx + " on " + setup.describe());
  return run.profile.busiestCore();
}

void printKernelColumnsHeader(const std::string& firstColumn) {
  std::printf("| %s |", firstColumn.c_str());
  for (const KernelSetup& setup : kernelSetups()) std::printf(" %s |", setup.describe().c_str());
  std::printf("\n|---|");
  for (size_t i = 0; i < kernelSetups().size(); ++i) std::printf("---:|");
  std::printf("\n");
}

// ---- (a) Single products ----

uint64_t profileProduct(const ProductCase& c, const KernelSetup& setup) {
  const CompiledModel model = compileProduct(c, setup.platform());
  const TargetRun run = runOnTarget(model, setup, true);
  const std::string what = c.label + " on " + setup.describe();
  requireReferenceOutputs(model, run.outputs, what);
  if (run.profile.perNode.size() != 1) throw Error(what + ": expected a profile of one node");
  return run.profile.perNode[0][0];
}

void printProductTable() {
  const std::vector<ProductCase> cases = {
      int8Gemm(64, 64, 64),           int8Gemm(256, 256, 256),           int8Gemm(1, 256, 256, " (GEMV)"),
      int8RqMatMul(64, 64, 64, true), int8RqMatMul(256, 256, 256, true), int8RqMatMul(1, 256, 256, true),
  };
  std::printf("## (a) int8 products, instructions per MAC\n\n");
  printKernelColumnsHeader("node (M x N x K)");
  for (const ProductCase& c : cases) {
    std::printf("| %s |", c.label.c_str());
    for (const KernelSetup& setup : kernelSetups()) {
      const uint64_t instructions = profileProduct(c, setup);
      std::printf(" %.3f |", static_cast<double>(instructions) / static_cast<double>(c.macs));
      std::fflush(stdout);
    }
    std::printf("\n");
  }
  std::printf("\n");
}

// ---- (b) microLlama decode step ----

void printLlamaTable(const TestNetwork& llama) {
  std::printf("## (b) %s, instructions per decode step (one token)\n\n", llama.onnx.c_str());
  printKernelColumnsHeader("network");
  std::printf("| %s |", llama.name.c_str());
  for (const KernelSetup& setup : kernelSetups()) {
    std::printf(" %" PRIu64 " |", profileNetwork(llama, setup));
    std::fflush(stdout);
  }
  std::printf("\n\n");
}

// ---- (c) Flash, RAM and memory levels ----

struct Footprint {
  std::string network, setup;
  ElfSizes sizes;
  std::vector<LevelUsage> levels;
};

// Builds the model's program (test harness, Arm kernels, no profiling) without running it.
Footprint footprintOf(const std::string& network, const KernelSetup& setup, const CompiledModel& model) {
  WorkDir dir(std::nullopt);
  writeNetworkSources(dir.path(), model.network);
  const TargetProgram program = buildProgramWithHarness(setup.target, dir.path(), model.platform, "", 1, false);
  return {network, setup.describe(), elfSizesOf(program), model.memoryLevels.levels};
}

// microLlama32 as (b) compiles it; its runs there checked the outputs.
Footprint llamaFootprint(const TestNetwork& llama, const KernelSetup& setup) {
  return footprintOf(llama.name, setup, compileModel(llama.onnx, llama.inputs, setup.platform()));
}

// The decode step over persistent caches of kContextTokens rows (as `deeploy compile --context` and
// `deeploy generate` compile it). Its persistent caches cannot be preloaded with the test's rows, so the
// same lowering is checked with the caches exposed as inputs and outputs (as `deeploy test --context`).
Footprint decodeStepFootprint(const TestNetwork& step, const KernelSetup& setup) {
  const Platform platform = setup.platform();
  CompiledModel exposed = compileKVCacheModel(step.onnx, step.inputs, kContextTokens, true, platform);
  exposed.inputs = kvStepInputs(exposed, exposed.inputs);
  const TargetRun run = runOnTarget(exposed, setup, false);
  const std::vector<TensorData> outputs = fixedLengthOutputs(exposed, run.outputs);
  for (size_t o = 0; o < outputs.size(); ++o) exposed.graph.tensor(exposed.graph.outputs[o]).shape = outputs[o].shape();
  requireExpectedOutputs(exposed.graph, outputs, step.outputs, step.onnx + " at context " +
                                                                   std::to_string(kContextTokens) + " on " + setup.describe());
  return footprintOf(step.name + " (context " + std::to_string(kContextTokens) + ")", setup, compileKVCacheModel(step.onnx, step.inputs, kContextTokens, false, platform));
}

void printFootprintTables(const std::vector<Footprint>& footprints) {
  std::printf("## (c) program size (ELF sections, Arm kernels, with the test harness and newlib)\n\n");
  std::printf("| network | target and kernels | text | data | bss | flash (text + data) | RAM (data + bss) |\n");
  std::printf("|---|---|---:|---:|---:|---:|---:|\n");
  for (const Footprint& f : footprints) {
    std::printf("| %s | %s | %" PRIu64 " | %" PRIu64 " | %" PRIu64 " | %" PRIu64 " | %" PRIu64 " |\n", f.network.c_str(),
                f.setup.c_str(), f.sizes.text, f.sizes.data, f.sizes.bss, f.sizes.flashBytes(), f.sizes.ramBytes());
  }
  std::printf("\nMemory plan per level (bytes; the arena holds activations, scratch and I/O):\n\n");
  std::printf("| network | target and kernels | level | constants | arena | KV caches | used | capacity | used %% |\n");
  std::printf("|---|---|---|---:|---:|---:|---:|---:|---:|\n");
  for (const Footprint& f : footprints) {
    for (const LevelUsage& u : f.levels) {
      std::printf("| %s | %s | %s | %zu | %zu | %zu | %" PRIu64 " | %" PRIu64 " | %.1f |\n", f.network.c_str(),
                  f.setup.c_str(), u.level.c_str(), u.constantBytes, u.arenaBytes, u.cacheBytes, u.usedBytes(),
                  u.capacityBytes, 100.0 * static_cast<double>(u.usedBytes()) / static_cast<double>(u.capacityBytes));
    }
  }
  std::printf("\n");
}

void printTables(const std::string& llamaPath) {
  const TestNetwork llama = readTestNetwork(llamaPath);
  const TestNetwork decodeStep = readTestNetwork(std::string(DEEPLOY_SOURCE_DIR) + "/models/fortunes/decode_255/network.onnx");
  printProductTable();
  printLlamaTable(llama);
  std::vector<Footprint> footprints;
  for (const KernelSetup& setup : kernelSetups()) {
    if (setup.genericKernels) continue;
    footprints.push_back(llamaFootprint(llama, setup));
    footprints.push_back(decodeStepFootprint(decodeStep, setup));
  }
  printFootprintTables(footprints);
}

}  // namespace
}  // namespace deeploy::bench

int main(int argc, char** argv) { return deeploy::bench::runTableProgram(argc, argv, deeploy::bench::printTables); }
