// Test support for operator tiling geometries: a node computed tile by tile (each tile from its operand
// regions, with its adjusted attributes, by the reference interpreter) and stitched together must equal
// the node computed whole.
#pragma once

#include <cstdint>
#include <vector>

#include "tests/support/single_node.h"
#include "tiling/geometry.h"

namespace deeploy::testing {

// Every tile of the iteration space cut into pieces of `tileSizes` (per iteration axis; 0, or an axis
// the geometry does not allow to split, keeps the axis whole), in row-major order.
std::vector<Box> cutIterationSpace(const TilingGeometry& geometry, const std::vector<int64_t>& tileSizes);

// Runs the midend on the one-node case (it must stay one node), cuts it with `tileSizes` and checks
// that the stitched tiles reproduce the whole node's outputs exactly.
void expectTilesReassembleWhole(const NodeCase& c, const std::vector<int64_t>& tileSizes);

// The same for a set of cuts: tiles of 1, of 2 and of (extent - 1) elements on each splittable axis
// alone, and all splittable axes cut in halves together. Also checks that at least one axis of the
// node's geometry is splittable when `expectSplittable` is set.
void expectEveryCutReassemblesWhole(const NodeCase& c, bool expectSplittable = true);

}  // namespace deeploy::testing
