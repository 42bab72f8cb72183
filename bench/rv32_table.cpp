// deeploy_rv32_table: retired instructions of generated programs on bare-metal RV32 (QEMU virt with
// -icount, minstret per node and hart), printed as markdown tables:
//  (a) integer products on one hart, in instructions per multiply-accumulate: int8 Gemm (A runtime, B
//      constant, int32 out) of 64x64x64, 256x256x256 and the decode-step GEMV (m = 1), and a few more
//      kernels of the same family;
//  (b) the INT8 microLlama32 decode step on 1, 2, 4 and 8 harts, untiled and tiled for Siracusa.
// Every result is checked, the single nodes against the reference interpreter and the network against
// its outputs.npz; a mismatch stops the program with an error (exit status 1).
//
// Usage: deeploy_rv32_table [MODEL.onnx]   (inputs.npz and outputs.npz are read beside it)
#include <cinttypes>
#include <cstdio>
#include <string>
#include <vector>

#include "bench/table_support.h"
#include "ir/error.h"
#include "targets/host_target.h"

namespace deeploy::bench {
namespace {

uint64_t sumOf(const std::vector<uint64_t>& values) {
  uint64_t sum = 0;
  for (uint64_t v : values) sum += v;
  return sum;
}

// ---- (a) Single products ----

// Instructions of the node on one hart, after checking its output against the reference interpreter.
uint64_t profileProduct(const ProductCase& c) {
  const CompiledModel model = compileProduct(c, hostPlatform());
  const Rv32Run run = runRv32Profiled(model);
  requireReferenceOutputs(model, run.outputs, c.label);
  if (run.profile.perNode.size() != 1) throw Error(c.label + ": expected a profile of one node");
  return run.profile.perNode[0][0];
}

ProductCase int8Conv3x3(int64_t channels, int64_t filters, int64_t size) {
  Attributes attrs;
  attrs.set("pads", std::vector<int64_t>{1, 1, 1, 1});
  return {"Conv 3x3, " + std::to_string(channels) + " -> " + std::to_string(filters) + " channels, " +
              std::to_string(size) + "x" + std::to_string(size),
          productNode("Conv", attrs,
                      {{patternTensor(DType::Int8, {1, channels, size, size}, -128, 127, 7)},
                       {patternTensor(DType::Int8, {filters, channels, 3, 3}, -128, 127, 8), true}}),
          filters * size * size * channels * 9};
}

void printProductTable() {
  const std::vector<ProductCase> cases = {
      int8Gemm(64, 64, 64),
      int8Gemm(256, 256, 256),
      int8Gemm(1, 256, 64, " (GEMV, m = 1)"),
      int8RqMatMul(64, 64, 64, true),
      int8RqMatMul(1, 256, 64, true),
      int8RqMatMul(64, 64, 64, false),
      int8Conv3x3(16, 32, 16),
  };
  std::printf("## (a) int8 products on one hart\n\n");
  std::printf("| node (M x N x K) | MACs | instructions | instructions / MAC |\n");
  std::printf("|---|---:|---:|---:|\n");
  for (const ProductCase& c : cases) {
    const uint64_t instructions = profileProduct(c);
    std::printf("| %s | %" PRId64 " | %" PRIu64 " | %.3f |\n", c.label.c_str(), c.macs, instructions,
                static_cast<double>(instructions) / static_cast<double>(c.macs));
    std::fflush(stdout);
  }
  std::printf("\n");
}

// ---- (b) microLlama decode step ----

struct PlatformCase {
  std::string label;
  Platform platform;
};

std::vector<PlatformCase> llamaPlatforms() {
  std::vector<PlatformCase> cases = {{"host (untiled)", hostPlatform()}};
  for (int64_t l1 : {64000, 10000}) {
    Platform siracusa = builtinPlatform("siracusa");
    overrideLevelSize(siracusa, "L1", l1);
    cases.push_back({"siracusa, L1 = " + std::to_string(l1) + " B (tiled)", siracusa});
  }
  return cases;
}

void printLlamaTable(const std::string& modelPath) {
  const TestNetwork network = readTestNetwork(modelPath);
  std::printf("## (b) %s, one decode step\n\n", modelPath.c_str());
  std::printf("| platform | harts | busiest hart | speedup vs 1 hart | all harts |\n");
  std::printf("|---|---:|---:|---:|---:|\n");
  for (const PlatformCase& p : llamaPlatforms()) {
    uint64_t oneHart = 0;
    for (int cores : {1, 2, 4, 8}) {
      const CompiledModel model = compileModel(modelPath, network.inputs, p.platform, cores);
      const Rv32Run run = runRv32Profiled(model);
      requireExpectedOutputs(model.graph, run.outputs, network.outputs,
                             p.label + " on " + std::to_string(cores) + " harts");
      const uint64_t busiest = run.profile.busiestCore();
      if (cores == 1) oneHart = busiest;
      std::printf("| %s | %d | %" PRIu64 " | %.2f | %" PRIu64 " |\n", p.label.c_str(), cores, busiest,
                  static_cast<double>(oneHart) / static_cast<double>(busiest), sumOf(run.profile.perCore));
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
