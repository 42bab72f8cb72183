// Exact static memory planning in the spirit of MiniMalloc (Moffitt, ASPLOS 2023): branch and bound
// over canonical placements, seeded with the best-fit plan, minimising the arena size.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "memory/planner.h"

namespace deeploy {

// Splits the buffers into groups of transitively overlapping lifetimes (independent sub-problems),
// then searches each for the smallest arena. The search only places a buffer at the lowest offset
// any unplaced buffer can take (so offsets are produced in non-decreasing order, each 0 or the end
// of a placed buffer below it), prunes with per-section lower bounds, skips placements that are
// symmetric to ones already explored, and stops at a work budget with the best plan found so far,
// which is never worse than best-fit. MemoryPlan::provenOptimal tells whether the arena is minimal.
// The budget counts work (search nodes times the buffers of their sub-problem), not time, so a plan
// is the same on any machine and under any load.
class ExactPlanner final : public MemoryPlanner {
 public:
  // About 0.2 s on a 2020s x86 core for a sub-problem of 250 buffers.
  static constexpr uint64_t kDefaultWorkBudget = 15'000'000;

  explicit ExactPlanner(uint64_t workBudget = kDefaultWorkBudget) : workBudget_(workBudget) {}
  std::string name() const override { return "exact"; }
  MemoryPlan plan(const std::vector<Allocation>& allocations, size_t alignment) const override;

 private:
  uint64_t workBudget_;
};

}  // namespace deeploy
