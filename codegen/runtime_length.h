// Code for the nodes of a KV-cache step (Graph::kvCache, passes/kv_cache.h) that run over the cache
// rows filled so far: the in-place append, the products with the cache, and the element-wise and
// softmax nodes between them. Their tensors are blocked (every axis but the last two, e.g. the heads):
//   - a cache holds per block maxRows rows of `width` elements; rows [0, filled) are valid;
//   - a tensor whose last axis runs over the filled rows keeps per block a slot of its declared size
//     ([R, maxRows]) and packs [R, filled] at its start.
// Every node is a loop over blocks calling the operator's own kernel with the run-time length, so the
// cost follows the filled rows. With several cores each core takes a contiguous range of blocks.
#pragma once

#include <string>

#include "codegen/core_split.h"
#include "codegen/network_writer.h"

namespace deeploy {

// The node's calls for `cores` cores (one chunk per core, fewer when there are fewer blocks), with the
// arena bytes each chunk reads and writes; caches count as disjoint ranges beyond the arena.
CoreChunks filledRowsChunks(NetworkWriter& writer, const Graph& graph, size_t nodeIndex, int cores);

// File-scope definitions: the caches' buffers (shared by the program's steps) and the step's row
// counters the calls read.
void defineKVCacheBuffers(NetworkWriter& writer);
// The run function's first statements after the inputs are copied in: reads cache_length, returns
// without computing when the new rows would not fit, and sets the filled-row counter.
std::string kvCachePrologue(NetworkWriter& writer);
// network.h lines of the program (the cache capacity and bytes) and of a step (rows per run and the
// cache_length input's position).
std::string kvCacheProgramHeaderLines(const Graph& graph, const std::string& upperPrefix);
std::string kvCacheStepHeaderLines(const Graph& graph, const std::string& upperPrefix);

}  // namespace deeploy
