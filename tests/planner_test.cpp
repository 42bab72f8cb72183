#include <gtest/gtest.h>

#include <random>

#include "memory/planner.h"

namespace deeploy {
namespace {

std::vector<Allocation> randomLifetimes(std::mt19937& rng, int count, int steps) {
  std::uniform_int_distribution<int> step(0, steps - 1), size(1, 64);
  std::vector<Allocation> out;
  for (int i = 0; i < count; ++i) {
    int a = step(rng), b = step(rng);
    out.push_back({static_cast<size_t>(size(rng)) * 8, std::min(a, b), std::max(a, b)});
  }
  return out;
}

TEST(BestFitPlanner, RandomLifetimesNeverOverlapAndRespectTheBound) {
  std::mt19937 rng(1234);
  BestFitPlanner planner;
  for (int trial = 0; trial < 300; ++trial) {
    auto allocations = randomLifetimes(rng, 1 + trial % 40, 1 + trial % 25);
    MemoryPlan plan = planner.plan(allocations, 8);
    EXPECT_EQ(validatePlan(allocations, plan, 8), "") << "trial " << trial;
    EXPECT_GE(plan.arenaSize, lifetimeLowerBound(allocations));
  }
}

TEST(BestFitPlanner, ReusesMemoryOfDeadBuffers) {
  std::vector<Allocation> chain = {{64, 0, 1}, {64, 1, 2}, {64, 2, 3}, {64, 3, 4}};
  MemoryPlan plan = BestFitPlanner().plan(chain, 8);
  EXPECT_EQ(plan.arenaSize, 128u);
  EXPECT_EQ(lifetimeLowerBound(chain), 128u);
}

TEST(Planner, ValidateDetectsOverlap) {
  std::vector<Allocation> two = {{16, 0, 2}, {16, 1, 3}};
  MemoryPlan bad{{0, 8}, 24};
  EXPECT_NE(validatePlan(two, bad, 8), "");
  MemoryPlan good{{0, 16}, 32};
  EXPECT_EQ(validatePlan(two, good, 8), "");
}

TEST(Planner, LowerBoundIsPeakOfLiveBytes) {
  std::vector<Allocation> a = {{10, 0, 5}, {20, 2, 3}, {30, 3, 4}, {5, 6, 7}};
  EXPECT_EQ(lifetimeLowerBound(a), 60u);
}

}  // namespace
}  // namespace deeploy
