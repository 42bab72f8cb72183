#include "tiling/tile_solver.h"

#include <gecode/int.hh>
#include <gecode/minimodel.hh>
#include <gecode/search.hh>

#include <algorithm>
#include <cmath>
#include <memory>

#include "ir/error.h"
#include "ops/op_schema.h"

namespace deeploy {

namespace {

using namespace Gecode;

// Gecode integers stay below 2^31; bytes are counted in units of 2^scale so large nodes fit too.
constexpr int64_t kGecodeLimit = Int::Limits::max;

int64_t operandExtent(const AxisMap& map, int64_t dim, int64_t tile) {
  if (map.iterAxis < 0) return dim;
  return std::min(dim, map.stride * (tile - 1) + map.window);
}

bool dependsOn(const TileOperand& op, size_t axis) {
  return std::any_of(op.axes.begin(), op.axes.end(), [&](const AxisMap& m) { return m.iterAxis == static_cast<int>(axis); });
}

int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

int gecodeInt(int64_t v, const std::string& what) {
  if (v > kGecodeLimit) throw Int::OutOfLimits(what.c_str());
  return static_cast<int>(v);
}

enum class Objective { Cost, Footprint };

// The model. Per iteration axis, `pick` indexes the axis's useful tile sizes; every other quantity is
// a function of the picks: operand tile bytes (products of per-axis extents, looked up per pick),
// whether an operand changes from tile to tile (then it is double-buffered), how often it is loaded
// in the row-major tile order, and the cost.
class TilingSpace : public IntMinimizeSpace {
 public:
  TilingSpace(const TileProblem& p, const std::vector<std::vector<int64_t>>& sizes, Objective objective, int scale)
      : pick_(*this, static_cast<int>(sizes.size())) {
    const size_t axes = sizes.size();
    IntVarArgs counts;
    BoolVarArgs split;
    for (size_t a = 0; a < axes; ++a) {
      pick_[static_cast<int>(a)] = IntVar(*this, 0, static_cast<int>(sizes[a].size()) - 1);
      std::vector<int> countTable;
      for (int64_t t : sizes[a]) countTable.push_back(gecodeInt(ceilDiv(std::max<int64_t>(p.iteration[a], 1), t), "tile count"));
      IntVar n(*this, 1, *std::max_element(countTable.begin(), countTable.end()));
      element(*this, IntArgs(countTable), pick_[static_cast<int>(a)], n);
      counts << n;
      split << expr(*this, n > 1);
    }
    IntVar tiles = product(counts, 1);

    LinIntExpr footprint(static_cast<int>(p.fixedBytes >> scale));
    LinIntExpr cycles(expr(*this, tiles * static_cast<int>(p.cyclesPerTile)));
    for (const TileOperand& op : p.operands) {
      IntVar bytes = operandBytes(op, sizes, scale);
      BoolVarArgs changes;
      for (size_t a = 0; a < axes; ++a) {
        if (dependsOn(op, a)) changes << split[static_cast<int>(a)];
      }
      BoolVar doubled = anyOf(changes);
      footprint = footprint + expr(*this, bytes * (1 + doubled));
      IntVar moved = expr(*this, bytes * loads(op, counts, split));
      const int perCycle = std::max(1, static_cast<int>(std::floor(op.bytesPerCycle)));
      cycles = cycles + expr(*this, moved / perCycle);
    }
    footprint_ = expr(*this, footprint);
    rel(*this, footprint_ <= gecodeInt(static_cast<int64_t>(std::min<uint64_t>(p.capacityBytes >> scale, kGecodeLimit)), "capacity"));
    cost_ = objective == Objective::Cost ? expr(*this, cycles) : footprint_;
    // Largest tiles first: the first solution is already good and bounds the rest of the search.
    branch(*this, pick_, INT_VAR_NONE(), INT_VAL_MIN());
  }

  TilingSpace(TilingSpace& other) : IntMinimizeSpace(other) {
    pick_.update(*this, other.pick_);
    cost_.update(*this, other.cost_);
    footprint_.update(*this, other.footprint_);
  }
  Space* copy() override { return new TilingSpace(*this); }
  IntVar cost() const override { return cost_; }

  std::vector<int> picks() const {
    std::vector<int> out;
    for (int a = 0; a < pick_.size(); ++a) out.push_back(pick_[a].val());
    return out;
  }

 private:
  BoolVar anyOf(const BoolVarArgs& flags) {
    BoolVar result(*this, 0, 1);
    if (flags.size() == 0) {
      rel(*this, result, IRT_EQ, 0);
    } else {
      rel(*this, BOT_OR, flags, result);
    }
    return result;
  }

  IntVar product(const IntVarArgs& factors, int start) {
    IntVar result(*this, start, start);
    for (int i = 0; i < factors.size(); ++i) result = expr(*this, result * factors[i]);
    return result;
  }

  IntVar operandBytes(const TileOperand& op, const std::vector<std::vector<int64_t>>& sizes, int scale) {
    int64_t wholeFactor = static_cast<int64_t>(op.elementBytes);
    IntVarArgs factors;
    for (size_t d = 0; d < op.axes.size(); ++d) {
      const AxisMap& m = op.axes[d];
      if (m.iterAxis < 0) {
        wholeFactor *= op.shape[d];
        continue;
      }
      std::vector<int> extents;
      for (int64_t t : sizes[static_cast<size_t>(m.iterAxis)]) extents.push_back(gecodeInt(operandExtent(m, op.shape[d], t), "extent"));
      IntVar e(*this, 0, *std::max_element(extents.begin(), extents.end()));
      element(*this, IntArgs(extents), pick_[m.iterAxis], e);
      factors << e;
    }
    // Bytes in units of 2^scale, rounded up: the whole-axis factor is applied before scaling.
    IntVar elements = product(factors, 1);
    const int64_t unit = int64_t{1} << scale;
    if (wholeFactor % unit == 0) return expr(*this, elements * gecodeInt(wholeFactor / unit, "operand bytes"));
    IntVar raw = expr(*this, elements * gecodeInt(wholeFactor, "operand bytes"));
    return expr(*this, (raw + static_cast<int>(unit - 1)) / static_cast<int>(unit));
  }

  // Loads of an operand in row-major tile order: it is reloaded whenever an axis it depends on
  // advances, and an outer axis's advance counts too when some inner axis it depends on is split.
  IntVar loads(const TileOperand& op, const IntVarArgs& counts, const BoolVarArgs& split) {
    IntVarArgs factors;
    for (int a = 0; a < counts.size(); ++a) {
      if (dependsOn(op, static_cast<size_t>(a))) {
        factors << counts[a];
        continue;
      }
      BoolVarArgs inner;
      for (int b = a + 1; b < counts.size(); ++b) {
        if (dependsOn(op, static_cast<size_t>(b))) inner << split[b];
      }
      if (inner.size() == 0) continue;
      BoolVar reloaded = anyOf(inner);
      factors << expr(*this, 1 + reloaded * (counts[a] - 1));
    }
    return product(factors, 1);
  }

  IntVarArray pick_;
  IntVar cost_;
  IntVar footprint_;
};

std::vector<std::vector<int64_t>> candidateSizes(const TileProblem& p) {
  std::vector<std::vector<int64_t>> sizes;
  for (size_t a = 0; a < p.iteration.size(); ++a) {
    const int64_t extent = std::max<int64_t>(p.iteration[a], 1);
    sizes.push_back(p.splittable[a] ? usefulTileSizes(extent) : std::vector<int64_t>{extent});
  }
  return sizes;
}

struct SearchResult {
  std::vector<int64_t> tileSize;
  bool found = false;
  bool complete = false;
};

SearchResult search(const TileProblem& p, Objective objective, std::chrono::milliseconds budget) {
  const auto sizes = candidateSizes(p);
  for (int scale = 0; scale <= 24; scale += 4) {
    std::unique_ptr<TilingSpace> root;
    try {
      root = std::make_unique<TilingSpace>(p, sizes, objective, scale);
    } catch (const Int::OutOfLimits&) {
      continue;  // counts too large for Gecode's integers: count bytes in larger units
    }
    SearchResult result;
    if (root->status() == SS_FAILED) {
      result.complete = true;
      return result;
    }
    Search::Options options;
    std::unique_ptr<Search::Stop> stop(Search::Stop::time(static_cast<unsigned long>(std::max<int64_t>(budget.count(), 1))));
    options.stop = stop.get();
    BAB<TilingSpace> engine(root.get(), options);
    while (TilingSpace* solution = engine.next()) {
      result.found = true;
      result.tileSize.clear();
      std::vector<int> picks = solution->picks();
      for (size_t a = 0; a < picks.size(); ++a) result.tileSize.push_back(sizes[a][static_cast<size_t>(picks[a])]);
      delete solution;
    }
    result.complete = !engine.stopped();
    return result;
  }
  throw Error(p.what + ": the tiling problem is too large for the solver's integer range");
}

std::string bytesText(uint64_t n) { return std::to_string(n) + " B"; }

}  // namespace

std::vector<int64_t> usefulTileSizes(int64_t extent) {
  std::vector<int64_t> sizes;
  for (int64_t n = 1; n <= extent; ++n) {
    const int64_t t = ceilDiv(extent, n);
    if (sizes.empty() || sizes.back() != t) sizes.push_back(t);
  }
  return sizes;
}

uint64_t modelledFootprint(const TileProblem& p, const std::vector<int64_t>& tileSize) {
  uint64_t total = p.fixedBytes;
  for (const TileOperand& op : p.operands) {
    uint64_t bytes = op.elementBytes;
    bool changes = false;
    for (size_t d = 0; d < op.axes.size(); ++d) {
      const AxisMap& m = op.axes[d];
      bytes *= static_cast<uint64_t>(m.iterAxis < 0 ? op.shape[d] : operandExtent(m, op.shape[d], tileSize[static_cast<size_t>(m.iterAxis)]));
      if (m.iterAxis >= 0 && tileSize[static_cast<size_t>(m.iterAxis)] < p.iteration[static_cast<size_t>(m.iterAxis)]) changes = true;
    }
    total += bytes * (changes ? 2 : 1);
  }
  return total;
}

std::vector<int64_t> smallestTiling(const TileProblem& problem, std::chrono::milliseconds budget) {
  TileProblem unbounded = problem;
  unbounded.capacityBytes = uint64_t{1} << 40;
  SearchResult r = search(unbounded, Objective::Footprint, budget);
  if (!r.found) throw Error(problem.what + ": the tiling solver found no tiling within its time limit of " + std::to_string(budget.count()) + " ms");
  return r.tileSize;
}

std::optional<TileChoice> solveTiling(const TileProblem& p, std::chrono::milliseconds budget) {
  SearchResult r = search(p, Objective::Cost, budget);
  if (!r.found) {
    if (r.complete) return std::nullopt;
    throw Error(p.what + ": the tiling solver found no tiling within its time limit of " + std::to_string(budget.count()) +
                " ms (L1 " + bytesText(p.capacityBytes) + ")");
  }
  TileChoice choice;
  choice.tileSize = r.tileSize;
  choice.provenOptimal = r.complete;
  for (size_t a = 0; a < p.iteration.size(); ++a) choice.tileCount.push_back(ceilDiv(std::max<int64_t>(p.iteration[a], 1), r.tileSize[a]));
  choice.footprintBytes = modelledFootprint(p, r.tileSize);
  return choice;
}

TileProblem tileProblemFor(const Graph& graph, const Node& node, const TilingGeometry& g, const TilingTarget& target) {
  TileProblem p;
  p.what = node.describe();
  p.iteration = g.iteration;
  p.splittable = g.splittable;
  p.capacityBytes = target.capacityBytes;
  p.cyclesPerTile = target.cyclesPerTile;
  auto add = [&](TensorId id, const std::vector<AxisMap>& axes) {
    if (id == kNoTensor) return;
    const Tensor& t = graph.tensor(id);
    p.operands.push_back({axes, t.shape, dtypeSize(t.dtype), t.isConstant() ? target.weightBytesPerCycle : target.activationBytesPerCycle});
  };
  for (size_t i = 0; i < node.inputs.size(); ++i) add(node.inputs[i], g.inputs[i]);
  for (size_t o = 0; o < node.outputs.size(); ++o) add(node.outputs[o], g.outputs[o]);
  const OpSchema& schema = OpRegistry::instance().get(node);
  if (schema.scratchBytes) p.fixedBytes = schema.scratchBytes(graph, node);
  return p;
}

}  // namespace deeploy
