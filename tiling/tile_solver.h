// Tile sizes of one node as a constraint problem solved with Gecode: an integer tile size for every
// iteration axis (hence for every axis of every operand, through the operator's geometry), operand
// tiles that fit the compute level with double buffering, and the lowest modelled cost.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tiling/geometry.h"
#include "tiling/tiling_target.h"

namespace deeploy {

struct TileOperand {
  std::vector<AxisMap> axes;  // from the geometry
  Shape shape;                // the whole operand
  size_t elementBytes = 1;
  double bytesPerCycle = 1;   // DMA bandwidth between its home level and the compute level
};

struct TileProblem {
  std::string what;                 // the node, for messages
  Shape iteration;
  std::vector<bool> splittable;
  std::vector<TileOperand> operands;  // every operand moved between its level and the compute level
  uint64_t fixedBytes = 0;          // needed in the compute level whatever the tiles (scratch, tables)
  uint64_t capacityBytes = 0;       // of the compute level
  int64_t cyclesPerTile = 100;      // fixed cost of one tile: DMA set-up, kernel call, loop
};

struct TileChoice {
  std::vector<int64_t> tileSize;  // per iteration axis
  std::vector<int64_t> tileCount; // per iteration axis
  uint64_t footprintBytes = 0;    // modelled compute-level bytes (operand buffers x buffering + fixed)
  bool provenOptimal = false;     // the search finished within its time budget
};

// Sizes worth considering for an axis of `extent`: ceil(extent / n) for every tile count n, largest
// first (any other size takes as many tiles as the next one up and only wastes memory).
std::vector<int64_t> usefulTileSizes(int64_t extent);

// The modelled footprint of a choice of tile sizes (the same formula the solver constrains).
uint64_t modelledFootprint(const TileProblem& problem, const std::vector<int64_t>& tileSize);

// The cheapest tiling that fits; nullopt when none does. Throws Error when the solver finds no
// solution within `nodeBudget` search nodes (saying so).
std::optional<TileChoice> solveTiling(const TileProblem& problem, uint64_t nodeBudget);

// The tile sizes with the smallest modelled footprint, whatever the capacity.
std::vector<int64_t> smallestTiling(const TileProblem& problem, uint64_t nodeBudget);

// The problem of tiling `node` with geometry `g` for `target`: every operand moves between its level
// and the compute level (but the constants of a node the NPU runs, which it reads in place); the kernel's
// scratch is fixed.
TileProblem tileProblemFor(const Graph& graph, const Node& node, const TilingGeometry& g, const TilingTarget& target);

}  // namespace deeploy
