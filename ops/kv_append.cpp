// KVAppend(cache, rows, cache_length): writes `rows` [blocks..., T, width] into the persistent cache
// [blocks..., maxRows, width] at rows [cache_length, cache_length + T) of every block. Created by the
// KV-cache lowering (passes/kv_cache.h) from a cache's Concat; it has no output, its readers read the
// cache. The generated code (codegen/runtime_length) writes in place; the reference semantics of a
// lowered step are those of the original network at the same number of cached rows.
#include "ops/op_helpers.h"

namespace deeploy {

namespace {

void inferKVAppend(InferContext& ctx) {
  ctx.requireInputs(3, 3);
  const Shape &cache = ctx.inputShape(0), &rows = ctx.inputShape(1);
  ctx.require(cache.size() >= 2 && rows.size() == cache.size(), "the cache and the new rows need the same rank (>= 2)");
  ctx.require(ctx.inputType(0) == ctx.inputType(1), "the new rows must have the cache's element type");
  ctx.require(ctx.inputType(2) == DType::Int32 && elementCount(ctx.inputShape(2)) == 1, "cache_length must be one int32");
  for (size_t d = 0; d < cache.size(); ++d) {
    ctx.require(d == cache.size() - 2 || cache[d] == rows[d], "the new rows must match the cache outside the row axis");
  }
}

const OpRegistrar registrar{OpSchema{"KVAppend", inferKVAppend, nullptr, nullptr, {}, false, nullptr}};

}  // namespace

}  // namespace deeploy
