// deeploy_siracusa_table: retired instructions of generated programs on the emulated Siracusa-class
// cluster (--target siracusa: RV32 harts with the CORE-V/Xpulp extensions and the cluster DMA, minstret
// per node and hart under QEMU's -icount), printed as markdown tables:
//  (a) int8 products on one hart, instructions per multiply-accumulate, the generic kernels on the
//      stock rv32 target (rv32imac, gcc) against the Xpulp kernels on siracusa (untiled);
//  (b) the INT8 microLlama32 decode step on 1, 2, 4 and 8 harts, untiled and tiled at L1 = 64000 and
//      10000 B, on the cores alone, with the cluster DMA's modelled cycles (a model, not a count);
//  (c) the same step untiled with the NPU (--npu auto): the harts' instructions, the NPU's modelled
//      cycles, and an estimate of the step's cycles (instructions counted as cycles plus hart 0's sleep
//      waiting for the NPU, which runs while the harts wait) against the cores alone.
// Every result is checked, the single nodes against the reference interpreter and the network against
// its outputs.npz; a mismatch stops the program with an error (exit status 1).
//
// Usage: deeploy_siracusa_table [MODEL.onnx]   (inputs.npz and outputs.npz are read beside it)
#include <algorithm>
#include <cinttypes>
#include <cstdio>
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

// `coresAlone`: the untiled busiest hart on 1, 2, 4 and 8 harts without the NPU.
void printNpuTable(const std::string& modelPath, const TestNetwork& network, const std::vector<uint64_t>& coresAlone) {
  std::printf("## (c) %s, one decode step untiled with the NPU (--npu auto)\n\n", modelPath.c_str());
  std::printf("| harts | nodes on the NPU | busiest hart | NPU modelled cycles | hart 0 asleep for the NPU | "
              "estimated cycles | cores alone (busiest hart) | estimated speedup |\n");
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
    const uint64_t busiest = run.profile.busiestCore(), estimate = busiest + asleep;
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
  std::printf("| L1 | harts | busiest hart | speedup vs 1 hart | vs untiled | DMA modelled cycles | DMA bytes |\n");
  std::printf("|---|---:|---:|---:|---:|---:|---:|\n");
  std::vector<uint64_t> untiled;
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
      if (l1 == 0) untiled.push_back(busiest);
      const uint64_t base = untiled[static_cast<size_t>(__builtin_ctz(static_cast<unsigned>(cores)))];
      std::printf("| %s | %d | %" PRIu64 " | %.2f | %.2f | %" PRIu64 " | %" PRIu64 " |\n", label.c_str(), cores, busiest,
                  static_cast<double>(oneHart) / static_cast<double>(busiest),
                  static_cast<double>(busiest) / static_cast<double>(base), run.profile.dmaCycles, run.profile.dmaBytes);
      std::fflush(stdout);
    }
  }
  std::printf("\n");
  printNpuTable(modelPath, network, untiled);
}

}  // namespace
}  // namespace deeploy::bench

int main(int argc, char** argv) {
  return deeploy::bench::runTableProgram(argc, argv, [](const std::string& model) {
    deeploy::bench::printProductTable();
    deeploy::bench::printLlamaTable(model);
  });
}
