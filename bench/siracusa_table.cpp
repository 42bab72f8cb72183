// deeploy_siracusa_table: retired instructions of generated programs on the emulated Siracusa-class
// cluster (--target siracusa: RV32 harts with the CORE-V/Xpulp extensions and the cluster DMA, minstret
// per node and hart under QEMU's -icount), printed as markdown tables:
//  (a) int8 products on one hart, instructions per multiply-accumulate, the generic kernels on the
//      stock rv32 target (rv32imac, gcc) against the Xpulp kernels on siracusa (untiled);
//  (b) the INT8 microLlama32 decode step on 1, 2, 4 and 8 harts, untiled and tiled at L1 = 64000 and
//      10000 B, with the cluster DMA's modelled cycles (a model, not a count).
// Every result is checked, the single nodes against the reference interpreter and the network against
// its outputs.npz; a mismatch stops the program with an error (exit status 1).
//
// Usage: deeploy_siracusa_table [MODEL.onnx]   (inputs.npz and outputs.npz are read beside it)
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
}

}  // namespace
}  // namespace deeploy::bench

int main(int argc, char** argv) {
  return deeploy::bench::runTableProgram(argc, argv, [](const std::string& model) {
    deeploy::bench::printProductTable();
    deeploy::bench::printLlamaTable(model);
  });
}
