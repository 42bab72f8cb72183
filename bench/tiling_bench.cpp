// solveTiling on every node of microLlama32 as compiled for Siracusa with a 10000 B L1.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <exception>
#include <limits>

#include "bench/micro_llama.h"
#include "ops/op_schema.h"
#include "tiling/tile_solver.h"

namespace deeploy::bench {
namespace {

bool hasElements(const Graph& graph, const Node& node) {
  return std::any_of(node.outputs.begin(), node.outputs.end(),
                     [&](TensorId id) { return id != kNoTensor && graph.tensor(id).elementCount() > 0; });
}

// The problems codegen solves first for each node it tiles (views and empty nodes are not tiled).
std::vector<TileProblem> nodeProblems(const CompiledModel& model, const TilingTarget& target) {
  std::vector<TileProblem> problems;
  for (const Node& node : model.graph.nodes) {
    if (OpRegistry::instance().get(node).aliasesInput || !hasElements(model.graph, node)) continue;
    problems.push_back(tileProblemFor(model.graph, node, geometryOf(model.graph, node), target));
  }
  return problems;
}

void BM_SolveTilingPerNode(benchmark::State& state) {
  const CompiledModel& model = tiledMicroLlama();
  const TilingTarget target = *tilingTargetOf(model.platform);
  const std::vector<TileProblem> problems = nodeProblems(model, target);
  // Per node, its fastest solve over the iterations: the slowest node is then not a scheduling hiccup.
  std::vector<double> fastestSeconds(problems.size(), std::numeric_limits<double>::infinity());
  size_t fitting = 0, provenOptimal = 0;
  for (auto _ : state) {
    fitting = provenOptimal = 0;
    try {
      for (size_t n = 0; n < problems.size(); ++n) {
        const auto start = std::chrono::steady_clock::now();
        const std::optional<TileChoice> choice = solveTiling(problems[n], target.solverNodeBudget);
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        fastestSeconds[n] = std::min(fastestSeconds[n], seconds);
        fitting += choice ? 1 : 0;
        provenOptimal += choice && choice->provenOptimal ? 1 : 0;
      }
    } catch (const std::exception& e) {
      state.SkipWithError(e.what());
      break;
    }
  }
  state.counters["nodes"] = static_cast<double>(problems.size());
  state.counters["fitting"] = static_cast<double>(fitting);
  state.counters["proven_optimal"] = static_cast<double>(provenOptimal);
  if (problems.empty()) return;
  const size_t slowest = static_cast<size_t>(std::max_element(fastestSeconds.begin(), fastestSeconds.end()) - fastestSeconds.begin());
  state.counters["slowest_node_ms"] = fastestSeconds[slowest] * 1e3;
  state.SetLabel("slowest: " + problems[slowest].what);
}

BENCHMARK(BM_SolveTilingPerNode)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace deeploy::bench
