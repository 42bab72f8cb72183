#include "memory/planner.h"

#include <algorithm>
#include <numeric>

#include "memory/exact_planner.h"

namespace deeploy {

bool lifetimesOverlap(const Allocation& a, const Allocation& b) { return a.first <= b.last && b.first <= a.last; }

size_t lifetimeLowerBound(const std::vector<Allocation>& allocations) {
  if (allocations.empty()) return 0;
  int lo = allocations[0].first, hi = allocations[0].last;
  for (const auto& a : allocations) {
    lo = std::min(lo, a.first);
    hi = std::max(hi, a.last);
  }
  std::vector<size_t> live(static_cast<size_t>(hi - lo + 2), 0);
  for (const auto& a : allocations) {
    live[static_cast<size_t>(a.first - lo)] += a.size;
    live[static_cast<size_t>(a.last - lo + 1)] -= a.size;
  }
  size_t best = 0, running = 0;
  for (size_t v : live) {
    running += v;
    best = std::max(best, running);
  }
  return best;
}

std::string validatePlan(const std::vector<Allocation>& allocations, const MemoryPlan& plan, size_t alignment) {
  if (plan.offsets.size() != allocations.size()) return "plan has a wrong number of offsets";
  for (size_t i = 0; i < allocations.size(); ++i) {
    if (alignment && plan.offsets[i] % alignment) return "buffer " + std::to_string(i) + " is misaligned";
    if (plan.offsets[i] + allocations[i].size > plan.arenaSize) return "buffer " + std::to_string(i) + " ends past the arena";
    for (size_t j = i + 1; j < allocations.size(); ++j) {
      if (!lifetimesOverlap(allocations[i], allocations[j]) || !allocations[i].size || !allocations[j].size) continue;
      size_t ai = plan.offsets[i], aj = plan.offsets[j];
      if (ai < aj + allocations[j].size && aj < ai + allocations[i].size) {
        return "buffers " + std::to_string(i) + " and " + std::to_string(j) + " are live together and overlap";
      }
    }
  }
  return "";
}

namespace {

size_t alignUp(size_t v, size_t alignment) { return alignment ? (v + alignment - 1) / alignment * alignment : v; }

// Lowest offset of the tightest free gap able to hold `size` among `busy` intervals [start, end).
size_t tightestGap(std::vector<std::pair<size_t, size_t>> busy, size_t size, size_t alignment) {
  std::sort(busy.begin(), busy.end());
  size_t bestOffset = 0, bestWaste = SIZE_MAX, cursor = 0;
  bool found = false;
  for (const auto& [start, end] : busy) {
    if (start > cursor && start - cursor >= size) {
      size_t waste = start - cursor - size;
      if (waste < bestWaste) {
        bestWaste = waste;
        bestOffset = cursor;
        found = true;
      }
    }
    cursor = std::max(cursor, alignUp(end, alignment));
  }
  return found ? bestOffset : cursor;
}

}  // namespace

MemoryPlan BestFitPlanner::plan(const std::vector<Allocation>& allocations, size_t alignment) const {
  std::vector<size_t> order(allocations.size());
  std::iota(order.begin(), order.end(), 0);
  // Index order breaks the remaining ties, as a stable sort would (std::stable_sort trips clang's deprecation
  // warnings in libstdc++ 12).
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (allocations[a].size != allocations[b].size) return allocations[a].size > allocations[b].size;
    if (allocations[a].first != allocations[b].first) return allocations[a].first < allocations[b].first;
    return a < b;
  });
  MemoryPlan result;
  result.offsets.assign(allocations.size(), 0);
  std::vector<size_t> placed;
  for (size_t idx : order) {
    const Allocation& a = allocations[idx];
    std::vector<std::pair<size_t, size_t>> busy;
    for (size_t other : placed) {
      if (allocations[other].size && lifetimesOverlap(a, allocations[other])) {
        busy.emplace_back(result.offsets[other], result.offsets[other] + allocations[other].size);
      }
    }
    size_t offset = a.size ? tightestGap(std::move(busy), a.size, alignment) : 0;
    result.offsets[idx] = offset;
    result.arenaSize = std::max(result.arenaSize, offset + a.size);
    placed.push_back(idx);
  }
  return result;
}

std::unique_ptr<MemoryPlanner> makeDefaultPlanner() { return std::make_unique<ExactPlanner>(); }

}  // namespace deeploy
