// The whole compile of microLlama32: untiled for the host (L1 = 0) and tiled into Siracusa's L1.
#include <benchmark/benchmark.h>

#include <exception>

#include "bench/micro_llama.h"

namespace deeploy::bench {
namespace {

void BM_CompileMicroLlama32(benchmark::State& state) {
  const Platform platform = platformWithL1(state.range(0));
  const NamedArrays& inputs = microLlamaInputs();
  size_t tiledNodes = 0, l1ArenaBytes = 0, provenOptimal = 0;
  for (auto _ : state) {
    try {
      CompiledModel model = compileModel(microLlamaModelPath(), inputs, platform);
      tiledNodes = model.network.tiledNodes.size();
      l1ArenaBytes = model.network.l1ArenaBytes;
      provenOptimal = 0;
      for (const NodeTilingReport& r : model.network.tiledNodes) provenOptimal += r.solverOptimal ? 1 : 0;
      benchmark::DoNotOptimize(model.network.source.data());
    } catch (const std::exception& e) {
      state.SkipWithError(e.what());
      break;
    }
  }
  state.counters["tiled_nodes"] = static_cast<double>(tiledNodes);
  state.counters["solver_optimal"] = static_cast<double>(provenOptimal);
  state.counters["l1_arena_B"] = static_cast<double>(l1ArenaBytes);
}

BENCHMARK(BM_CompileMicroLlama32)->ArgName("L1")->Arg(0)->Arg(64000)->Arg(10000)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace deeploy::bench

BENCHMARK_MAIN();
