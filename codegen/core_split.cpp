#include "codegen/core_split.h"

#include <sstream>

#include "ops/op_schema.h"
#include "tiling/geometry.h"

namespace deeploy {

namespace {

// A region is one contiguous run of a row-major tensor when, past its outermost partial axis, every
// axis is whole, and before it every axis has one index.
bool isContiguous(const Shape& shape, const Box& region) {
  size_t partial = region.size();
  for (size_t a = region.size(); a-- > 0;) {
    if (region[a].lo != 0 || region[a].hi != shape[a]) {
      partial = a;
      break;
    }
  }
  if (partial == region.size()) return true;  // the whole tensor
  for (size_t a = 0; a < partial; ++a) {
    if (region[a].size() != 1) return false;
  }
  return true;
}

uint64_t regionStartBytes(const Tensor& t, const Box& region) {
  const std::vector<int64_t> strides = rowMajorStrides(t.shape);
  uint64_t offset = 0;
  for (size_t a = 0; a < region.size(); ++a) offset += static_cast<uint64_t>(region[a].lo * strides[a]);
  return offset * dtypeSize(t.dtype);
}

// One core's kernel call: runtime operands in place in the arena, constant inputs sliced.
class ChunkEmitter final : public KernelEmitter {
 public:
  ChunkEmitter(NetworkWriter& writer, const Graph& sub, const Node& whole, const TileInstance& tile)
      : writer_(writer), sub_(sub), whole_(whole), tile_(tile) {}
  const Graph& graph() const override { return sub_; }
  const Node& node() const override { return sub_.nodes[0]; }
  const KernelChoices& choices() const override { return writer_.options().kernels; }
  std::string inputPtr(size_t i) const override {
    const Tensor& t = sub_.tensor(node().inputs.at(i));
    if (t.isConstant()) return writer_.constant(*t.constant, t.name);
    return inPlace(whole_.inputs[i], tile_.inputRegions[i], true);
  }
  std::string outputPtr(size_t o) const override { return inPlace(whole_.outputs[o], tile_.outputRegions[o], false); }
  std::string scratchPtr() const override { throw Error(node().describe() + ": a node with scratch memory is not split among cores"); }
  std::string constant(const TensorData& value, const std::string& hint) override { return writer_.constant(value, hint); }
  void include(const std::string& header) override { writer_.includes().insert(header); }
  void statement(const std::string& code) override { statements_.push_back(code); }
  void definition(const std::string& key, const std::string& code) override { writer_.define(key, code); }
  const std::vector<std::string>& statements() const { return statements_; }

 private:
  std::string inPlace(TensorId id, const Box& region, bool isConst) const {
    const Tensor& t = writer_.graph().tensor(id);
    return std::string("((") + (isConst ? "const " : "") + std::string(cTypeName(t.dtype)) + " *)(" + writer_.arena() +
           " + " + std::to_string(writer_.memory().offsetOfTensor(id) + regionStartBytes(t, region)) + "))";
  }

  NetworkWriter& writer_;
  const Graph& sub_;
  const Node& whole_;
  const TileInstance& tile_;
  std::vector<std::string> statements_;
};

// The arena bytes of every runtime operand's region (each region is contiguous).
std::vector<ByteRange> arenaRanges(const NetworkWriter& writer, const Graph& graph, const std::vector<TensorId>& ids,
                                   const std::vector<Box>& regions) {
  std::vector<ByteRange> ranges;
  for (size_t i = 0; i < ids.size(); ++i) {
    if (ids[i] == kNoTensor || graph.tensor(ids[i]).isConstant()) continue;
    const Tensor& t = graph.tensor(ids[i]);
    const uint64_t start = writer.memory().offsetOfTensor(ids[i]) + regionStartBytes(t, regions[i]);
    ranges.push_back({start, start + static_cast<uint64_t>(elementCount(regionShape(regions[i]))) * dtypeSize(t.dtype)});
  }
  return ranges;
}

}  // namespace

std::optional<std::vector<TileInstance>> contiguousChunks(const Graph& graph, const Node& node, const TilingGeometry& g,
                                                          int cores) {
  for (size_t axis = 0; axis < g.iteration.size(); ++axis) {
    const int64_t extent = g.iteration[axis];
    if (!g.splittable[axis] || extent < 2) continue;
    const int64_t chunk = (extent + cores - 1) / cores;
    std::vector<TileInstance> chunks;
    bool contiguous = true;
    for (int64_t lo = 0; lo < extent && contiguous; lo += chunk) {
      Box box = wholeBox(g.iteration);
      box[axis] = {lo, std::min(extent, lo + chunk)};
      TileInstance tile = instantiateTile(graph, node, g, box);
      for (size_t i = 0; i < node.inputs.size(); ++i) {
        const TensorId id = node.inputs[i];
        if (id != kNoTensor && !graph.tensor(id).isConstant()) contiguous &= isContiguous(graph.tensor(id).shape, tile.inputRegions[i]);
      }
      for (size_t o = 0; o < node.outputs.size(); ++o) {
        if (node.outputs[o] != kNoTensor) contiguous &= isContiguous(graph.tensor(node.outputs[o]).shape, tile.outputRegions[o]);
      }
      chunks.push_back(std::move(tile));
    }
    if (contiguous && chunks.size() > 1) return chunks;
  }
  return std::nullopt;
}


std::optional<CoreChunks> splitAmongCores(NetworkWriter& writer, const Graph& graph, size_t nodeIndex, int cores) {
  const Node& node = graph.nodes[nodeIndex];
  const OpSchema& schema = OpRegistry::instance().get(node);
  if (cores < 2 || (schema.scratchBytes && schema.scratchBytes(graph, node) > 0)) return std::nullopt;
  const TilingGeometry g = geometryOf(graph, node);
  const std::optional<std::vector<TileInstance>> chunks = contiguousChunks(graph, node, g, cores);
  if (!chunks) return std::nullopt;
  CoreChunks result;
  result.label = cIdentifier(node.name) + " (" + node.op + ")";
  for (const TileInstance& chunk : *chunks) {
    Graph sub = tileGraph(graph, node, chunk);
    ChunkEmitter emitter(writer, sub, node, chunk);
    schema.emit(emitter);
    result.statements.push_back(emitter.statements());
    result.reads.push_back(arenaRanges(writer, graph, node.inputs, chunk.inputRegions));
    result.writes.push_back(arenaRanges(writer, graph, node.outputs, chunk.outputRegions));
  }
  return result;
}

std::optional<ByteRange> arenaBytesOf(const Graph& graph, const ActivationMemory& memory, TensorId id) {
  if (id == kNoTensor || memory.bufferOfTensor[static_cast<size_t>(id)] < 0) return std::nullopt;
  const uint64_t lo = memory.offsetOfTensor(id);
  return ByteRange{lo, lo + graph.tensor(id).byteSize()};
}

bool anyOverlap(const std::vector<ByteRange>& a, const std::vector<ByteRange>& b) {
  for (const ByteRange& x : a) {
    for (const ByteRange& y : b) {
      if (x.overlaps(y)) return true;
    }
  }
  return false;
}

bool CoreJobGroup::accepts(const CoreChunks& next) const {
  if (empty() || next.statements.size() != statements_.size()) return false;
  const size_t chunks = statements_.size();
  for (size_t k = 0; k < chunks; ++k) {
    for (size_t j = 0; j < chunks; ++j) {
      if (j == k) continue;
      // Chunk k of `next` runs on core k while core j may still be anywhere in its part of the group.
      if (anyOverlap(next.reads[k], writes_[j]) || anyOverlap(next.writes[k], reads_[j]) ||
          anyOverlap(next.writes[k], writes_[j])) {
        return false;
      }
    }
  }
  return true;
}

void CoreJobGroup::add(size_t nodeIndex, CoreChunks chunks) {
  if (empty()) {
    statements_.resize(chunks.statements.size());
    reads_.resize(chunks.statements.size());
    writes_.resize(chunks.statements.size());
  }
  nodes_.push_back(nodeIndex);
  labels_.push_back(chunks.label);
  for (size_t k = 0; k < statements_.size(); ++k) {
    statements_[k].insert(statements_[k].end(), chunks.statements[k].begin(), chunks.statements[k].end());
    reads_[k].insert(reads_[k].end(), chunks.reads[k].begin(), chunks.reads[k].end());
    writes_[k].insert(writes_[k].end(), chunks.writes[k].begin(), chunks.writes[k].end());
  }
}

void CoreJobGroup::flush(NetworkWriter& writer) {
  if (empty()) return;
  const std::string job = writer.options().prefix + "_job_" + std::to_string(nodes_.front());
  std::ostringstream f;
  f << "/* on " << statements_.size() << " cores:";
  for (const std::string& label : labels_) f << " " << label;
  f << " */\nstatic void " << job << "(void *arg, int chunk, int chunks) {\n  (void)arg;\n  (void)chunks;\n  switch (chunk) {\n";
  for (size_t k = 0; k < statements_.size(); ++k) {
    f << "    case " << k << ":\n";
    for (const std::string& s : statements_[k]) f << "      " << s << "\n";
    f << "      break;\n";
  }
  f << "    default:\n      break;\n  }\n}\n";
  writer.addJob(f.str());
  writer.includes().insert("kernels/parallel.h");
  writer.body() << "  dp_parallel(" << job << ", 0, " << statements_.size() << ");\n";
  *this = CoreJobGroup();
}

}  // namespace deeploy
