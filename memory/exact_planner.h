// Exact static memory planning in the spirit of MiniMalloc (Moffitt, ASPLOS 2023): branch and bound
// over canonical placements, seeded with the best-fit plan, minimising the arena size.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "memory/planner.h"

namespace deeploy {

// Splits the buffers into groups of transitively overlapping lifetimes (independent sub-problems),
// then searches each for the smallest arena. The search only places a buffer at the lowest offset
// any unplaced buffer can take (so offsets are produced in non-decreasing order, each 0 or the end
// of a placed buffer below it), prunes with per-section lower bounds, skips placements that are
// symmetric to ones already explored, and stops at the time budget with the best plan found so far,
// which is never worse than best-fit. MemoryPlan::provenOptimal tells whether the arena is minimal.
class ExactPlanner final : public MemoryPlanner {
 public:
  static constexpr std::chrono::milliseconds kDefaultBudget{200};

  explicit ExactPlanner(std::chrono::milliseconds budget = kDefaultBudget) : budget_(budget) {}
  std::string name() const override { return "exact"; }
  MemoryPlan plan(const std::vector<Allocation>& allocations, size_t alignment) const override;

 private:
  std::chrono::milliseconds budget_;
};

}  // namespace deeploy
