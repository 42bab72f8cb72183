// Static memory planning: buffers with lifetimes over the schedule get fixed offsets in one arena.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

namespace deeploy {

// A buffer live from step `first` to step `last` inclusive (steps are schedule positions).
struct Allocation {
  size_t size = 0;
  int first = 0;
  int last = 0;
};

struct MemoryPlan {
  std::vector<size_t> offsets;  // one per allocation
  size_t arenaSize = 0;         // end of the highest buffer
  bool provenOptimal = false;   // no plan has a smaller arena (set by planners that can prove it)
};

bool lifetimesOverlap(const Allocation& a, const Allocation& b);
// Largest total size of buffers live at the same step: no plan can use less.
size_t lifetimeLowerBound(const std::vector<Allocation>& allocations);
// Checks that no two buffers live at the same time share a byte and that offsets are aligned;
// returns an empty string when the plan is valid, otherwise what is wrong.
std::string validatePlan(const std::vector<Allocation>& allocations, const MemoryPlan& plan, size_t alignment);

class MemoryPlanner {
 public:
  virtual ~MemoryPlanner() = default;
  virtual std::string name() const = 0;
  // Sizes are expected to be multiples of `alignment`; offsets returned are multiples of it.
  virtual MemoryPlan plan(const std::vector<Allocation>& allocations, size_t alignment) const = 0;
};

// Places buffers by decreasing size, each in the tightest gap among the buffers it overlaps in time.
class BestFitPlanner final : public MemoryPlanner {
 public:
  std::string name() const override { return "best-fit"; }
  MemoryPlan plan(const std::vector<Allocation>& allocations, size_t alignment) const override;
};

std::unique_ptr<MemoryPlanner> makeDefaultPlanner();

}  // namespace deeploy
