// KV-cache lowering: a decode (or prefill) step that takes its key and value caches as graph inputs,
// appends the step's new rows with a Concat and returns the grown caches as graph outputs becomes a
// step over persistent caches of a fixed capacity:
//   - each cache is a state buffer [blocks..., maxRows, width] that lives across runs, outside the arena;
//   - the Concat becomes KVAppend (the new rows written in place at row cache_length, no copy of the cache);
//   - a new int32 [1] graph input `cache_length` says how many rows the caches hold before the run;
//   - everything computed from the caches along the row axis (scores, softmax, the weighted sum) runs
//     over the cache_length + newRows rows filled so far, not over the capacity.
// Inputs whose last axis spans the cached and new rows (attention masks) take the capacity as their
// last extent; only the first cache_length + newRows elements of each row are read.
#pragma once

#include <cstdint>
#include <vector>

#include "ir/graph.h"

namespace deeploy {

struct KVCacheSignature {
  std::vector<size_t> cacheInputs;   // positions in graph.inputs
  std::vector<size_t> cacheOutputs;  // positions in graph.outputs, cache by cache
  std::vector<size_t> lengthInputs;  // positions in graph.inputs of the masks (last axis: cached + new
                                     // rows; not an input of the new rows)
  int64_t cachedRows = 0;            // rows of the cache inputs as the model declares them
  int64_t newRows = 0;
};

// Finds the caches of a type-inferred graph: a graph input concatenated along axis -2 and returned as a
// graph output, directly or through requantizations (which lowering requires to be identities). Throws Error when there is none or
// the caches disagree on their rows.
KVCacheSignature findKVCaches(const Graph& graph);

// Gives the cache inputs `cachedRows` rows and the masks cachedRows + newRows columns (a typed graph
// before the midend).
void setCachedRows(Graph& graph, const KVCacheSignature& signature, int64_t cachedRows);

// Throws Error unless caches of maxRows rows hold more than one run's new rows.
void requireCapacity(const KVCacheSignature& signature, int64_t maxRows);

// Lowers `atCapacity` (typed at cachedRows = maxRows - newRows, after the midend) for persistent caches
// of maxRows rows. `oneRowLess`, the same model at one cached row less, shows which tensors follow the
// number of rows. With `exposeState` the caches stay graph inputs (loaded before the run) and graph
// outputs (read after it) at their full capacity, for checks against fixed-length networks.
void lowerKVCache(Graph& atCapacity, const Graph& oneRowLess, const KVCacheSignature& signature, int64_t maxRows,
                  bool exposeState);

}  // namespace deeploy
