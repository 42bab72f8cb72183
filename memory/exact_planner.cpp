#include "memory/exact_planner.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <map>
#include <numeric>
#include <tuple>

namespace deeploy {

namespace {

constexpr uint64_t kNoLevel = std::numeric_limits<uint64_t>::max();

// One independent sub-problem: buffers whose lifetimes overlap transitively, sizes in alignment
// units (all positive), time cut into sections at every step where the set of live buffers changes.
struct Problem {
  std::vector<size_t> members;               // index of each buffer in the caller's allocations
  std::vector<uint64_t> size;                // alignment units
  std::vector<int> firstSection, endSection; // the buffer is live in sections [first, end)
  int sectionCount = 0;
  std::vector<std::vector<int>> neighbours;  // buffers live at a common step
  std::vector<int> previousTwin;             // a lower-index buffer with equal size and lifetime, or -1
  std::vector<int> rank;                     // branching order among buffers that fit at the same offset
  uint64_t lowerBound = 0;                   // most units live in one section
};

// Groups of positive-size buffers whose lifetimes overlap transitively, each sorted by first step.
std::vector<std::vector<size_t>> independentGroups(const std::vector<Allocation>& allocations) {
  std::vector<size_t> order;
  for (size_t i = 0; i < allocations.size(); ++i) {
    if (allocations[i].size) order.push_back(i);
  }
  // Index order breaks ties, as a stable sort would (std::stable_sort trips clang's deprecation warnings in
  // libstdc++ 12).
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (allocations[a].first != allocations[b].first) return allocations[a].first < allocations[b].first;
    return a < b;
  });
  std::vector<std::vector<size_t>> groups;
  int groupEnd = 0;
  for (size_t i : order) {
    if (groups.empty() || allocations[i].first > groupEnd) {
      groups.emplace_back();
      groupEnd = allocations[i].last;
    }
    groups.back().push_back(i);
    groupEnd = std::max(groupEnd, allocations[i].last);
  }
  return groups;
}

Problem buildProblem(const std::vector<Allocation>& allocations, std::vector<size_t> members, uint64_t unit) {
  Problem p;
  const size_t n = members.size();
  p.members = std::move(members);
  std::vector<int64_t> boundaries;
  for (size_t m : p.members) {
    boundaries.push_back(allocations[m].first);
    boundaries.push_back(int64_t{allocations[m].last} + 1);
  }
  std::sort(boundaries.begin(), boundaries.end());
  boundaries.erase(std::unique(boundaries.begin(), boundaries.end()), boundaries.end());
  p.sectionCount = static_cast<int>(boundaries.size()) - 1;
  auto sectionOf = [&](int64_t step) {
    return static_cast<int>(std::lower_bound(boundaries.begin(), boundaries.end(), step) - boundaries.begin());
  };

  std::vector<uint64_t> liveUnits(static_cast<size_t>(p.sectionCount), 0);
  std::map<std::tuple<uint64_t, int, int>, int> lastOfKind;
  for (size_t i = 0; i < n; ++i) {
    const Allocation& a = allocations[p.members[i]];
    p.size.push_back((a.size + unit - 1) / unit);
    p.firstSection.push_back(sectionOf(a.first));
    p.endSection.push_back(sectionOf(int64_t{a.last} + 1));
    for (int s = p.firstSection[i]; s < p.endSection[i]; ++s) liveUnits[static_cast<size_t>(s)] += p.size[i];
    auto [it, fresh] = lastOfKind.try_emplace({p.size[i], p.firstSection[i], p.endSection[i]}, static_cast<int>(i));
    p.previousTwin.push_back(fresh ? -1 : it->second);
    it->second = static_cast<int>(i);
  }
  p.lowerBound = *std::max_element(liveUnits.begin(), liveUnits.end());

  // Members are sorted by first step, so the buffers overlapping i that come after it are a prefix.
  p.neighbours.resize(n);
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = i + 1; j < n && allocations[p.members[j]].first <= allocations[p.members[i]].last; ++j) {
      p.neighbours[i].push_back(static_cast<int>(j));
      p.neighbours[j].push_back(static_cast<int>(i));
    }
  }

  // Long-lived, then large buffers first: they constrain the most, so the first dive stays tight.
  std::vector<int> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](int a, int b) {  // ties in index order, as in independentGroups
    const Allocation& x = allocations[p.members[static_cast<size_t>(a)]];
    const Allocation& y = allocations[p.members[static_cast<size_t>(b)]];
    if (x.last - x.first != y.last - y.first) return x.last - x.first > y.last - y.first;
    if (x.size != y.size) return x.size > y.size;
    return a < b;
  });
  p.rank.resize(n);
  for (size_t r = 0; r < n; ++r) p.rank[static_cast<size_t>(order[r])] = static_cast<int>(r);
  return p;
}

struct SearchOutcome {
  std::vector<uint64_t> offsets;  // units
  uint64_t top = 0;               // arena of the sub-problem, units
  bool complete = false;          // the whole search space was explored: `top` is minimal
  uint64_t nodes = 0;             // search nodes visited
};

// Depth-first branch and bound over canonical placements. At every node the next offset is the
// lowest at which any unplaced buffer can go (the top of the placed buffers it overlaps in time), so
// offsets come out in non-decreasing order and every buffer rests on 0 or on a buffer below it; the
// branches are the buffers that fit there.
class BranchAndBound {
 public:
  BranchAndBound(const Problem& problem, std::vector<uint64_t> seedOffsets, uint64_t seedTop, uint64_t goodEnough,
                 uint64_t nodeLimit)
      : p_(problem),
        goodEnough_(goodEnough),
        nodeLimit_(nodeLimit),
        bestOffsets_(std::move(seedOffsets)),
        bestTop_(seedTop) {
    const size_t n = p_.size.size();
    floor_.assign(static_cast<size_t>(p_.sectionCount), 0);
    remaining_.assign(static_cast<size_t>(p_.sectionCount), 0);
    for (size_t i = 0; i < n; ++i) {
      for (int s = p_.firstSection[i]; s < p_.endSection[i]; ++s) remaining_[static_cast<size_t>(s)] += p_.size[i];
    }
    height_.assign(n, 0);
    offset_.assign(n, 0);
    forbiddenAt_.assign(n, kNoLevel);
    placed_.assign(n, false);
    unplaced_.resize(n);
    std::iota(unplaced_.begin(), unplaced_.end(), 0);
    position_.resize(n);
    std::iota(position_.begin(), position_.end(), size_t{0});
    candidates_.resize(n + 1);
    nextUnpainted_.resize(static_cast<size_t>(p_.sectionCount) + 1);
  }

  SearchOutcome run() {
    search(0);
    return {std::move(bestOffsets_), bestTop_, !outOfBudget_ && !goodEnoughFound_, nodes_};
  }

 private:
  void search(size_t depth) {
    if (++nodes_ > nodeLimit_) outOfBudget_ = true;
    if (outOfBudget_) return;
    if (unplaced_.empty()) {
      if (top_ < bestTop_) {
        bestTop_ = top_;
        bestOffsets_ = offset_;
        goodEnoughFound_ = bestTop_ <= goodEnough_;
      }
      return;
    }
    const uint64_t bound = lowerBound();
    if (bound >= bestTop_) return;
    const uint64_t level = height_[static_cast<size_t>(byHeight_.front())];

    std::vector<int>& candidates = candidates_[depth];
    collectCandidates(level, candidates);
    for (size_t k = 0; k < candidates.size(); ++k) {
      const int c = candidates[k];
      const size_t mark = trail_.size();
      place(c, level);
      search(depth + 1);
      unplace(c, mark);
      if (outOfBudget_ || goodEnoughFound_ || bound >= bestTop_) return;
      // Every plan with `c` at this level after the remaining siblings is a reordering of equal-offset
      // placements explored in the branch just closed.
      save(forbiddenAt_[static_cast<size_t>(c)]);
      forbiddenAt_[static_cast<size_t>(c)] = level;
    }
  }

  // In every section the unplaced buffers stack up from the lowest height any of them can take
  // (which is at least the section's floor): a bound on the arena of any completion.
  uint64_t lowerBound() {
    byHeight_ = unplaced_;
    std::sort(byHeight_.begin(), byHeight_.end(),
              [&](int a, int b) { return height_[static_cast<size_t>(a)] < height_[static_cast<size_t>(b)]; });
    std::iota(nextUnpainted_.begin(), nextUnpainted_.end(), 0);
    uint64_t bound = top_;
    // Lowest buffers first, each section taking the height of the first buffer that covers it.
    for (int v : byHeight_) {
      const size_t i = static_cast<size_t>(v);
      for (int s = unpaintedFrom(p_.firstSection[i]); s < p_.endSection[i]; s = unpaintedFrom(s)) {
        bound = std::max(bound, height_[i] + remaining_[static_cast<size_t>(s)]);
        nextUnpainted_[static_cast<size_t>(s)] = s + 1;
      }
    }
    return bound;
  }

  // First section at or after `s` not yet given a height (union-find with path halving).
  int unpaintedFrom(int s) {
    while (nextUnpainted_[static_cast<size_t>(s)] != s) {
      int& next = nextUnpainted_[static_cast<size_t>(s)];
      next = nextUnpainted_[static_cast<size_t>(next)];
      s = next;
    }
    return s;
  }

  void collectCandidates(uint64_t level, std::vector<int>& candidates) const {
    candidates.clear();
    for (int u : unplaced_) {
      const size_t i = static_cast<size_t>(u);
      if (height_[i] != level || forbiddenAt_[i] == level) continue;
      // Identical buffers are interchangeable: place them in index order only.
      if (p_.previousTwin[i] >= 0 && !placed_[static_cast<size_t>(p_.previousTwin[i])]) continue;
      if (fitsUnderAllNeighbours(u, level)) {
        // Dominant: in any completion the space [level, level + size) of this buffer stays free, so
        // moving it there never hurts; no other branch is needed.
        candidates.assign(1, u);
        return;
      }
      candidates.push_back(u);
    }
    std::sort(candidates.begin(), candidates.end(),
              [&](int a, int b) { return p_.rank[static_cast<size_t>(a)] < p_.rank[static_cast<size_t>(b)]; });
  }

  bool fitsUnderAllNeighbours(int u, uint64_t level) const {
    const uint64_t end = level + p_.size[static_cast<size_t>(u)];
    for (int v : p_.neighbours[static_cast<size_t>(u)]) {
      if (!placed_[static_cast<size_t>(v)] && height_[static_cast<size_t>(v)] < end) return false;
    }
    return true;
  }

  void place(int u, uint64_t offset) {
    const size_t i = static_cast<size_t>(u);
    const uint64_t end = offset + p_.size[i];
    for (int s = p_.firstSection[i]; s < p_.endSection[i]; ++s) {
      save(floor_[static_cast<size_t>(s)]);
      floor_[static_cast<size_t>(s)] = end;
      save(remaining_[static_cast<size_t>(s)]);
      remaining_[static_cast<size_t>(s)] -= p_.size[i];
    }
    for (int v : p_.neighbours[i]) {
      uint64_t& h = height_[static_cast<size_t>(v)];
      if (!placed_[static_cast<size_t>(v)] && h < end) {
        save(h);
        h = end;
      }
    }
    save(top_);
    top_ = std::max(top_, end);
    offset_[i] = offset;
    placed_[i] = true;
    // Swap-remove from the unplaced list; unplace() undoes it in reverse order.
    const size_t at = position_[i];
    const int moved = unplaced_.back();
    unplaced_[at] = moved;
    position_[static_cast<size_t>(moved)] = at;
    unplaced_.pop_back();
    position_[i] = at;
  }

  void unplace(int u, size_t mark) {
    while (trail_.size() > mark) {
      *trail_.back().first = trail_.back().second;
      trail_.pop_back();
    }
    const size_t i = static_cast<size_t>(u);
    placed_[i] = false;
    const size_t at = position_[i];
    if (at == unplaced_.size()) {
      unplaced_.push_back(u);
    } else {
      const int moved = unplaced_[at];
      unplaced_.push_back(moved);
      position_[static_cast<size_t>(moved)] = unplaced_.size() - 1;
      unplaced_[at] = u;
    }
  }

  void save(uint64_t& value) { trail_.emplace_back(&value, value); }

  const Problem& p_;
  const uint64_t goodEnough_;
  const uint64_t nodeLimit_;
  std::vector<uint64_t> bestOffsets_;
  uint64_t bestTop_;

  std::vector<uint64_t> floor_;        // per section: end of the highest placed buffer
  std::vector<uint64_t> remaining_;    // per section: units of unplaced buffers
  std::vector<uint64_t> height_;       // per buffer: lowest offset it can take now
  std::vector<uint64_t> offset_;
  std::vector<uint64_t> forbiddenAt_;  // per buffer: a level at which it was already tried
  std::vector<bool> placed_;
  std::vector<int> unplaced_;
  std::vector<size_t> position_;       // index of each buffer in unplaced_
  std::vector<std::vector<int>> candidates_;  // one list per depth
  std::vector<int> byHeight_;          // scratch of lowerBound()
  std::vector<int> nextUnpainted_;     // scratch of lowerBound(), per section
  std::vector<std::pair<uint64_t*, uint64_t>> trail_;  // undo log of every change above
  uint64_t top_ = 0;
  uint64_t nodes_ = 0;
  bool outOfBudget_ = false;
  bool goodEnoughFound_ = false;
};

}  // namespace

MemoryPlan ExactPlanner::plan(const std::vector<Allocation>& allocations, size_t alignment) const {
  uint64_t workLeft = workBudget_;
  const uint64_t unit = alignment ? alignment : 1;

  // Best-fit on sizes rounded to the alignment: the incumbent, in units like the search.
  std::vector<Allocation> rounded = allocations;
  for (Allocation& a : rounded) a.size = (a.size + unit - 1) / unit * unit;
  const MemoryPlan seed = BestFitPlanner().plan(rounded, unit);

  std::vector<Problem> problems;
  for (auto& group : independentGroups(allocations)) problems.push_back(buildProblem(allocations, std::move(group), unit));
  std::vector<SearchOutcome> outcomes(problems.size());
  for (size_t g = 0; g < problems.size(); ++g) {
    SearchOutcome& o = outcomes[g];
    for (size_t i = 0; i < problems[g].members.size(); ++i) {
      o.offsets.push_back(seed.offsets[problems[g].members[i]] / unit);
      o.top = std::max(o.top, o.offsets[i] + problems[g].size[i]);
    }
    o.complete = o.top == problems[g].lowerBound;
  }

  // Only the largest sub-problem sets the arena: search the largest first, and stop each later one
  // as soon as it fits under the arena already reached.
  std::vector<size_t> order(problems.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return outcomes[a].top > outcomes[b].top; });
  size_t unsolved = static_cast<size_t>(std::count_if(outcomes.begin(), outcomes.end(), [](const SearchOutcome& o) { return !o.complete; }));
  uint64_t arena = 0;
  for (size_t g : order) {
    const uint64_t goodEnough = std::max(problems[g].lowerBound, arena);
    if (!outcomes[g].complete) {
      if (outcomes[g].top > goodEnough) {
        // Each search node costs about one unit of work per buffer (the lower bound visits them all).
        const uint64_t buffers = problems[g].size.size();
        outcomes[g] = BranchAndBound(problems[g], outcomes[g].offsets, outcomes[g].top, goodEnough,
                                     workLeft / unsolved / buffers).run();
        workLeft -= std::min(workLeft, outcomes[g].nodes * buffers);
        outcomes[g].complete = outcomes[g].complete || outcomes[g].top == problems[g].lowerBound;
      }
      --unsolved;
    }
    arena = std::max(arena, outcomes[g].top);
  }

  MemoryPlan result;
  result.offsets.assign(allocations.size(), 0);
  for (size_t g = 0; g < problems.size(); ++g) {
    for (size_t i = 0; i < problems[g].members.size(); ++i) {
      const size_t m = problems[g].members[i];
      result.offsets[m] = outcomes[g].offsets[i] * unit;
      result.arenaSize = std::max(result.arenaSize, result.offsets[m] + allocations[m].size);
    }
  }
  // The arena is minimal when a sub-problem that reaches it was solved exactly.
  result.provenOptimal = std::any_of(order.begin(), order.end(), [&](size_t g) { return outcomes[g].complete && outcomes[g].top == arena; }) ||
                         problems.empty();
  return result;
}

}  // namespace deeploy
