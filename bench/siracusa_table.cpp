// deeploy_siracusa_table: retired instructions of generated programs on the emulated Siracusa-class
// cluster (--target siracusa: RV32 harts with the CORE-V/Xpulp extensions and the cluster DMA, minstret
// per node and hart under QEMU's -icount), printed as markdown tables:
//  (a) int8 products on one hart, instructions per multiply-accumulate, the generic kernels on the
//      stock rv32 target (rv32imac, gcc) against the Xpulp kernels on siracusa (untiled);
//  (b) the INT8 microLlama32 decode step on 1, 2, 4 and 8 harts, untiled and tiled at L1 = 64000 and
//      10000 B, on the cores alone, with the cluster DMA's modelled cycles and the step's estimated cycles
//      (models, not counts: instructions plus the emulator's CV32E40P stalls plus hart 0's modelled sleep);
//  (c) the same step untiled with the NPU (--npu auto): the harts' instructions, the NPU's modelled
//      cycles, and the step's estimated cycles against the cores alone;
//  (d) estimated cycles, time and energy on 8 harts (the platform file's energy model: clock and average
//      power, assumptions) of the decode step and of microLlama1_parallel's step (found beside the model's
//      folder), untiled and tiled at L1 = 64000 and 16000 B, with and without the NPU.
// Every result is checked, the single nodes against the reference interpreter and the network against
// its outputs.npz; a mismatch stops the program with an error (exit status 1).
//
// Usage: deeploy_siracusa_table [MODEL.onnx]   (inputs.npz and outputs.npz are read beside it)
#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "bench/table_support.h"
#include "ir/error.h"
#include "targets/host_target.h"

namespace deeploy::bench {
namespace {

// The Siracusa platform computing from L2 (untiled), or tiled into an L1 of `l1Bytes`.
Platform siracusaPlatform(int64_t l1Bytes) {
  Platform p = builtinPlatform("siracusa");
  if (l1Bytes == 0) {
    for (ComputeEngine& engine : p.engines) engine.computesFrom = p.activationLevel;
  } else {
    overrideLevelSize(p, "L1", l1Bytes);
  }
  return p;
}

// Instructions of the product's one node on one hart, checked against the reference interpreter.
uint64_t productInstructions(const ProductCase& c, const Platform& platform, const Platform* machine) {
  const CompiledModel model = compileProduct(c, platform);
  const Rv32Run run = runRv32Profiled(model, machine);
  requireReferenceOutputs(model, run.outputs, c.label + (machine ? " on siracusa" : " on rv32"));
  if (run.profile.perNode.size() != 1) throw Error(c.label + ": expected a profile of one node");
  return run.profile.perNode[0][0];
}

void printProductTable() {
  const std::vector<ProductCase> cases = {
      int8Gemm(64, 64, 64),           int8Gemm(256, 256, 256),           int8Gemm(1, 256, 256, " (GEMV)"),
      int8RqMatMul(64, 64, 64, true), int8RqMatMul(256, 256, 256, true), int8RqMatMul(1, 256, 256, true),
      int8RqMatMul(64, 64, 64, false),
  };
  const Platform siracusa = siracusaPlatform(0);
  std::printf("## (a) int8 products on one hart, instructions per MAC\n\n");
  std::printf("| node (M x N x K) | MACs | rv32 generic (rv32imac) | siracusa Xpulp | ratio |\n");
  std::printf("|---|---:|---:|---:|---:|\n");
  for (const ProductCase& c : cases) {
    const double macs = static_cast<double>(c.macs);
    const double generic = static_cast<double>(productInstructions(c, hostPlatform(), nullptr)) / macs;
    const double xpulp = static_cast<double>(productInstructions(c, siracusa, &siracusa)) / macs;
    std::printf("| %s | %" PRId64 " | %.3f | %.3f | %.2fx |\n", c.label.c_str(), c.macs, generic, xpulp, generic / xpulp);
    std::fflush(stdout);
  }
  std::printf("\n");
}

// `coresAlone`: the untiled step's estimated cycles on 1, 2, 4 and 8 harts without the NPU.
void printNpuTable(const std::string& modelPath, const TestNetwork& network, const std::vector<uint64_t>& coresAlone) {
  std::printf("## (c) %s, one decode step untiled with the NPU (--npu auto)\n\n", modelPath.c_str());
  std::printf("| harts | nodes on the NPU | busiest hart | NPU modelled cycles | hart 0 asleep for the NPU | "
              "estimated cycles | cores alone (estimated cycles) | estimated speedup |\n");
  std::printf("|---:|---:|---:|---:|---:|---:|---:|---:|\n");
  for (int cores : {1, 2, 4, 8}) {
    Platform platform = siracusaPlatform(0);
    platform.npuPolicy = NpuPolicy::Auto;
    const CompiledModel model = compileModel(modelPath, network.inputs, platform, cores);
    const Rv32Run run = runRv32Profiled(model, &platform);
    requireExpectedOutputs(model.graph, run.outputs, network.outputs, "with the NPU on " + std::to_string(cores) + " harts");
    const auto onNpu = std::count_if(model.graph.nodes.begin(), model.graph.nodes.end(),
                                     [](const Node& n) { return n.engine == NodeEngine::Npu; });
    uint64_t asleep = 0;
    for (uint64_t w : run.profile.npuWaitPerNode) asleep += w;
    const uint64_t busiest = run.profile.busiestCore(), estimate = run.profile.estimatedCycles();
    const uint64_t alone = coresAlone[static_cast<size_t>(__builtin_ctz(static_cast<unsigned>(cores)))];
    std::printf("| %d | %td | %" PRIu64 " | %" PRIu64 " | %" PRIu64 " | %" PRIu64 " | %" PRIu64 " | %.2fx |\n", cores, onNpu,
                busiest, run.profile.npuCycles, asleep, estimate, alone,
                static_cast<double>(alone) / static_cast<double>(estimate));
    std::fflush(stdout);
  }
  std::printf("\n");
}

void printLlamaTable(const std::string& modelPath) {
  const TestNetwork network = readTestNetwork(modelPath);
  std::printf("## (b) %s, one decode step on siracusa\n\n", modelPath.c_str());
  std::printf("| L1 | harts | busiest hart | speedup vs 1 hart | vs untiled | DMA modelled cycles | DMA bytes | "
              "estimated cycles |\n");
  std::printf("|---|---:|---:|---:|---:|---:|---:|---:|\n");
  std::vector<uint64_t> untiled, untiledCycles;
  for (int64_t l1 : {0, 64000, 10000}) {
    uint64_t oneHart = 0;
    for (int cores : {1, 2, 4, 8}) {
      const Platform platform = siracusaPlatform(l1);
      const CompiledModel model = compileModel(modelPath, network.inputs, platform, cores);
      const Rv32Run run = runRv32Profiled(model, &platform);
      const std::string label = l1 == 0 ? std::string("untiled") : std::to_string(l1) + " B";
      requireExpectedOutputs(model.graph, run.outputs, network.outputs, label + " on " + std::to_string(cores) + " harts");
      const uint64_t busiest = run.profile.busiestCore();
      if (cores == 1) oneHart = busiest;
      if (l1 == 0) {
        untiled.push_back(busiest);
        untiledCycles.push_back(run.profile.estimatedCycles());
      }
      const uint64_t base = untiled[static_cast<size_t>(__builtin_ctz(static_cast<unsigned>(cores)))];
      std::printf("| %s | %d | %" PRIu64 " | %.2f | %.2f | %" PRIu64 " | %" PRIu64 " | %" PRIu64 " |\n", label.c_str(), cores,
                  busiest, static_cast<double>(oneHart) / static_cast<double>(busiest),
                  static_cast<double>(busiest) / static_cast<double>(base), run.profile.dmaCycles, run.profile.dmaBytes,
                  run.profile.estimatedCycles());
      std::fflush(stdout);
    }
  }
  std::printf("\n");
  printNpuTable(modelPath, network, untiledCycles);
}

// (d): one row per step, L1 (0: untiled) and NPU policy, on 8 harts.
void printEnergyTable(const std::string& decodePath) {
  const std::string prefillPath =
      (std::filesystem::path(decodePath).parent_path().parent_path() / "microLlama1_parallel" / "network.onnx").string();
  const EnergyModel energy = *builtinPlatform("siracusa").energy;
  std::printf("## (d) estimated cycles, time and energy on 8 harts (%s: the platform file's model)\n\n",
              energy.figures().c_str());
  std::printf("| step | L1 | NPU | nodes on the NPU | busiest hart | estimated cycles | estimated us | estimated uJ |\n");
  std::printf("|---|---|---|---:|---:|---:|---:|---:|\n");
  struct Row {
    int64_t l1;
    NpuPolicy npu;
  };
  const Row rows[] = {{0, NpuPolicy::Off},     {0, NpuPolicy::Auto},     {0, NpuPolicy::All},     {64000, NpuPolicy::Off},
                      {64000, NpuPolicy::Auto}, {64000, NpuPolicy::All}, {16000, NpuPolicy::Off}, {16000, NpuPolicy::All}};
  for (const auto& [step, path] : {std::pair{"decode (microLlama32)", decodePath}, std::pair{"microLlama1_parallel (parallel step, 1 row)", prefillPath}}) {
    const TestNetwork network = readTestNetwork(path);
    for (const Row& row : rows) {
      Platform platform = siracusaPlatform(row.l1);
      platform.npuPolicy = row.npu;
      const CompiledModel model = compileModel(path, network.inputs, platform, 8);
      const Rv32Run run = runRv32Profiled(model, &platform);
      const std::string l1 = row.l1 == 0 ? std::string("untiled") : std::to_string(row.l1) + " B";
      const char* npu = row.npu == NpuPolicy::Off ? "off" : row.npu == NpuPolicy::Auto ? "auto" : "all";
      requireExpectedOutputs(model.graph, run.outputs, network.outputs, std::string(step) + " " + l1 + " --npu " + npu);
      const auto onNpu = std::count_if(model.graph.nodes.begin(), model.graph.nodes.end(),
                                       [](const Node& n) { return n.engine == NodeEngine::Npu; });
      const uint64_t cycles = run.profile.estimatedCycles();
      std::printf("| %s | %s | %s | %td | %" PRIu64 " | %" PRIu64 " | %.1f | %.2f |\n", step, l1.c_str(), npu, onNpu,
                  run.profile.busiestCore(), cycles, energy.seconds(cycles) * 1e6,
                  energy.microjoules(cycles, run.profile.npuMacs));
      std::fflush(stdout);
    }
  }
  std::printf("\n");
}

}  // namespace
}  // namespace deeploy::bench

int main(int argc, char** argv) {
  return deeploy::bench::runTableProgram(argc, argv, [](const std::string& model) {
    deeploy::bench::printProductTable();
    deeploy::bench::printLlamaTable(model);
    deeploy::bench::printEnergyTable(model);
  });
}
