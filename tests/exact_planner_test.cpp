#include "memory/exact_planner.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

namespace deeploy {
namespace {

constexpr size_t kAlignment = 8;

std::vector<Allocation> randomInstance(std::mt19937& rng, int count, int steps, int maxUnits, bool withEmpty) {
  std::uniform_int_distribution<int> step(0, steps - 1), units(withEmpty ? 0 : 1, maxUnits);
  std::vector<Allocation> out;
  for (int i = 0; i < count; ++i) {
    int a = step(rng), b = step(rng);
    out.push_back({static_cast<size_t>(units(rng)) * kAlignment, std::min(a, b), std::max(a, b)});
  }
  return out;
}

// Smallest arena over every canonical plan: buffers taken in order of non-decreasing offset (ties by
// index), each at 0 or at the end of an already placed buffer it overlaps in time, wherever it fits.
// Every plan can be pushed down into this form without growing, so this is the true optimum.
class BruteForce {
 public:
  explicit BruteForce(const std::vector<Allocation>& allocations) : a_(allocations), offset_(allocations.size(), 0), placed_(allocations.size(), false) {
    for (size_t i = 0; i < a_.size(); ++i) {
      if (a_[i].size == 0) placed_[i] = true;
    }
  }

  size_t optimum() {
    extend(0, 0, 0);
    return best_;
  }

 private:
  void extend(size_t lastOffset, size_t lastIndex, size_t top) {
    if (top >= best_) return;
    if (std::all_of(placed_.begin(), placed_.end(), [](bool p) { return p; })) {
      best_ = top;
      return;
    }
    for (size_t i = 0; i < a_.size(); ++i) {
      if (placed_[i]) continue;
      for (size_t offset : positionsFor(i)) {
        if (offset < lastOffset || (offset == lastOffset && i < lastIndex) || !fits(i, offset)) continue;
        placed_[i] = true;
        offset_[i] = offset;
        extend(offset, i, std::max(top, offset + a_[i].size));
        placed_[i] = false;
      }
    }
  }

  std::vector<size_t> positionsFor(size_t i) const {
    std::vector<size_t> positions = {0};
    for (size_t j = 0; j < a_.size(); ++j) {
      if (placed_[j] && a_[j].size && lifetimesOverlap(a_[i], a_[j])) positions.push_back(offset_[j] + a_[j].size);
    }
    return positions;
  }

  bool fits(size_t i, size_t offset) const {
    for (size_t j = 0; j < a_.size(); ++j) {
      if (!placed_[j] || !a_[j].size || !lifetimesOverlap(a_[i], a_[j])) continue;
      if (offset < offset_[j] + a_[j].size && offset_[j] < offset + a_[i].size) return false;
    }
    return true;
  }

  const std::vector<Allocation>& a_;
  std::vector<size_t> offset_;
  std::vector<bool> placed_;
  size_t best_ = SIZE_MAX;
};

TEST(ExactPlanner, MatchesBruteForceOnSmallInstances) {
  std::mt19937 rng(2023);
  ExactPlanner planner(1'000'000'000);
  for (int trial = 0; trial < 400; ++trial) {
    auto allocations = randomInstance(rng, 1 + trial % 8, 1 + trial % 7, trial % 2 ? 6 : 40, trial % 5 == 0);
    MemoryPlan plan = planner.plan(allocations, kAlignment);
    ASSERT_EQ(validatePlan(allocations, plan, kAlignment), "") << "trial " << trial;
    EXPECT_EQ(plan.arenaSize, BruteForce(allocations).optimum()) << "trial " << trial;
    EXPECT_TRUE(plan.provenOptimal) << "trial " << trial;
  }
}

TEST(ExactPlanner, BeatsBestFitWhereBestFitFragments) {
  // Best-fit stacks the two large buffers at 0 and then has no common gap for the two small chained
  // ones (arena 32). Optimal: large@0 [0,16), small1@16 [16,24), small2@0 [0,8), large2@8 [8,24).
  std::vector<Allocation> allocations = {{16, 0, 0}, {16, 2, 2}, {8, 0, 1}, {8, 1, 2}};
  EXPECT_EQ(BestFitPlanner().plan(allocations, kAlignment).arenaSize, 32u);
  MemoryPlan plan = ExactPlanner().plan(allocations, kAlignment);
  EXPECT_EQ(validatePlan(allocations, plan, kAlignment), "");
  EXPECT_EQ(plan.arenaSize, 24u);
  EXPECT_TRUE(plan.provenOptimal);
}

TEST(ExactPlanner, RandomMediumInstancesAreValidAndNeverWorseThanBestFit) {
  std::mt19937 rng(77);
  ExactPlanner planner(1'500'000);
  for (int trial = 0; trial < 60; ++trial) {
    auto allocations = randomInstance(rng, 20 + trial * 2, 5 + trial % 30, 64, trial % 3 == 0);
    MemoryPlan plan = planner.plan(allocations, kAlignment);
    ASSERT_EQ(validatePlan(allocations, plan, kAlignment), "") << "trial " << trial;
    EXPECT_GE(plan.arenaSize, lifetimeLowerBound(allocations)) << "trial " << trial;
    EXPECT_LE(plan.arenaSize, BestFitPlanner().plan(allocations, kAlignment).arenaSize) << "trial " << trial;
    if (plan.arenaSize == lifetimeLowerBound(allocations)) {
      EXPECT_TRUE(plan.provenOptimal) << "trial " << trial;
    }
  }
}

TEST(ExactPlanner, HonoursAlignmentAndEmptyBuffers) {
  std::vector<Allocation> allocations = {{0, 0, 3}, {32, 0, 1}, {16, 1, 2}, {0, 2, 2}, {48, 2, 3}};
  MemoryPlan plan = ExactPlanner().plan(allocations, 16);
  EXPECT_EQ(validatePlan(allocations, plan, 16), "");
  EXPECT_EQ(plan.arenaSize, lifetimeLowerBound(allocations));
  EXPECT_TRUE(plan.provenOptimal);

  std::vector<Allocation> onlyEmpty = {{0, 0, 1}, {0, 1, 2}};
  EXPECT_EQ(ExactPlanner().plan(onlyEmpty, 16).arenaSize, 0u);
  EXPECT_EQ(ExactPlanner().plan({}, 16).arenaSize, 0u);
}

TEST(ExactPlanner, TimeDisjointGroupsShareTheArena) {
  std::vector<Allocation> allocations = {{64, 0, 1}, {64, 1, 2}, {128, 4, 5}, {8, 5, 6}, {8, 9, 9}};
  MemoryPlan plan = ExactPlanner().plan(allocations, kAlignment);
  EXPECT_EQ(validatePlan(allocations, plan, kAlignment), "");
  EXPECT_EQ(plan.arenaSize, 136u);
  EXPECT_EQ(plan.offsets[4], 0u);
}

// Thousands of long-lived buffers of assorted sizes: far too many to search exhaustively.
std::vector<Allocation> largeInstance() {
  std::mt19937 rng(5);
  std::uniform_int_distribution<int> units(1, 300), length(1, 200), start(0, 3000);
  std::vector<Allocation> out;
  for (int i = 0; i < 3000; ++i) {
    int first = start(rng);
    out.push_back({static_cast<size_t>(units(rng)) * kAlignment, first, first + length(rng)});
  }
  return out;
}

TEST(ExactPlanner, StopsAtTheBudgetWithABestFitOrBetterPlan) {
  auto allocations = largeInstance();
  MemoryPlan plan = ExactPlanner(1'000'000).plan(allocations, kAlignment);
  EXPECT_EQ(validatePlan(allocations, plan, kAlignment), "");
  EXPECT_LE(plan.arenaSize, BestFitPlanner().plan(allocations, kAlignment).arenaSize);

  MemoryPlan noWork = ExactPlanner(0).plan(allocations, kAlignment);
  EXPECT_EQ(validatePlan(allocations, noWork, kAlignment), "");
  EXPECT_LE(noWork.arenaSize, BestFitPlanner().plan(allocations, kAlignment).arenaSize);
}

// The budget counts work, not time: the same problem gives the same plan however loaded the machine is.
TEST(ExactPlanner, StoppedSearchesAreReproducible) {
  auto allocations = largeInstance();
  const ExactPlanner planner(2'000'000);
  MemoryPlan first = planner.plan(allocations, kAlignment);
  EXPECT_FALSE(first.provenOptimal);
  for (int run = 0; run < 3; ++run) EXPECT_EQ(planner.plan(allocations, kAlignment).offsets, first.offsets);
}

TEST(ExactPlanner, IsTheDefaultPlanner) { EXPECT_EQ(makeDefaultPlanner()->name(), "exact"); }

}  // namespace
}  // namespace deeploy
