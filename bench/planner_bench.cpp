// ExactPlanner against BestFitPlanner on microLlama32's activation buffers and on random instances.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <random>

#include "bench/micro_llama.h"
#include "memory/exact_planner.h"

namespace deeploy::bench {
namespace {

constexpr size_t kAlignment = 8;

// Network-like lifetimes: buffers born along the schedule, most short-lived, sizes multiples of 8.
std::vector<Allocation> randomInstance(int count) {
  std::mt19937 rng(20240611);
  std::uniform_int_distribution<int> birth(0, count - 1), span(0, 12), units(1, 512);
  std::vector<Allocation> out;
  for (int i = 0; i < count; ++i) {
    const int first = birth(rng);
    out.push_back({static_cast<size_t>(units(rng)) * kAlignment, first, std::min(count - 1, first + span(rng))});
  }
  return out;
}

enum Instance { kMicroLlama, kRandom50, kRandom200 };
enum PlannerKind { kBestFit, kExact };

const char* instanceName(int64_t instance) {
  switch (instance) {
    case kMicroLlama: return "microLlama32";
    case kRandom50: return "random50";
    default: return "random200";
  }
}

std::vector<Allocation> allocationsOf(int64_t instance, size_t& alignment) {
  alignment = kAlignment;
  if (instance == kMicroLlama) {
    const ActivationMemory& memory = tiledMicroLlama().network.memory;
    alignment = memory.alignment;
    return memory.allocations;
  }
  return randomInstance(instance == kRandom50 ? 50 : 200);
}

void BM_Planner(benchmark::State& state) {
  size_t alignment = 0;
  const std::vector<Allocation> allocations = allocationsOf(state.range(0), alignment);
  const BestFitPlanner bestFit;
  const ExactPlanner exact;
  const MemoryPlanner& planner = state.range(1) == kExact ? static_cast<const MemoryPlanner&>(exact) : bestFit;
  MemoryPlan plan;
  for (auto _ : state) plan = planner.plan(allocations, alignment);
  if (const std::string problem = validatePlan(allocations, plan, alignment); !problem.empty()) {
    state.SkipWithError(problem.c_str());
    return;
  }
  const size_t bound = lifetimeLowerBound(allocations);
  state.counters["buffers"] = static_cast<double>(allocations.size());
  state.counters["arena_B"] = static_cast<double>(plan.arenaSize);
  state.counters["arena/bound"] = bound == 0 ? 1.0 : static_cast<double>(plan.arenaSize) / static_cast<double>(bound);
  state.counters["proven_optimal"] = plan.provenOptimal ? 1 : 0;
  state.SetLabel(std::string(instanceName(state.range(0))) + " " + planner.name());
}

BENCHMARK(BM_Planner)
    ->ArgNames({"instance", "exact"})
    ->ArgsProduct({{kMicroLlama, kRandom50, kRandom200}, {kBestFit, kExact}})
    ->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace deeploy::bench
