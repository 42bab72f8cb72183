// Code for one node computed tile by tile in the compute level (L1): tile sizes from the solver,
// operand tiles moved by asynchronous DMA with double buffering (the next tile's inputs load while
// the current tile computes; a tile's outputs are written back while the next computes), and the
// node's own kernel called once per tile on its L1 buffers. With more than one core (the writer's
// options), each tile's node is cut into contiguous chunks, one kernel call per core on its part of
// the tile's buffers, run as a fork/join job; the tiling and the buffers stay those of one core.
#pragma once

#include <optional>

#include "codegen/network_writer.h"
#include "ir/error.h"
#include "ir/graph.h"
#include "tiling/tiling_target.h"

namespace deeploy {

struct TilingDoesNotFit : Error {
  using Error::Error;
};

// Thrown, before anything is emitted, when a follower cannot share the tiled node's tiles.
struct FollowerNotFused : Error {
  using Error::Error;
};

// The node right after `nodeIndex` when it can be computed in the same tiles, on the tiled node's output
// buffer in L1: an element-wise node (every other input constant, no scratch) that is the only reader of
// the node's single output, which is no graph output. The output is then never written to the activation
// level, and the follower costs no transfers, DMA waits or fork/join of its own. Not when the arena plan
// put the follower's output where the node's runtime inputs are (a plan that did not hold them, see
// tiledFollowerHolds).
std::optional<size_t> tiledFollower(const Graph& graph, const ActivationMemory& memory, size_t nodeIndex);
// The nodes whose runtime inputs the arena plan must hold through the next node's step, so that a
// follower computed in their tiles does not write over them (planActivationMemory's heldInputs).
std::vector<size_t> tiledFollowerHolds(const Graph& graph);

// Chooses the tiles of node `nodeIndex` of `graph` for `target` (its outputs must not be empty), with
// `follower` (from tiledFollower) computed in the same tiles: the tile solver's cheapest choice whose
// buffers, as emitted, fit the compute level. Throws TilingDoesNotFit naming the node and the L1 its
// smallest tiling needs when no tiling fits, FollowerNotFused when the follower cannot be computed so.
NodeTiling chooseTiling(const NetworkWriter& writer, const Graph& graph, size_t nodeIndex, std::optional<size_t> follower,
                        const TilingTarget& target, size_t alignment);

// Emits node `nodeIndex` in the tiles `tiling` chose (with the node after it when tiling.withFollower).
NodeTilingReport emitTiledNode(NetworkWriter& writer, const Graph& graph, size_t nodeIndex, const NodeTiling& tiling,
                               const TilingTarget& target, size_t alignment);

// The compute-level bytes of the node's smallest tiling, as emitted.
size_t smallestTiledL1(const NetworkWriter& writer, const Graph& graph, size_t nodeIndex, const TilingTarget& target,
                       size_t alignment);

}  // namespace deeploy
