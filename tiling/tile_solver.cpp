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

enum class Objective { Cost, Footprint };

// Gecode's integers stay below 2^31 and its products must too: bytes in the footprint are exact
// (an operand tile above 2 GiB is refused), cost terms are counted in units of 2^scale bytes with the
// smallest scale whose largest possible cost stays in range, and tile sizes that would make more than
// 2^30 tiles are not considered.
struct ModelRange {
  int scale = 0;
};

int64_t maxTileCount(const TileProblem& p, const std::vector<std::vector<int64_t>>& sizes) {
  int64_t tiles = 1;
  for (size_t a = 0; a < sizes.size(); ++a) tiles *= ceilDiv(std::max<int64_t>(p.iteration[a], 1), sizes[a].back());
  return tiles;
}

int64_t maxOperandBytes(const TileOperand& op, const std::vector<std::vector<int64_t>>& sizes) {
  int64_t bytes = static_cast<int64_t>(op.elementBytes);
  for (size_t d = 0; d < op.axes.size(); ++d) {
    const AxisMap& m = op.axes[d];
    bytes *= m.iterAxis < 0 ? op.shape[d] : operandExtent(m, op.shape[d], sizes[static_cast<size_t>(m.iterAxis)].front());
  }
  return bytes;
}

int bandwidthEighths(double bytesPerCycle) { return std::max(1, static_cast<int>(std::lround(bytesPerCycle * 8))); }

ModelRange modelRange(const TileProblem& p, const std::vector<std::vector<int64_t>>& sizes) {
  if (p.fixedBytes >= static_cast<uint64_t>(kGecodeLimit)) throw Error(p.what + ": its scratch memory is too large to tile");
  for (const TileOperand& op : p.operands) {
    if (maxOperandBytes(op, sizes) >= kGecodeLimit) throw Error(p.what + ": an operand is too large (2 GiB or more) to tile");
  }
  const double tiles = static_cast<double>(maxTileCount(p, sizes));
  for (int scale = 0; scale < 40; ++scale) {
    const double unit = std::ldexp(1.0, scale);
    double cost = tiles * std::max(1.0, std::floor(static_cast<double>(p.cyclesPerTile) / unit));
    for (const TileOperand& op : p.operands) {
      cost += std::ceil(static_cast<double>(maxOperandBytes(op, sizes)) / unit) * tiles * 8;
    }
    if (cost < std::ldexp(1.0, 30)) return {scale};
  }
  throw Error(p.what + ": the tiling problem is too large for the solver's integer range");
}

// The model. Per iteration axis, `pick` indexes the axis's useful tile sizes; every other quantity is
// a function of the picks: operand tile bytes (products of per-axis extents, looked up per pick),
// whether an operand changes from tile to tile (then it is double-buffered), how often it is loaded
// in the row-major tile order, and the cost: DMA cycles (bytes moved over the link bandwidth) plus a
// fixed cost per tile.
class TilingSpace : public IntMinimizeSpace {
 public:
  TilingSpace(const TileProblem& p, const std::vector<std::vector<int64_t>>& sizes, Objective objective, int scale)
      : pick_(*this, static_cast<int>(sizes.size())) {
    const size_t axes = sizes.size();
    const int unit = 1 << scale;
    IntVarArgs counts;
    BoolVarArgs split;
    for (size_t a = 0; a < axes; ++a) {
      pick_[static_cast<int>(a)] = IntVar(*this, 0, static_cast<int>(sizes[a].size()) - 1);
      std::vector<int> countTable;
      for (int64_t t : sizes[a]) countTable.push_back(static_cast<int>(ceilDiv(std::max<int64_t>(p.iteration[a], 1), t)));
      IntVar n(*this, 1, *std::max_element(countTable.begin(), countTable.end()));
      element(*this, IntArgs(countTable), pick_[static_cast<int>(a)], n);
      counts << n;
      split << expr(*this, n > 1);
    }
    IntVar tiles = product(counts);

    IntVarArgs footprintTerms, costTerms;
    const int cyclesPerTile = p.cyclesPerTile > 0 ? std::max<int>(1, static_cast<int>(p.cyclesPerTile >> scale)) : 0;
    costTerms << bounded(tiles * cyclesPerTile);
    for (const TileOperand& op : p.operands) {
      IntVar bytes = operandBytes(op, sizes);
      BoolVarArgs changes;
      for (size_t a = 0; a < axes; ++a) {
        if (dependsOn(op, a)) changes << split[static_cast<int>(a)];
      }
      footprintTerms << bounded(bytes * (1 + anyOf(changes)));
      IntVar units = bounded((bytes + (unit - 1)) / unit);
      IntVar moved = bounded(units * loads(op, counts, split));
      costTerms << bounded(moved * 8 / bandwidthEighths(op.bytesPerCycle));
    }
    footprint_ = IntVar(*this, 0, Int::Limits::max);
    linear(*this, footprintTerms, IRT_EQ, footprint_);
    rel(*this, footprint_ + static_cast<int>(p.fixedBytes) <= static_cast<int>(std::min<uint64_t>(p.capacityBytes, kGecodeLimit)));
    IntVar cycles(*this, 0, Int::Limits::max);
    linear(*this, costTerms, IRT_EQ, cycles);
    cost_ = objective == Objective::Cost ? cycles : footprint_;
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

  // A non-negative quantity that must stay in Gecode's range: values beyond it are impossible.
  IntVar bounded(const LinIntExpr& e) {
    IntVar v(*this, 0, Int::Limits::max);
    rel(*this, v == e);
    return v;
  }

  IntVar product(const IntVarArgs& factors) {
    IntVar result(*this, 1, 1);
    for (int i = 0; i < factors.size(); ++i) result = bounded(result * factors[i]);
    return result;
  }

  IntVar operandBytes(const TileOperand& op, const std::vector<std::vector<int64_t>>& sizes) {
    int64_t wholeFactor = static_cast<int64_t>(op.elementBytes);
    IntVarArgs factors;
    for (size_t d = 0; d < op.axes.size(); ++d) {
      const AxisMap& m = op.axes[d];
      if (m.iterAxis < 0) {
        wholeFactor *= op.shape[d];
        continue;
      }
      std::vector<int> extents;
      for (int64_t t : sizes[static_cast<size_t>(m.iterAxis)]) extents.push_back(static_cast<int>(operandExtent(m, op.shape[d], t)));
      IntVar e(*this, 0, *std::max_element(extents.begin(), extents.end()));
      element(*this, IntArgs(extents), pick_[m.iterAxis], e);
      factors << e;
    }
    return bounded(product(factors) * static_cast<int>(wholeFactor));
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
      factors << bounded(1 + reloaded * (counts[a] - 1));
    }
    return product(factors);
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
  // Drop the smallest tiles of the most finely cut axis while more than 2^30 tiles are possible.
  while (maxTileCount(p, sizes) > (int64_t{1} << 30)) {
    auto finest = std::max_element(sizes.begin(), sizes.end(), [&](const auto& x, const auto& y) {
      return ceilDiv(p.iteration[static_cast<size_t>(&x - sizes.data())], x.back()) <
             ceilDiv(p.iteration[static_cast<size_t>(&y - sizes.data())], y.back());
    });
    finest->pop_back();
  }
  return sizes;
}

struct SearchResult {
  std::vector<int64_t> tileSize;
  bool found = false;
  bool complete = false;
};

SearchResult search(const TileProblem& p, Objective objective, uint64_t nodeBudget) {
  const auto sizes = candidateSizes(p);
  const ModelRange range = modelRange(p, sizes);
  TilingSpace root(p, sizes, objective, range.scale);
  SearchResult result;
  if (root.status() == SS_FAILED) {
    result.complete = true;
    return result;
  }
  Search::Options options;
  std::unique_ptr<Search::Stop> stop(Search::Stop::node(static_cast<unsigned long>(std::max<uint64_t>(nodeBudget, 1))));
  options.stop = stop.get();
  BAB<TilingSpace> engine(&root, options);
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

std::string bytesText(uint64_t n) { return std::to_string(n) + " B"; }

std::string budgetText(uint64_t nodeBudget) { return "its search budget of " + std::to_string(nodeBudget) + " nodes"; }

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

std::vector<int64_t> smallestTiling(const TileProblem& problem, uint64_t nodeBudget) {
  TileProblem unbounded = problem;
  unbounded.capacityBytes = uint64_t{1} << 40;
  SearchResult r = search(unbounded, Objective::Footprint, nodeBudget);
  if (!r.found && r.complete) throw Error(problem.what + ": no tiling exists within the solver's integer range");
  if (!r.found) throw Error(problem.what + ": the tiling solver found no tiling within " + budgetText(nodeBudget));
  return r.tileSize;
}

std::optional<TileChoice> solveTiling(const TileProblem& p, uint64_t nodeBudget) {
  SearchResult r = search(p, Objective::Cost, nodeBudget);
  if (!r.found) {
    if (r.complete) return std::nullopt;
    throw Error(p.what + ": the tiling solver found no tiling within " + budgetText(nodeBudget) + " (L1 " +
                bytesText(p.capacityBytes) + ")");
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
  for (size_t i = 0; i < node.inputs.size(); ++i) {
    // The NPU reads its weights, scales and biases in place (codegen/npu_node.h): no L1, no transfers.
    const bool inPlace = node.engine == NodeEngine::Npu && node.inputs[i] != kNoTensor && graph.tensor(node.inputs[i]).isConstant();
    if (!inPlace) add(node.inputs[i], g.inputs[i]);
  }
  for (size_t o = 0; o < node.outputs.size(); ++o) add(node.outputs[o], g.outputs[o]);
  const OpSchema& schema = OpRegistry::instance().get(node);
  if (schema.scratchBytes) p.fixedBytes = schema.scratchBytes(graph, node);
  return p;
}

}  // namespace deeploy
