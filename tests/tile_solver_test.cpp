#include "tiling/tile_solver.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

namespace deeploy {
namespace {

constexpr uint64_t kBudget = 10'000'000;

int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

// The documented cost model, written out independently of the solver.
class Model {
 public:
  explicit Model(const TileProblem& p) : p_(p) {}

  std::vector<int64_t> counts(const std::vector<int64_t>& tile) const {
    std::vector<int64_t> out;
    for (size_t a = 0; a < tile.size(); ++a) out.push_back(ceilDiv(p_.iteration[a], tile[a]));
    return out;
  }

  uint64_t operandBytes(const TileOperand& op, const std::vector<int64_t>& tile) const {
    uint64_t bytes = op.elementBytes;
    for (size_t d = 0; d < op.axes.size(); ++d) {
      const AxisMap& m = op.axes[d];
      const int64_t dim = op.shape[d];
      bytes *= static_cast<uint64_t>(m.iterAxis < 0 ? dim : std::min(dim, m.stride * (tile[static_cast<size_t>(m.iterAxis)] - 1) + m.window));
    }
    return bytes;
  }

  static bool dependsOn(const TileOperand& op, size_t axis) {
    return std::any_of(op.axes.begin(), op.axes.end(), [&](const AxisMap& m) { return m.iterAxis == static_cast<int>(axis); });
  }

  uint64_t footprint(const std::vector<int64_t>& tile) const {
    const std::vector<int64_t> n = counts(tile);
    uint64_t total = p_.fixedBytes;
    for (const TileOperand& op : p_.operands) {
      bool changes = false;
      for (size_t a = 0; a < n.size(); ++a) changes = changes || (dependsOn(op, a) && n[a] > 1);
      total += operandBytes(op, tile) * (changes ? 2 : 1);
    }
    return total;
  }

  // Row-major tile order: an operand is reloaded when an axis it depends on advances, or when an
  // outer axis advances after an inner one it depends on has moved it.
  uint64_t loads(const TileOperand& op, const std::vector<int64_t>& n) const {
    uint64_t loads = 1;
    for (size_t a = 0; a < n.size(); ++a) {
      bool innerSplit = false;
      for (size_t b = a + 1; b < n.size(); ++b) innerSplit = innerSplit || (dependsOn(op, b) && n[b] > 1);
      if (dependsOn(op, a) || innerSplit) loads *= static_cast<uint64_t>(n[a]);
    }
    return loads;
  }

  uint64_t cost(const std::vector<int64_t>& tile) const {
    const std::vector<int64_t> n = counts(tile);
    uint64_t tiles = 1;
    for (int64_t c : n) tiles *= static_cast<uint64_t>(c);
    uint64_t cycles = tiles * static_cast<uint64_t>(p_.cyclesPerTile);
    for (const TileOperand& op : p_.operands) {
      // Bandwidth in eighths of a byte per cycle, so fractional links count exactly.
      const auto eighths = static_cast<uint64_t>(std::max(1L, std::lround(op.bytesPerCycle * 8)));
      cycles += operandBytes(op, tile) * loads(op, n) * 8 / eighths;
    }
    return cycles;
  }

  // Every combination of useful tile sizes (unsplittable axes whole).
  std::vector<std::vector<int64_t>> allTilings() const {
    std::vector<std::vector<int64_t>> all = {{}};
    for (size_t a = 0; a < p_.iteration.size(); ++a) {
      const std::vector<int64_t> sizes = p_.splittable[a] ? usefulTileSizes(p_.iteration[a]) : std::vector<int64_t>{p_.iteration[a]};
      std::vector<std::vector<int64_t>> extended;
      for (const auto& prefix : all) {
        for (int64_t t : sizes) {
          extended.push_back(prefix);
          extended.back().push_back(t);
        }
      }
      all = std::move(extended);
    }
    return all;
  }

  uint64_t smallestFootprint() const {
    uint64_t best = std::numeric_limits<uint64_t>::max();
    for (const auto& tile : allTilings()) best = std::min(best, footprint(tile));
    return best;
  }

  // Cheapest cost among tilings that fit; nullopt when none does.
  std::optional<uint64_t> cheapestFittingCost() const {
    std::optional<uint64_t> best;
    for (const auto& tile : allTilings()) {
      if (footprint(tile) <= p_.capacityBytes && (!best || cost(tile) < *best)) best = cost(tile);
    }
    return best;
  }

 private:
  const TileProblem& p_;
};

// Small problems (so bytes are counted exactly): element-wise and sliding-window operand axes,
// whole axes, unsplittable axes, fractional DMA bandwidths, scratch and per-tile overheads.
TileProblem randomProblem(std::mt19937& rng) {
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  TileProblem p;
  p.what = "random";
  const int axes = pick(1, 3);
  for (int a = 0; a < axes; ++a) {
    p.iteration.push_back(pick(1, 12));
    p.splittable.push_back(pick(0, 4) != 0);
  }
  const int operands = pick(1, 3);
  for (int o = 0; o < operands; ++o) {
    TileOperand op;
    const int rank = pick(1, 3);
    for (int d = 0; d < rank; ++d) {
      if (pick(0, 3) == 0) {
        op.axes.push_back(AxisMap::whole());
        op.shape.push_back(pick(1, 6));
        continue;
      }
      const int axis = pick(0, axes - 1);
      const int64_t stride = pick(1, 2), window = pick(1, 3);
      op.axes.push_back({axis, stride, 0, window});
      // Padding lets a window reach past the operand; the extent is then clipped to the axis.
      op.shape.push_back(std::max<int64_t>(1, stride * (p.iteration[static_cast<size_t>(axis)] - 1) + window - pick(0, 1)));
    }
    op.elementBytes = std::vector<size_t>{1, 2, 4}[static_cast<size_t>(pick(0, 2))];
    op.bytesPerCycle = std::vector<double>{0.5, 1, 2, 3.7, 8}[static_cast<size_t>(pick(0, 4))];
    p.operands.push_back(op);
  }
  p.fixedBytes = static_cast<uint64_t>(pick(0, 64));
  p.cyclesPerTile = std::vector<int64_t>{0, 10, 100, 1000}[static_cast<size_t>(pick(0, 3))];
  // Capacities from just below the smallest footprint to above the whole node.
  const Model model(p);
  const uint64_t smallest = model.smallestFootprint();
  uint64_t whole = 0;
  for (const auto& tile : model.allTilings()) whole = std::max(whole, model.footprint(tile));
  p.capacityBytes = smallest - 1 + static_cast<uint64_t>(std::uniform_int_distribution<uint64_t>(0, whole - smallest + 8)(rng));
  return p;
}

TEST(UsefulTileSizes, AreTheDistinctCeilingsOfTheExtentOverTileCountsLargestFirst) {
  EXPECT_EQ(usefulTileSizes(10), (std::vector<int64_t>{10, 5, 4, 3, 2, 1}));
  EXPECT_EQ(usefulTileSizes(1), (std::vector<int64_t>{1}));
  for (int64_t extent = 1; extent <= 300; ++extent) {
    const std::vector<int64_t> sizes = usefulTileSizes(extent);
    std::vector<int64_t> expected;
    for (int64_t n = extent; n >= 1; --n) {
      if (expected.empty() || expected.back() != ceilDiv(extent, n)) expected.push_back(ceilDiv(extent, n));
    }
    std::reverse(expected.begin(), expected.end());
    EXPECT_EQ(sizes, expected) << "extent " << extent;
  }
}

TEST(SolveTiling, MatchesABruteForceSearchOfTheDocumentedModel) {
  std::mt19937 rng(7);
  int fitting = 0, notFitting = 0;
  for (int trial = 0; trial < 1000; ++trial) {
    const TileProblem p = randomProblem(rng);
    const Model model(p);
    const std::optional<uint64_t> cheapest = model.cheapestFittingCost();
    const std::optional<TileChoice> choice = solveTiling(p, kBudget);
    ASSERT_EQ(choice.has_value(), cheapest.has_value()) << "trial " << trial;
    if (!choice) {
      ++notFitting;
      continue;
    }
    ++fitting;
    EXPECT_TRUE(choice->provenOptimal) << "trial " << trial;
    EXPECT_EQ(choice->tileCount, model.counts(choice->tileSize)) << "trial " << trial;
    EXPECT_EQ(choice->footprintBytes, model.footprint(choice->tileSize)) << "trial " << trial;
    EXPECT_EQ(modelledFootprint(p, choice->tileSize), model.footprint(choice->tileSize)) << "trial " << trial;
    EXPECT_LE(choice->footprintBytes, p.capacityBytes) << "trial " << trial;
    EXPECT_EQ(model.cost(choice->tileSize), *cheapest) << "trial " << trial;
  }
  // Both outcomes were exercised.
  EXPECT_GT(fitting, 300);
  EXPECT_GT(notFitting, 30);
}

TEST(SmallestTiling, HasTheBruteForceMinimumFootprint) {
  std::mt19937 rng(11);
  for (int trial = 0; trial < 200; ++trial) {
    const TileProblem p = randomProblem(rng);
    const Model model(p);
    EXPECT_EQ(modelledFootprint(p, smallestTiling(p, kBudget)), model.smallestFootprint()) << "trial " << trial;
  }
}

// Y[i, j] = A[i, :] . B[:, j], with K = 16 read whole.
TileProblem matmulProblem(uint64_t capacity) {
  TileProblem p;
  p.what = "matmul";
  p.iteration = {32, 24};
  p.splittable = {true, true};
  p.operands = {{{AxisMap::follow(0), AxisMap::whole()}, {32, 16}, 1, 1},
                {{AxisMap::whole(), AxisMap::follow(1)}, {16, 24}, 1, 1},
                {{AxisMap::follow(0), AxisMap::follow(1)}, {32, 24}, 4, 1}};
  p.capacityBytes = capacity;
  return p;
}

TEST(SolveTiling, KeepsTheWholeNodeWhenItFits) {
  const TileProblem p = matmulProblem(1 << 20);
  const std::optional<TileChoice> choice = solveTiling(p, kBudget);
  ASSERT_TRUE(choice);
  EXPECT_EQ(choice->tileSize, (std::vector<int64_t>{32, 24}));
  EXPECT_EQ(choice->footprintBytes, 32u * 16 + 16 * 24 + 32 * 24 * 4);
}

TEST(SolveTiling, ReturnsNulloptJustBelowTheSmallestFootprint) {
  TileProblem p = matmulProblem(0);
  const uint64_t smallest = Model(p).smallestFootprint();
  p.capacityBytes = smallest - 1;
  EXPECT_FALSE(solveTiling(p, kBudget));
  p.capacityBytes = smallest;
  const std::optional<TileChoice> choice = solveTiling(p, kBudget);
  ASSERT_TRUE(choice);
  EXPECT_EQ(choice->footprintBytes, smallest);
}

TEST(SolveTiling, KeepsUnsplittableAxesWhole) {
  TileProblem p = matmulProblem(0);
  p.splittable = {true, false};
  // Splitting the rows alone: 2 x (16 + 24 x 4) per row, plus B whole (16 x 24) once.
  const uint64_t oneRow = 2 * (16 + 24 * 4) + 16 * 24;
  p.capacityBytes = oneRow;
  const std::optional<TileChoice> choice = solveTiling(p, kBudget);
  ASSERT_TRUE(choice);
  EXPECT_EQ(choice->tileSize, (std::vector<int64_t>{1, 24}));
  EXPECT_EQ(choice->tileCount, (std::vector<int64_t>{32, 1}));
  EXPECT_EQ(smallestTiling(p, kBudget), (std::vector<int64_t>{1, 24}));
  // Splitting the columns would fit in less, but they must stay whole.
  p.capacityBytes = oneRow - 1;
  EXPECT_FALSE(solveTiling(p, kBudget));
}

}  // namespace
}  // namespace deeploy

namespace deeploy {
namespace {

// An int8 MatMul [m, k] x [k, n] -> int32 [m, n] with K read whole.
TileProblem largeMatMul(int64_t m, int64_t k, int64_t n, uint64_t capacity) {
  TileProblem p;
  p.what = "large MatMul";
  p.iteration = {m, n};
  p.splittable = {true, true};
  p.operands = {{{AxisMap::follow(0), AxisMap::whole()}, {m, k}, 1, 8},
                {{AxisMap::whole(), AxisMap::follow(1)}, {k, n}, 1, 8},
                {{AxisMap::follow(0), AxisMap::follow(1)}, {m, n}, 4, 8}};
  p.capacityBytes = capacity;
  return p;
}

TEST(SolveTiling, ProblemsBeyondGecodesIntegerRangeStillFindTheirTilings) {
  // Billions of bytes move in every tiling here: costs are counted in coarser units, never dropped.
  const TileProblem p = largeMatMul(4096, 4096, 4096, 65536);
  const std::optional<TileChoice> choice = solveTiling(p, kBudget);
  ASSERT_TRUE(choice.has_value());
  EXPECT_LE(choice->footprintBytes, 65536u);
  EXPECT_EQ(smallestTiling(p, kBudget), (std::vector<int64_t>{1, 1}));
  EXPECT_EQ(modelledFootprint(p, {1, 1}), 2u * 4096 + 2u * 4096 + 2u * 4);
}

}  // namespace
}  // namespace deeploy
