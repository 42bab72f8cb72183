// Work of one node shared among the cores of a cluster: the node's output is cut along one iteration
// axis into a contiguous chunk per core, each computed by the operator's own kernel call on that chunk
// (operands addressed in place), and the calls run as a fork/join job, alone or with the next nodes'.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "codegen/network_writer.h"
#include "tiling/geometry.h"

namespace deeploy {

// The node's iteration space cut along its first splittable axis (extent >= 2) into at most `cores`
// equal chunks, each contiguous in every runtime operand (constants may be sliced anyhow); nullopt
// when no axis gives that.
std::optional<std::vector<TileInstance>> contiguousChunks(const Graph& graph, const Node& node, const TilingGeometry& g,
                                                          int cores);

// The arena bytes [lo, hi) one chunk reads or writes.
struct ByteRange {
  uint64_t lo = 0, hi = 0;
  bool overlaps(const ByteRange& o) const { return lo < o.hi && o.lo < hi; }
};

// The arena bytes of tensor `id`; nullopt for tensors outside the arena (constants, KV caches, unused).
std::optional<ByteRange> arenaBytesOf(const Graph& graph, const ActivationMemory& memory, TensorId id);
// Whether a range of `a` overlaps a range of `b`.
bool anyOverlap(const std::vector<ByteRange>& a, const std::vector<ByteRange>& b);

// One node's work cut among cores: per chunk (chunk k runs on core k) its kernel call statements and
// the arena bytes it reads and writes (constants live outside the arena).
struct CoreChunks {
  std::vector<std::vector<std::string>> statements;
  std::vector<std::vector<ByteRange>> reads, writes;
  std::string label;  // the node, for the job's comment
};

// Cuts node `nodeIndex` among `cores` cores, defining the constants and kernels its calls use; nullopt,
// defining nothing, when the node cannot be split so (no splittable axis whose chunks are contiguous
// in every runtime operand, scratch memory, or a single chunk).
std::optional<CoreChunks> splitAmongCores(NetworkWriter& writer, const Graph& graph, size_t nodeIndex, int cores);

// Consecutive split nodes run as one fork/join job when no core needs data another core produces or
// overwrites within the job: each core computes its chunk of every node in turn, and the joins
// between the nodes disappear.
class CoreJobGroup {
 public:
  bool empty() const { return nodes_.empty(); }
  size_t firstNode() const { return nodes_.front(); }
  // Whether `next` can join the group without a join before it.
  bool accepts(const CoreChunks& next) const;
  void add(size_t nodeIndex, CoreChunks chunks);
  // Emits the group's job function and its dp_parallel call, and empties the group.
  void flush(NetworkWriter& writer);

 private:
  std::vector<size_t> nodes_;
  std::vector<std::string> labels_;
  std::vector<std::vector<std::string>> statements_;  // per chunk, every node's calls in order
  std::vector<std::vector<ByteRange>> reads_, writes_;
};

}  // namespace deeploy
