#include "codegen/tiled_node.h"

#include <algorithm>
#include <functional>
#include <sstream>
#include <map>
#include <optional>
#include <tuple>

#include "codegen/core_split.h"
#include "codegen/npu_node.h"
#include "memory/planner.h"
#include "ops/op_schema.h"
#include "tiling/geometry.h"
#include "tiling/tile_solver.h"

namespace deeploy {

namespace {

// Kernel calls are emitted before L1 is planned: they name their buffers with this mark around the
// stream's key, replaced by the buffer's offset once the plan exists.
constexpr char kSlotMark = '\x01';

// One operand of the tile kernels, held in L1: a runtime input or output (a region of a tensor in the
// activation level), constant data (a const array in the weight level), or the kernel's scratch.
struct Stream {
  using Kind = TileBuffer::Kind;
  Kind kind = Kind::Input;
  TensorId tensor = kNoTensor;          // inputs and outputs: the whole tensor
  std::vector<std::string> content;     // per tile: what the buffer must hold ("" when unused)
  std::vector<Box> region;              // per tile (inputs and outputs)
  std::vector<std::string> array;       // per tile (constants)
  std::vector<size_t> bytes;            // per tile
  std::vector<int> parity;              // per tile: which of the stream's two buffers it uses
  std::vector<bool> transfer;           // per tile: load (inputs, constants) or store (outputs) it
  size_t slotBytes = 0;
  bool doubled = false;
  std::vector<size_t> offset;           // per buffer, in L1
};

// Never empty (an empty content marks a tile that does not use the stream), also for scalars.
std::string boxText(const Box& box) {
  std::string s = "region ";
  for (const Range& r : box) s += std::to_string(r.lo) + ":" + std::to_string(r.hi) + ",";
  return s;
}

// Constant data one tile holds in L1: the stream's key and the bytes its buffer holds during the tile.
struct TileConstant {
  std::string key;
  TensorData value;
};

// A typed pointer `byteOffset` bytes into the L1 buffer of stream `key` (placed once L1 is planned).
std::string slotPointer(const std::string& l1, const std::string& key, uint64_t byteOffset, DType type, bool isConst) {
  return std::string("((") + (isConst ? "const " : "") + std::string(cTypeName(type)) + " *)(" + l1 + " + " + kSlotMark + key +
         kSlotMark + (byteOffset ? " + " + std::to_string(byteOffset) : std::string()) + "))";
}

// Small constant tables a kernel call reads where they are, named in the call by their index between two
// kTableMark until the call is kept (an array of the network that no kept call uses would not compile
// warning-free).
constexpr char kTableMark = '\x02';
using InPlaceTables = std::vector<std::pair<TensorData, std::string>>;  // value, name hint

std::string tableMark(InPlaceTables& tables, const TensorData& value, const std::string& hint) {
  tables.emplace_back(value, hint);
  return kTableMark + std::to_string(tables.size() - 1) + kTableMark;
}

// The calls with every marked table replaced by name(value, hint).
std::vector<std::string> resolveTables(const std::vector<std::string>& statements, const InPlaceTables& tables,
                                       const std::function<std::string(const TensorData&, const std::string&)>& name) {
  std::vector<std::string> calls;
  for (const std::string& call : statements) {
    std::string out;
    size_t pos = 0;
    for (size_t open; (open = call.find(kTableMark, pos)) != std::string::npos;) {
      const size_t close = call.find(kTableMark, open + 1);
      const auto& [value, hint] = tables[std::stoul(call.substr(open + 1, close - open - 1))];
      out += call.substr(pos, open - pos) + name(value, hint);
      pos = close + 1;
    }
    calls.push_back(out + call.substr(pos));
  }
  return calls;
}

// The stream keys of one node's operands in a tile: "in0", "out0", ... for the tiled node, with a prefix
// for a node fused after it (tiledFollower), whose input `boundInput` is the tiled node's output buffer.
struct StreamNames {
  std::string prefix;
  int boundInput = -1;
  std::string boundKey;

  std::string input(size_t i) const {
    return static_cast<int>(i) == boundInput ? boundKey : prefix + "in" + std::to_string(i);
  }
  std::string output(size_t o) const { return prefix + "out" + std::to_string(o); }
  bool bound(size_t i) const { return static_cast<int>(i) == boundInput; }
};

uint64_t regionOffsetBytes(const Shape& wholeShape, const Box& region, size_t elementBytes) {
  const std::vector<int64_t> strides = rowMajorStrides(wholeShape);
  uint64_t offset = 0;
  for (size_t a = 0; a < region.size(); ++a) offset += static_cast<uint64_t>(region[a].lo * strides[a]);
  return offset * elementBytes;
}

// Emits an operator's kernel call for one tile, recording which L1 buffers it uses (and, when
// `constants` is given, the constant data it loads).
class TileEmitter final : public KernelEmitter {
 public:
  static constexpr size_t kInPlaceDescriptorBytes = 16;

  TileEmitter(NetworkWriter& writer, const Graph& sub, const Node& wholeNode, const TileInstance& tile, size_t index,
              size_t tileCount, std::map<std::string, Stream>& streams, std::vector<TileConstant>* constants,
              StreamNames names = {})
      : writer_(writer), sub_(sub), whole_(wholeNode), tile_(tile), index_(index), count_(tileCount), streams_(streams),
        constants_(constants), names_(std::move(names)) {}

  const Graph& graph() const override { return sub_; }
  const Node& node() const override { return sub_.nodes[0]; }
  const KernelChoices& choices() const override { return writer_.options().kernels; }

  std::string inputPtr(size_t i) const override {
    const Tensor& t = sub_.tensor(node().inputs.at(i));
    const std::string key = names_.input(i);
    if (names_.bound(i)) return pointer(key, t.dtype, true);
    if (t.isConstant()) return constantStream(key, writer_.constant(*t.constant, t.name), *t.constant);
    return regionStream(key, Stream::Kind::Input, whole_.inputs[i], tile_.inputRegions[i], t);
  }

  std::string outputPtr(size_t o) const override {
    return regionStream(names_.output(o), Stream::Kind::Output, whole_.outputs[o], tile_.outputRegions[o],
                        sub_.tensor(node().outputs.at(o)));
  }

  std::string scratchPtr() const override {
    const OpSchema& schema = OpRegistry::instance().get(node());
    if (!schema.scratchBytes) throw Error(node().describe() + ": kernel asked for scratch memory its schema did not declare");
    const std::string key = names_.prefix + "scratch";
    Stream& s = stream(key, Stream::Kind::Scratch);
    s.content[index_] = "scratch";
    s.bytes[index_] = schema.scratchBytes(sub_, node());
    return "((void *)(" + writer_.l1() + " + " + mark(key) + "))";
  }

  // Kernel tables the operator derives (requantization parameters, shapes, strides, offsets) go to L1
  // like the operands, except descriptors of at most kInPlaceDescriptorBytes (a shape, a stride list,
  // per-tensor parameters): those are read where they are, in the weight level, since one transfer
  // costs more (its programming on the DMA's hart and the device's set-up) than reading a few words.
  std::string constant(const TensorData& value, const std::string& hint) override {
    if (value.byteSize() <= kInPlaceDescriptorBytes) return tableMark(tables_, value, hint);
    const std::string key = names_.prefix + "k" + std::to_string(derived_++);
    return constantStream(key, writer_.constant(value, hint), value);
  }

  void include(const std::string& header) override { writer_.includes().insert(header); }
  void statement(const std::string& code) override { statements_.push_back(code); }
  void definition(const std::string& key, const std::string& code) override { writer_.define(key, code); }

  // The calls, their in-place descriptors constant arrays of the network (the calls are kept).
  std::vector<std::string> commitStatements() const {
    return resolveTables(statements_, tables_, [&](const TensorData& v, const std::string& h) { return writer_.constant(v, h); });
  }
  // The calls, their in-place descriptors named by their bytes (to compare tiles whose calls are not kept).
  std::vector<std::string> describedStatements() const {
    return resolveTables(statements_, tables_, [](const TensorData& v, const std::string&) {
      std::string bytes = "{";
      for (size_t i = 0; i < v.byteSize(); ++i) bytes += std::to_string(static_cast<int>(v.data()[i])) + ",";
      return bytes + "}";
    });
  }

 private:
  static std::string mark(const std::string& key) { return std::string(1, kSlotMark) + key + kSlotMark; }

  std::string pointer(const std::string& key, DType type, bool isConst) const {
    return slotPointer(writer_.l1(), key, 0, type, isConst);
  }

  Stream& stream(const std::string& key, Stream::Kind kind) const {
    auto [it, fresh] = streams_.try_emplace(key);
    if (fresh) {
      it->second.kind = kind;
      it->second.content.assign(count_, "");
      it->second.region.assign(count_, Box{});
      it->second.array.assign(count_, "");
      it->second.bytes.assign(count_, 0);
    }
    return it->second;
  }

  // A stream holding this tile's region of a tensor in the activation level.
  std::string regionStream(const std::string& key, Stream::Kind kind, TensorId whole, const Box& region, const Tensor& part) const {
    Stream& s = stream(key, kind);
    s.tensor = whole;
    s.region[index_] = region;
    s.content[index_] = boxText(region);
    s.bytes[index_] = part.byteSize();
    return pointer(key, part.dtype, kind == Stream::Kind::Input);
  }

  std::string constantStream(const std::string& key, const std::string& array, const TensorData& value) const {
    Stream& s = stream(key, Stream::Kind::Constant);
    s.array[index_] = array;
    s.content[index_] = array;
    s.bytes[index_] = value.byteSize();
    if (constants_) constants_->push_back({key, value});
    return pointer(key, value.dtype(), true);
  }

  NetworkWriter& writer_;
  const Graph& sub_;
  const Node& whole_;
  const TileInstance& tile_;
  size_t index_;
  size_t count_;
  std::map<std::string, Stream>& streams_;
  std::vector<TileConstant>* constants_;
  StreamNames names_;
  std::vector<std::string> statements_;
  InPlaceTables tables_;
  int derived_ = 0;
};

// Emits one core's share of a tile's kernel call: the core's chunk of the tile's node, its operands
// inside the tile's L1 buffers. Runtime operands are the chunk's contiguous part of their buffer;
// constant data (sliced inputs, kernel tables) is read wherever the tile's constant buffers hold the
// same bytes (a slice of the tile's table, or an equal one). A small table found nowhere there (the
// chunk's own shape and stride descriptors) is read in place from the weight level, named by a
// placeholder until the split is taken (an unused array would not compile warning-free). missing()
// when some operand is in neither.
class ChunkEmitter final : public KernelEmitter {
 public:
  static constexpr size_t kInPlaceTableBytes = 256;

  ChunkEmitter(NetworkWriter& writer, const Graph& chunkGraph, const Graph& tileGraph, const TileInstance& chunk,
               const std::map<std::string, Stream>& streams, size_t tile, const std::vector<TileConstant>& constants,
               const StreamNames& names)
      : writer_(writer), chunkGraph_(chunkGraph), tileGraph_(tileGraph), chunk_(chunk), streams_(streams), tile_(tile),
        constants_(constants), names_(names) {}

  const Graph& graph() const override { return chunkGraph_; }
  const Node& node() const override { return chunkGraph_.nodes[0]; }
  const KernelChoices& choices() const override { return writer_.options().kernels; }

  std::string inputPtr(size_t i) const override {
    const Tensor& t = input(i);
    if (t.isConstant() && !names_.bound(i)) return constantPtr(*t.constant, t.name);
    return runtimePtr(names_.input(i), tileGraph_.nodes[0].inputs.at(i), chunk_.inputRegions[i], true);
  }
  std::string outputPtr(size_t o) const override {
    return runtimePtr(names_.output(o), tileGraph_.nodes[0].outputs.at(o), chunk_.outputRegions[o], false);
  }
  std::string scratchPtr() const override { throw Error(node().describe() + ": a node with scratch memory is not split among cores"); }
  std::string constant(const TensorData& value, const std::string& hint) override { return constantPtr(value, hint); }
  void include(const std::string& header) override { writer_.includes().insert(header); }
  void statement(const std::string& code) override { statements_.push_back(code); }
  void definition(const std::string& key, const std::string& code) override { definitions_.emplace_back(key, code); }

  bool missing() const { return missing_; }
  // Kept back until the split is taken: a definition no call uses would not compile warning-free.
  const std::vector<std::pair<std::string, std::string>>& definitions() const { return definitions_; }

  // The calls, their small tables now constant arrays of the network.
  std::vector<std::string> commitStatements() const {
    return resolveTables(statements_, tables_, [&](const TensorData& v, const std::string& h) { return writer_.constant(v, h); });
  }

 private:
  bool holds(const std::string& key) const {
    auto it = streams_.find(key);
    return it != streams_.end() && !it->second.content[tile_].empty();
  }

  std::string runtimePtr(const std::string& key, TensorId tileTensor, const Box& region, bool isConst) const {
    const Tensor& t = tileGraph_.tensor(tileTensor);
    missing_ |= !holds(key);
    return slotPointer(writer_.l1(), key, regionOffsetBytes(t.shape, region, dtypeSize(t.dtype)), t.dtype, isConst);
  }

  // The first aligned place in the tile's constant buffers holding exactly `value`'s bytes.
  std::string constantPtr(const TensorData& value, const std::string& hint) const {
    const size_t align = dtypeSize(value.dtype());
    const std::byte *needle = value.data(), *needleEnd = needle + value.byteSize();
    for (const TileConstant& c : constants_) {
      const std::byte *begin = c.value.data(), *end = begin + c.value.byteSize();
      for (const std::byte* at = std::search(begin, end, needle, needleEnd); at != end;
           at = std::search(at + 1, end, needle, needleEnd)) {
        const size_t offset = static_cast<size_t>(at - begin);
        if (offset % align == 0) return slotPointer(writer_.l1(), c.key, offset, value.dtype(), true);
      }
    }
    if (value.byteSize() <= kInPlaceTableBytes) return tableMark(tables_, value, hint);
    missing_ = true;
    return "0";
  }

  NetworkWriter& writer_;
  const Graph& chunkGraph_;
  const Graph& tileGraph_;
  const TileInstance& chunk_;
  const std::map<std::string, Stream>& streams_;
  size_t tile_;
  const std::vector<TileConstant>& constants_;
  const StreamNames& names_;
  std::vector<std::string> statements_;
  std::vector<std::pair<std::string, std::string>> definitions_;
  mutable InPlaceTables tables_;
  mutable bool missing_ = false;
};

// A tile's kernel calls on its L1 buffers: one list, and when the tile's node is cut among cores, one
// list per core (run as a fork/join job).
struct TileCalls {
  std::vector<std::string> whole;
  std::vector<std::vector<std::string>> perCore;  // empty: the tile runs on the calling core
  bool operator<(const TileCalls& o) const { return std::tie(whole, perCore) < std::tie(o.whole, o.perCore); }
};

// The tile's node cut into contiguous chunks, one per core, each addressing its part of the tile's L1
// buffers: per core its calls, and the chunk. Empty when the node cannot be cut so (no contiguous split,
// scratch memory, a single chunk, or an operand of a chunk that the tile's buffers do not hold).
struct CoreCalls {
  std::vector<std::vector<std::string>> calls;
  std::vector<TileInstance> chunks;
};

CoreCalls perCoreCalls(NetworkWriter& writer, const Graph& sub, const std::map<std::string, Stream>& streams, size_t tile,
                       const std::vector<TileConstant>& constants, int cores, const StreamNames& names = {}) {
  const Node& node = sub.nodes[0];
  const OpSchema& schema = OpRegistry::instance().get(node);
  if (cores < 2 || (schema.scratchBytes && schema.scratchBytes(sub, node) > 0)) return {};
  std::optional<std::vector<TileInstance>> chunks = contiguousChunks(sub, node, geometryOf(sub, node), cores);
  if (!chunks) return {};
  std::vector<Graph> parts;
  std::vector<ChunkEmitter> emitters;
  parts.reserve(chunks->size());  // the emitters refer to their graphs
  emitters.reserve(chunks->size());
  for (const TileInstance& chunk : *chunks) {
    parts.push_back(tileGraph(sub, node, chunk));
    emitters.emplace_back(writer, parts.back(), sub, chunk, streams, tile, constants, names);
    schema.emit(emitters.back());
    if (emitters.back().missing()) return {};
  }
  CoreCalls result;
  for (const ChunkEmitter& emitter : emitters) {
    for (const auto& [key, code] : emitter.definitions()) writer.define(key, code);
    result.calls.push_back(emitter.commitStatements());
  }
  result.chunks = std::move(*chunks);
  return result;
}

// Whether every core's chunk of the follower reads only what the same core's chunk of the tiled node wrote
// (the follower's input `bound` against the node's output 0, both in the tile's coordinates).
bool sameCoreShares(const CoreCalls& node, const CoreCalls& follower, size_t bound) {
  if (node.chunks.size() != follower.chunks.size()) return false;
  for (size_t k = 0; k < node.chunks.size(); ++k) {
    const Box& written = node.chunks[k].outputRegions[0];
    const Box& read = follower.chunks[k].inputRegions[bound];
    for (size_t a = 0; a < read.size(); ++a) {
      if (read[a].lo < written[a].lo || read[a].hi > written[a].hi) return false;
    }
  }
  return true;
}

// Which tiles load (or store) each stream and which of its two buffers every tile uses: a stream is
// reloaded only when its contents change, and double-buffered only when it is loaded more than once.
void scheduleTransfers(Stream& s) {
  const size_t tiles = s.content.size();
  s.parity.assign(tiles, 0);
  s.transfer.assign(tiles, false);
  std::string current;
  int loads = 0;
  for (size_t t = 0; t < tiles; ++t) {
    if (!s.content[t].empty() && (loads == 0 || s.content[t] != current)) {
      s.transfer[t] = s.kind != Stream::Kind::Scratch;
      current = s.content[t];
      ++loads;
    }
    s.parity[t] = std::max(loads - 1, 0) % 2;
    s.slotBytes = std::max(s.slotBytes, s.bytes[t]);
  }
  s.doubled = loads > 1 && s.kind != Stream::Kind::Scratch;
  if (!s.doubled) s.parity.assign(tiles, 0);
}

size_t alignUp(size_t n, size_t alignment) { return (n + alignment - 1) / alignment * alignment; }

struct L1Plan {
  size_t arenaBytes = 0;
  size_t lowerBound = 0;
  std::vector<TileBuffer> buffers;
};

// What buffer `copy` of stream `key` holds, in words for the report.
std::string tileBufferLabel(const Graph& graph, const std::string& key, const Stream& s, int copy) {
  std::string label;
  switch (s.kind) {
    case Stream::Kind::Input: label = "tiles of input " + graph.tensor(s.tensor).name; break;
    case Stream::Kind::Output: label = "tiles of output " + graph.tensor(s.tensor).name; break;
    case Stream::Kind::Constant: {
      const auto array = std::find_if(s.array.begin(), s.array.end(), [](const std::string& a) { return !a.empty(); });
      label = "constant data " + (array == s.array.end() ? key : *array);
      break;
    }
    case Stream::Kind::Scratch: label = "kernel scratch"; break;
  }
  return s.doubled ? label + ", buffer " + std::to_string(copy + 1) + " of 2" : label;
}

// Buffers live at tile granularity: an input buffer from the tile before its first use (it is
// prefetched then) to its last use, an output buffer from its first use to the tile after its last
// (its write-back runs then).
L1Plan planL1(const Graph& graph, std::map<std::string, Stream>& streams, size_t tiles, size_t alignment) {
  std::vector<Allocation> allocations;
  std::vector<std::pair<Stream*, int>> owners;
  std::vector<std::string> labels;
  for (auto& [key, s] : streams) {
    for (int p = 0; p < (s.doubled ? 2 : 1); ++p) {
      int first = -1, last = -1;
      for (size_t t = 0; t < tiles; ++t) {
        if (s.content[t].empty() || s.parity[t] != p) continue;
        if (first < 0) first = static_cast<int>(t);
        last = static_cast<int>(t);
      }
      if (first < 0) continue;
      if (s.kind == Stream::Kind::Input || s.kind == Stream::Kind::Constant) first = std::max(first - 1, 0);
      if (s.kind == Stream::Kind::Output) last = std::min(last + 1, static_cast<int>(tiles) - 1);
      allocations.push_back({alignUp(s.slotBytes, alignment), first, last});
      owners.emplace_back(&s, p);
      labels.push_back(tileBufferLabel(graph, key, s, p));
    }
  }
  MemoryPlan plan = makeDefaultPlanner()->plan(allocations, alignment);
  for (auto& [s, p] : owners) s->offset.assign(2, 0);
  L1Plan result{plan.arenaSize, lifetimeLowerBound(allocations), {}};
  for (size_t b = 0; b < owners.size(); ++b) {
    owners[b].first->offset[static_cast<size_t>(owners[b].second)] = plan.offsets[b];
    result.buffers.push_back({owners[b].first->kind, labels[b], plan.offsets[b], allocations[b].size,
                              allocations[b].first, allocations[b].last});
  }
  return result;
}

struct CopyShape {
  uint64_t runBytes = 0;
  std::vector<std::pair<uint64_t, uint64_t>> strided;  // (count, whole-tensor stride in bytes), inner first
  std::vector<uint64_t> denseStride;                   // the same axes' strides in the dense tile
};

// A region of a row-major tensor as one contiguous run repeated along strided axes (merged where
// they are contiguous with each other).
CopyShape copyShape(const Shape& wholeShape, const Box& region, size_t elementBytes) {
  CopyShape c;
  c.runBytes = elementBytes;
  const std::vector<int64_t> strides = rowMajorStrides(wholeShape);
  uint64_t dense = elementBytes;
  bool contiguous = true;
  for (size_t a = region.size(); a-- > 0;) {
    const uint64_t count = static_cast<uint64_t>(region[a].size());
    const uint64_t stride = static_cast<uint64_t>(strides[a]) * elementBytes;
    if (count == 1) continue;
    if (contiguous && stride == c.runBytes) {
      c.runBytes *= count;
    } else if (!c.strided.empty() && stride == c.strided.back().first * c.strided.back().second &&
               dense == c.strided.back().first * c.denseStride.back()) {
      c.strided.back().first *= count;
    } else {
      contiguous = false;
      c.strided.emplace_back(count, stride);
      c.denseStride.push_back(dense);
    }
    dense *= count;
  }
  return c;
}

// One DMA start of a stream at a tile: a region of a tensor (or a whole const array) to or from the
// stream's L1 buffer.
struct TransferPart {
  uint64_t tensorOffset = 0;  // bytes from the tensor's start (inputs and outputs)
  uint64_t denseOffset = 0;   // bytes from the L1 buffer's start
  std::string shape;          // name of the dp_dma_shape constant
};

class TransferShapes {
 public:
  explicit TransferShapes(NetworkWriter& writer) : writer_(writer) {}

  // The DMA takes two strided axes; a region with more becomes several starts.
  std::vector<TransferPart> region(const Shape& wholeShape, const Box& region, size_t elementBytes, bool toL1) {
    std::vector<TransferPart> parts;
    if (elementCount(regionShape(region)) == 0) return parts;
    CopyShape c = copyShape(wholeShape, region, elementBytes);
    const uint64_t base = regionOffsetBytes(wholeShape, region, elementBytes);
    const size_t inner = std::min<size_t>(2, c.strided.size());
    std::vector<uint64_t> index(c.strided.size() - inner, 0);
    while (true) {
      TransferPart part{base, 0, shapeConstant(c, inner, toL1)};
      for (size_t k = 0; k < index.size(); ++k) {
        part.tensorOffset += index[k] * c.strided[k + inner].second;
        part.denseOffset += index[k] * c.denseStride[k + inner];
      }
      parts.push_back(part);
      size_t k = 0;
      for (; k < index.size(); ++k) {
        if (++index[k] < c.strided[k + inner].first) break;
        index[k] = 0;
      }
      if (k == index.size()) return parts;
    }
  }

  std::vector<TransferPart> array(size_t bytes) {
    if (bytes == 0) return {};
    CopyShape c;
    c.runBytes = bytes;
    return {{0, 0, shapeConstant(c, 0, true)}};
  }

 private:
  std::string shapeConstant(const CopyShape& c, size_t axes, bool toL1) {
    uint64_t count[2] = {1, 1}, tensorStride[2] = {0, 0}, denseStride[2] = {0, 0};
    for (size_t k = 0; k < axes; ++k) {
      count[k] = c.strided[k].first;
      tensorStride[k] = c.strided[k].second;
      denseStride[k] = c.denseStride[k];
    }
    const uint64_t* src = toL1 ? tensorStride : denseStride;
    const uint64_t* dst = toL1 ? denseStride : tensorStride;
    std::string fields = std::to_string(c.runBytes) + "u, " + std::to_string(count[0]) + "u, " + std::to_string(count[1]) +
                         "u, " + std::to_string(src[0]) + "u, " + std::to_string(dst[0]) + "u, " + std::to_string(src[1]) +
                         "u, " + std::to_string(dst[1]) + "u";
    std::string name = writer_.l1() + "_dma_" + cIdentifier(fields);
    writer_.define("dma " + fields, "static const dp_dma_shape " + name + " = {" + fields + "};");
    return name;
  }

  NetworkWriter& writer_;
};

std::vector<Box> cutTiles(const TilingGeometry& g, const std::vector<int64_t>& tileSize) {
  std::vector<Box> tiles{Box{}};
  for (size_t a = 0; a < g.iteration.size(); ++a) {
    std::vector<Box> next;
    for (const Box& prefix : tiles) {
      for (int64_t lo = 0; lo < g.iteration[a]; lo += tileSize[a]) {
        next.push_back(prefix);
        next.back().push_back({lo, std::min(g.iteration[a], lo + tileSize[a])});
      }
    }
    tiles = std::move(next);
  }
  return tiles;
}

// Writes a tiled node's schedule: loads of the first tile; then per tile, wait for its loads, start
// the next tile's, compute, and start writing back its outputs. Up to kUnrolledTiles tiles are written
// out one by one; more become a loop over tables of per-tile DMA offsets, shapes and buffer choices,
// with one kernel call per distinct call text (edge and border tiles differ). A tile cut among cores
// calls a job function holding its per-core calls; in the loop, the job reads the offsets of the
// double-buffered streams from its argument.
class TileCodeWriter {
 public:
  static constexpr size_t kUnrolledTiles = 4;

  TileCodeWriter(NetworkWriter& writer, const std::map<std::string, Stream>& streams,
                 const std::map<std::string, std::vector<std::vector<TransferPart>>>& parts,
                 const std::vector<TileCalls>& calls, size_t tiles, const Node& node, size_t nodeIndex)
      : writer_(writer), streams_(streams), parts_(parts), calls_(calls), tiles_(tiles), node_(node), nodeIndex_(nodeIndex) {}

  std::string write() {
    if (tiles_ <= kUnrolledTiles || !tabulable()) return unrolled();
    return looped();
  }

 private:
  std::string base(const Stream& s) const {
    if (s.kind == Stream::Kind::Constant) return "";
    return writer_.arena() + " + " + std::to_string(writer_.memory().offsetOfTensor(s.tensor));
  }

  // The last tiles' stores are not waited for here: transfers complete in start order, so the next tiled
  // node's wait for its first loads covers them, and other code waits for them all first (the run
  // function's dp_dma_wait_all). A node that loads nothing for its first tile waits for them itself.
  bool loadsFirstTile() const {
    for (const auto& [key, s] : streams_) {
      if (s.kind != Stream::Kind::Output && s.kind != Stream::Kind::Scratch && !parts_.at(key)[0].empty()) return true;
    }
    return false;
  }

  // Unrolled: every offset is a number.
  std::string unrolled() {
    std::ostringstream c;
    auto line = [&](const std::string& text) { c << "    " << text << "\n"; };
    // The transfers that start together: one dp_dma_start, or a constant table of them and one
    // dp_dma_start_list (every address in it is a link-time constant).
    auto starts = [&](size_t t, bool loads, const std::string& group) -> size_t {
      std::vector<std::string> requests;
      for (const auto& [key, s] : streams_) {
        if ((s.kind == Stream::Kind::Output) == loads) continue;
        const std::string slot = writer_.l1() + " + " + std::to_string(s.offset[static_cast<size_t>(s.parity[t])]);
        for (const TransferPart& p : parts_.at(key)[t]) {
          const std::string l1 = "(" + slot + " + " + std::to_string(p.denseOffset) + ")";
          const std::string far = s.kind == Stream::Kind::Constant ? s.array[t]
                                                                   : "(" + base(s) + " + " + std::to_string(p.tensorOffset) + ")";
          requests.push_back(std::string(loads ? l1 : far) + ", " + (loads ? far : l1) + ", &" + p.shape);
        }
      }
      if (requests.size() == 1) line("dp_dma_start(&" + group + ", " + requests[0] + ");");
      if (requests.size() < 2) return requests.size();
      const std::string table = std::string(loads ? "dp_loads_" : "dp_stores_") + std::to_string(t);
      std::string entries;
      for (const std::string& r : requests) entries += (entries.empty() ? "" : ", ") + ("{" + r + "}");
      line("static const dp_dma_request " + table + "[" + std::to_string(requests.size()) + "] = {" + entries + "};");
      line("dp_dma_start_list(&" + group + ", " + table + ", " + std::to_string(requests.size()) + "u);");
      return requests.size();
    };
    // One tile uses the groups of parity 0 alone.
    const std::string groups = tiles_ > 1 ? "[2] = {{0u}, {0u}}" : "[1] = {{0u}}";
    line("dp_dma_group dp_in" + groups + ", dp_out" + groups + ";");
    if (!loadsFirstTile()) line("dp_dma_wait_all();");
    starts(0, true, "dp_in[0]");
    size_t loadedAhead = 0;  // transfers started for the tile below, during the tile before it
    for (size_t t = 0; t < tiles_; ++t) {
      const std::string parity = std::to_string(t % 2);
      line("/* tile " + std::to_string(t) + " */");
      line("dp_dma_wait(&dp_in[" + parity + "]);");
      const size_t loadsNext = t + 1 < tiles_ ? starts(t + 1, true, "dp_in[" + std::to_string((t + 1) % 2) + "]") : 0;
      // Tile t - 2's stores into this parity's output buffer started before this tile's loads, so the
      // wait for the loads has waited for them too (transfers complete in start order).
      if (t >= 2 && loadedAhead == 0) line("dp_dma_wait(&dp_out[" + parity + "]);");
      loadedAhead = loadsNext;
      const auto offsetOf = [&](const Stream& s) { return std::to_string(s.offset[static_cast<size_t>(s.parity[t])]); };
      if (calls_[t].perCore.empty()) {
        for (const std::string& call : calls_[t].whole) line(resolveMarks(call, offsetOf));
      } else {
        line(parallelCall(calls_[t].perCore, offsetOf, false, "0"));
      }
      starts(t, false, "dp_out[" + parity + "]");
    }
    return c.str();
  }

  // Tables need at most one start per stream and tile, at the start of its buffer.
  bool tabulable() const {
    for (const auto& [key, perTile] : parts_) {
      for (const auto& p : perTile) {
        if (p.size() > 1 || (p.size() == 1 && p[0].denseOffset != 0)) return false;
      }
    }
    return true;
  }

  std::string slotExpression(const std::string& key, const Stream& s, const std::string& tile) const {
    if (!s.doubled) return std::to_string(s.offset[0]);
    return "(dp_" + key + "_buffer[" + tile + "] ? " + std::to_string(s.offset[1]) + "u : " + std::to_string(s.offset[0]) + "u)";
  }

  template <typename Value>
  static std::string table(const std::string& type, const std::string& name, size_t count, Value value) {
    std::string s = "static const " + type + " " + name + "[" + std::to_string(count) + "] = {";
    for (size_t t = 0; t < count; ++t) s += (t % 16 == 0 ? "\n      " : " ") + value(t) + (t + 1 < count ? "," : "");
    return s + "};";
  }

  std::string looped() {
    std::ostringstream c;
    auto line = [&](const std::string& text) { c << "    " << text << "\n"; };
    const std::string T = std::to_string(tiles_) + "u";
    // Distinct kernel call texts, before buffer offsets are filled in.
    std::map<TileCalls, size_t> variantOf;
    std::vector<size_t> variant(tiles_);
    std::vector<const TileCalls*> variants;
    for (size_t t = 0; t < tiles_; ++t) {
      auto [it, fresh] = variantOf.try_emplace(calls_[t], variants.size());
      if (fresh) variants.push_back(&calls_[t]);
      variant[t] = it->second;
    }
    if (variants.size() > 1) {
      line(table("uint16_t", "dp_variant", tiles_, [&](size_t t) { return std::to_string(variant[t]) + "u"; }));
    }
    for (const auto& [key, s] : streams_) {
      const auto& perTile = parts_.at(key);
      if (s.doubled) line(table("uint8_t", "dp_" + key + "_buffer", tiles_, [&](size_t t) { return std::to_string(s.parity[t]); }));
      if (s.kind == Stream::Kind::Scratch) continue;
      line(table("dp_dma_shape *const", "dp_" + key + "_shape", tiles_,
                 [&](size_t t) { return perTile[t].empty() ? std::string("0") : "&" + perTile[t][0].shape; }));
      if (s.kind == Stream::Kind::Constant) {
        line(table("void *const", "dp_" + key + "_source", tiles_,
                   [&](size_t t) { return perTile[t].empty() ? std::string("0") : std::string("(const void *)") + s.array[t]; }));
      } else {
        line(table("uint32_t", "dp_" + key + "_offset", tiles_,
                   [&](size_t t) { return std::to_string(perTile[t].empty() ? 0 : perTile[t][0].tensorOffset) + "u"; }));
      }
    }
    line("dp_dma_group dp_in[2] = {{0u}, {0u}}, dp_out[2] = {{0u}, {0u}};");
    auto starts = [&](const std::string& tile, bool loads, const std::string& group, const std::string& indent) {
      for (const auto& [key, s] : streams_) {
        if (s.kind == Stream::Kind::Scratch || (s.kind == Stream::Kind::Output) == loads) continue;
        const std::string l1 = "(" + writer_.l1() + " + " + slotExpression(key, s, tile) + ")";
        const std::string far = s.kind == Stream::Kind::Constant ? "dp_" + key + "_source[" + tile + "]"
                                                                 : "(" + base(s) + " + dp_" + key + "_offset[" + tile + "])";
        line(indent + "if (dp_" + key + "_shape[" + tile + "]) dp_dma_start(&" + group + ", " + (loads ? l1 : far) + ", " +
             (loads ? far : l1) + ", dp_" + key + "_shape[" + tile + "]);");
      }
    };
    if (!loadsFirstTile()) line("dp_dma_wait_all();");
    starts("0", true, "dp_in[0]", "");
    line("for (uint32_t t = 0; t < " + T + "; ++t) {");
    line("  dp_dma_wait(&dp_in[t & 1u]);");
    line("  if (t + 1u < " + T + ") {");
    starts("t + 1u", true, "dp_in[(t + 1u) & 1u]", "    ");
    line("  }");
    line("  if (t >= 2u) dp_dma_wait(&dp_out[t & 1u]);");
    // Jobs read the double-buffered streams' offsets of tile t from dp_slot.
    std::map<const Stream*, size_t> slotIndex;
    std::string slotValues;
    for (const auto& [key, s] : streams_) {
      if (!s.doubled) continue;
      slotValues += (slotIndex.empty() ? "" : ", ") + slotExpression(key, s, "t");
      slotIndex.emplace(&s, slotIndex.size());
    }
    const bool cutAmongCores = std::any_of(variants.begin(), variants.end(), [](const TileCalls* v) { return !v->perCore.empty(); });
    const std::string jobArg = cutAmongCores && !slotIndex.empty() ? "dp_slot" : "0";
    if (jobArg != "0") line("  uint32_t dp_slot[" + std::to_string(slotIndex.size()) + "] = {" + slotValues + "};");
    const auto inJob = [&](const Stream& s) {
      return s.doubled ? "slot[" + std::to_string(slotIndex.at(&s)) + "]" : std::to_string(s.offset[0]);
    };
    auto callsOf = [&](const TileCalls& calls, const std::string& indent) {
      if (!calls.perCore.empty()) {
        line(indent + parallelCall(calls.perCore, inJob, true, jobArg));
        return;
      }
      for (const std::string& call : calls.whole) {
        line(indent + resolveMarks(call, [&](const Stream& s) {
          for (const auto& [key, candidate] : streams_) {
            if (&candidate == &s) return slotExpression(key, s, "t");
          }
          return std::string();
        }));
      }
    };
    if (variants.size() == 1) {
      callsOf(*variants[0], "  ");
    } else {
      line("  switch (dp_variant[t]) {");
      for (size_t v = 0; v < variants.size(); ++v) {
        line("    case " + std::to_string(v) + "u:");
        callsOf(*variants[v], "      ");
        line("      break;");
      }
      line("    default:");
      line("      break;");
      line("  }");
    }
    starts("t", false, "dp_out[t & 1u]", "  ");
    line("}");
    return c.str();
  }

  // `dp_parallel(job, arg, cores);` for a job function running one call list per core, written once
  // per distinct text. With `slotsFromArg`, offsets of double-buffered streams are read from `arg`.
  std::string parallelCall(const std::vector<std::vector<std::string>>& perCore,
                           const std::function<std::string(const Stream&)>& offsetOf, bool slotsFromArg,
                           const std::string& arg) {
    bool readsSlots = false;
    const auto resolve = [&](const Stream& s) {
      readsSlots |= slotsFromArg && s.doubled;
      return offsetOf(s);
    };
    std::ostringstream cases;
    for (size_t k = 0; k < perCore.size(); ++k) {
      cases << "    case " << k << ":\n";
      for (const std::string& call : perCore[k]) cases << "      " << resolveMarks(call, resolve) << "\n";
      cases << "      break;\n";
    }
    const std::string body = std::string(readsSlots ? "  const uint32_t *slot = (const uint32_t *)arg;\n" : "  (void)arg;\n") +
                             "  (void)chunks;\n  switch (chunk) {\n" + cases.str() + "    default:\n      break;\n  }\n}\n";
    auto [it, fresh] = jobOfBody_.try_emplace(body);
    if (fresh) {
      it->second = writer_.options().prefix + "_job_" + std::to_string(nodeIndex_) + "_" + std::to_string(jobOfBody_.size() - 1);
      writer_.addJob("/* " + cIdentifier(node_.name) + " (" + node_.op + "): one tile on " + std::to_string(perCore.size()) +
                     " cores */\nstatic void " + it->second + "(void *arg, int chunk, int chunks) {\n" + body);
      writer_.includes().insert("kernels/parallel.h");
    }
    return "dp_parallel(" + it->second + ", " + arg + ", " + std::to_string(perCore.size()) + ");";
  }

  std::string resolveMarks(const std::string& code, const std::function<std::string(const Stream&)>& offsetOf) const {
    std::string out;
    size_t pos = 0;
    while (true) {
      size_t open = code.find(kSlotMark, pos);
      if (open == std::string::npos) break;
      size_t close = code.find(kSlotMark, open + 1);
      const Stream& s = streams_.at(code.substr(open + 1, close - open - 1));
      if (s.offset.empty()) throw Error("internal: an L1 buffer of a tiled kernel call was never planned");
      out += code.substr(pos, open - pos) + offsetOf(s);
      pos = close + 1;
    }
    return out + code.substr(pos);
  }

  NetworkWriter& writer_;
  const std::map<std::string, Stream>& streams_;
  const std::map<std::string, std::vector<std::vector<TransferPart>>>& parts_;
  const std::vector<TileCalls>& calls_;
  size_t tiles_;
  const Node& node_;
  size_t nodeIndex_;
  std::map<std::string, std::string> jobOfBody_;
};

struct TiledCode {
  std::string code;
  NodeTilingReport report;
};

// The slot of `follower`'s input that reads the tiled node's output.
size_t boundSlot(const Graph& graph, size_t nodeIndex, size_t follower) {
  const std::vector<TensorId>& inputs = graph.nodes[follower].inputs;
  return static_cast<size_t>(std::find(inputs.begin(), inputs.end(), graph.nodes[nodeIndex].outputs[0]) - inputs.begin());
}

// The follower's tile computing exactly `region` of its input `bound` (the tiled node's output tile).
TileInstance followerTile(const Graph& graph, const Node& follower, const TilingGeometry& g, const Box& region, size_t bound) {
  const Shape& whole = graph.tensor(follower.inputs[bound]).shape;
  for (size_t a = 0; a < region.size(); ++a) {
    if (region[a].size() != whole[a] && !g.splittable[a]) {
      throw FollowerNotFused(follower.describe() + ": cannot compute a part of axis " + std::to_string(a));
    }
  }
  TileInstance tile = instantiateTile(graph, follower, g, region);
  if (tile.inputRegions[bound] != region) throw FollowerNotFused(follower.describe() + ": its tile reads another region");
  return tile;
}

// One tile's calls of the follower appended to the tiled node's: its input `bound` is the node's output
// buffer, which is then never stored (it lives in L1 for the tile only).
void appendFollowerCalls(NetworkWriter& writer, const Graph& graph, size_t nodeIndex, size_t follower, const TilingGeometry& g,
                         const TileInstance& tile, size_t t, size_t tiles, std::map<std::string, Stream>& streams,
                         int cores, std::vector<std::string>& whole, CoreCalls& perCore) {
  const Node& next = graph.nodes[follower];
  const size_t bound = boundSlot(graph, nodeIndex, follower);
  const StreamNames names{"f", static_cast<int>(bound), "out0"};
  const TileInstance nextTile = followerTile(graph, next, g, tile.outputRegions[0], bound);
  const Graph nextSub = tileGraph(graph, next, nextTile);
  streams.at("out0").kind = Stream::Kind::Scratch;
  std::vector<TileConstant> constants;
  TileEmitter emitter(writer, nextSub, next, nextTile, t, tiles, streams, cores > 1 ? &constants : nullptr, names);
  OpRegistry::instance().get(next).emit(emitter);
  CoreCalls nextPerCore = perCoreCalls(writer, nextSub, streams, t, constants, cores, names);
  if (perCore.calls.empty() != nextPerCore.calls.empty() ||
      (!perCore.calls.empty() && !sameCoreShares(perCore, nextPerCore, bound))) {
    throw FollowerNotFused(next.describe() + ": its share of a tile differs from the tiled node's");
  }
  const std::vector<std::string> nextWhole = nextPerCore.calls.empty() ? emitter.commitStatements() : emitter.describedStatements();
  whole.insert(whole.end(), nextWhole.begin(), nextWhole.end());
  for (size_t k = 0; k < perCore.calls.size(); ++k) {
    perCore.calls[k].insert(perCore.calls[k].end(), nextPerCore.calls[k].begin(), nextPerCore.calls[k].end());
  }
}

// `cores` > 1: every tile's node is also cut among that many cores where it can be (the L1 buffers
// stay the tile's). With a follower, each tile also computes the follower's part (tiledFollower).
TiledCode emitWithTileSizes(NetworkWriter& writer, const Graph& graph, size_t nodeIndex, std::optional<size_t> follower,
                            const TilingGeometry& g, const std::vector<int64_t>& tileSize, const TilingTarget& target,
                            size_t alignment, int cores) {
  const Node& node = graph.nodes[nodeIndex];
  const std::vector<Box> iterationTiles = cutTiles(g, tileSize);
  const size_t tiles = iterationTiles.size();
  const std::optional<TilingGeometry> followerGeometry =
      follower ? std::optional<TilingGeometry>(geometryOf(graph, graph.nodes[*follower])) : std::nullopt;
  std::map<std::string, Stream> streams;
  std::vector<TileCalls> calls;
  for (size_t t = 0; t < tiles; ++t) {
    TileInstance tile = instantiateTile(graph, node, g, iterationTiles[t]);
    Graph sub = tileGraph(graph, node, tile);
    std::vector<TileConstant> constants;
    TileEmitter emitter(writer, sub, node, tile, t, tiles, streams, cores > 1 ? &constants : nullptr);
    // An NPU node's tiles are tasks of the one NPU, never cut among cores.
    const bool onNpu = node.engine == NodeEngine::Npu;
    if (onNpu) {
      emitNpuTile(writer, emitter);
    } else {
      OpRegistry::instance().get(node).emit(emitter);
    }
    CoreCalls perCore = onNpu ? CoreCalls{} : perCoreCalls(writer, sub, streams, t, constants, cores);
    std::vector<std::string> whole = perCore.calls.empty() ? emitter.commitStatements() : emitter.describedStatements();
    if (follower) {
      appendFollowerCalls(writer, graph, nodeIndex, *follower, *followerGeometry, tile, t, tiles, streams, cores, whole, perCore);
    }
    calls.push_back({std::move(whole), std::move(perCore.calls)});
  }
  for (auto& [key, s] : streams) scheduleTransfers(s);
  L1Plan l1 = planL1(graph, streams, tiles, alignment);

  TiledCode result;
  NodeTilingReport& r = result.report;
  r.node = node.name;
  r.nodeIndex = nodeIndex;
  r.op = node.op;
  if (follower) r.follower = graph.nodes[*follower].name;
  r.tileSize = tileSize;
  for (size_t a = 0; a < g.iteration.size(); ++a) r.tileCount.push_back((g.iteration[a] + tileSize[a] - 1) / tileSize[a]);
  r.tiles = tiles;
  r.l1Bytes = l1.arenaBytes;
  r.l1LowerBound = l1.lowerBound;
  r.l1Buffers = std::move(l1.buffers);

  // Every stream's DMA starts per tile (none where it keeps its contents).
  TransferShapes shapes(writer);
  std::map<std::string, std::vector<std::vector<TransferPart>>> parts;
  double dmaCycles = 0;
  for (auto& [key, st] : streams) {
    auto& perTile = parts[key];
    perTile.resize(tiles);
    if (st.kind == Stream::Kind::Scratch) continue;
    const bool load = st.kind != Stream::Kind::Output;
    for (size_t t = 0; t < tiles; ++t) {
      if (!st.transfer[t]) continue;
      if (st.kind == Stream::Kind::Constant) {
        perTile[t] = shapes.array(st.bytes[t]);
        dmaCycles += static_cast<double>(st.bytes[t]) / target.weightBytesPerCycle;
      } else {
        const Tensor& whole = graph.tensor(st.tensor);
        perTile[t] = shapes.region(whole.shape, st.region[t], dtypeSize(whole.dtype), load);
        dmaCycles += static_cast<double>(st.bytes[t]) / target.activationBytesPerCycle;
      }
      (load ? r.dmaInBytes : r.dmaOutBytes) += st.bytes[t];
    }
  }
  TileCodeWriter code(writer, streams, parts, calls, tiles, node, nodeIndex);
  result.code = "  { /* " + std::to_string(tiles) + " tile" + (tiles == 1 ? "" : "s") + " in " + target.computeLevel + ", " +
                std::to_string(l1.arenaBytes) + " B of buffers */\n" + code.write() + "  }\n";
  r.modelledCycles = static_cast<int64_t>(dmaCycles) + static_cast<int64_t>(tiles) * target.cyclesPerTile;
  return result;
}

std::string bytesText(uint64_t n) { return std::to_string(n) + " B"; }

// The node's tiles of `tileSize` emitted into a throw-away writer (cutting tiles among cores leaves their
// L1 buffers as they are: probes of the L1 bytes need not cut).
NodeTilingReport probe(const NetworkWriter& writer, const Graph& graph, size_t nodeIndex, std::optional<size_t> follower,
                       const TilingGeometry& g, const std::vector<int64_t>& tileSize, const TilingTarget& target,
                       size_t alignment, int cores = 1) {
  ProgramParts scratch(writer.options().prefix, "");
  NetworkWriter probeWriter(graph, writer.memory(), writer.options(), scratch);
  return emitWithTileSizes(probeWriter, graph, nodeIndex, follower, g, tileSize, target, alignment, cores).report;
}

}  // namespace

size_t smallestTiledL1(const NetworkWriter& writer, const Graph& graph, size_t nodeIndex, const TilingTarget& target,
                       size_t alignment) {
  const TilingGeometry g = geometryOf(graph, graph.nodes[nodeIndex]);
  const TileProblem problem = tileProblemFor(graph, graph.nodes[nodeIndex], g, target);
  return probe(writer, graph, nodeIndex, std::nullopt, g, smallestTiling(problem, target.solverNodeBudget), target, alignment)
      .l1Bytes;
}

// Whether the arena bytes of tensors `a` and `b` overlap (tensors outside the arena overlap nothing).
bool shareArenaBytes(const Graph& graph, const ActivationMemory& memory, TensorId a, TensorId b) {
  const auto bytesOfA = arenaBytesOf(graph, memory, a), bytesOfB = arenaBytesOf(graph, memory, b);
  return bytesOfA && bytesOfB && bytesOfA->overlaps(*bytesOfB);
}

namespace {

// The node that could run in node `nodeIndex`'s tiles (tiled_node.h's tiledFollower), whatever the arena
// plan; `consumers` is the graph's.
std::optional<size_t> followerCandidate(const Graph& graph, const std::vector<std::vector<int>>& consumers,
                                        size_t nodeIndex) {
  const Node& node = graph.nodes[nodeIndex];
  const size_t next = nodeIndex + 1;
  // The follower would run on the cores between the NPU's tile tasks: a node of its own costs as much.
  if (next >= graph.nodes.size() || node.outputs.size() != 1 || node.engine == NodeEngine::Npu) return std::nullopt;
  const TensorId out = node.outputs[0];
  const Node& follower = graph.nodes[next];
  const OpSchema& schema = OpRegistry::instance().get(follower);
  if (schema.aliasesInput || !schema.emit || schema.scratchBytes || follower.outputs.size() != 1 ||
      graph.isGraphOutput(out) || runsOverFilledRows(graph, follower)) {
    return std::nullopt;
  }
  if (consumers[static_cast<size_t>(out)] != std::vector<int>{static_cast<int>(next)}) return std::nullopt;
  size_t reads = 0;
  for (TensorId in : follower.inputs) {
    if (in == out) ++reads;
    else if (in != kNoTensor && !graph.tensor(in).isConstant()) return std::nullopt;
  }
  const Shape& shape = graph.tensor(out).shape;
  if (reads != 1 || graph.tensor(follower.outputs[0]).shape != shape) return std::nullopt;
  // Element-wise on the node's output: its iteration space is that output, read and written index for index.
  const TilingGeometry g = geometryOf(graph, follower);
  const size_t bound = boundSlot(graph, nodeIndex, next);
  if (g.iteration != shape) return std::nullopt;
  for (const std::vector<AxisMap>* maps : {&g.inputs[bound], &g.outputs[0]}) {
    for (size_t a = 0; a < maps->size(); ++a) {
      const AxisMap& m = (*maps)[a];
      if (m.iterAxis != static_cast<int>(a) || m.stride != 1 || m.offset != 0 || m.window != 1) return std::nullopt;
    }
  }
  return next;
}

}  // namespace

std::vector<size_t> tiledFollowerHolds(const Graph& graph) {
  const std::vector<std::vector<int>> consumers = graph.consumers();
  std::vector<size_t> holds;
  for (size_t n = 0; n < graph.nodes.size(); ++n) {
    if (!OpRegistry::instance().get(graph.nodes[n]).aliasesInput && followerCandidate(graph, consumers, n)) {
      holds.push_back(n);
    }
  }
  return holds;
}

std::optional<size_t> tiledFollower(const Graph& graph, const ActivationMemory& memory, size_t nodeIndex) {
  const std::optional<size_t> next = followerCandidate(graph, graph.consumers(), nodeIndex);
  if (!next) return std::nullopt;
  // In the same tiles the node still reads its inputs while the follower's first tiles are written back:
  // an arena plan that did not hold those inputs (planActivationMemory's heldInputs) may have put the
  // follower's output on them.
  const Node& node = graph.nodes[nodeIndex];
  for (TensorId in : node.inputs) {
    if (in != kNoTensor && !graph.tensor(in).isConstant() &&
        shareArenaBytes(graph, memory, in, graph.nodes[*next].outputs[0])) {
      return std::nullopt;
    }
  }
  return next;
}

NodeTilingReport emitTiledNode(NetworkWriter& writer, const Graph& graph, size_t nodeIndex, const NodeTiling& tiling,
                               const TilingTarget& target, size_t alignment) {
  std::optional<size_t> follower;
  if (tiling.withFollower) follower = nodeIndex + 1;
  TiledCode code = emitWithTileSizes(writer, graph, nodeIndex, follower, geometryOf(graph, graph.nodes[nodeIndex]),
                                     tiling.tileSize, target, alignment, writer.options().cores);
  writer.body() << code.code;
  code.report.solverOptimal = tiling.solverOptimal;
  return code.report;
}

NodeTiling chooseTiling(const NetworkWriter& writer, const Graph& graph, size_t nodeIndex, std::optional<size_t> follower,
                        const TilingTarget& target, size_t alignment) {
  const Node& node = graph.nodes[nodeIndex];
  const TilingGeometry g = geometryOf(graph, node);
  TileProblem problem = tileProblemFor(graph, node, g, target);
  auto actualL1 = [&](const std::vector<int64_t>& tileSize) {
    return probe(writer, graph, nodeIndex, follower, g, tileSize, target, alignment).l1Bytes;
  };
  auto finish = [&](const std::vector<int64_t>& tileSize, bool optimal) {
    // Whether the follower's share of every tile is the node's share is only known cut among cores.
    if (follower && writer.options().cores > 1) {
      probe(writer, graph, nodeIndex, follower, g, tileSize, target, alignment, writer.options().cores);
    }
    return NodeTiling{tileSize, follower.has_value(), optimal};
  };

  std::optional<TileChoice> choice = solveTiling(problem, target.solverNodeBudget);
  if (choice && actualL1(choice->tileSize) <= target.capacityBytes) return finish(choice->tileSize, choice->provenOptimal);
  // The solver models operand tiles; kernels also place derived tables in L1 and buffers are aligned,
  // so the cheapest modelled choice can overflow. Bisect the capacity the solver is given between the
  // smallest tiling's modelled footprint (which fits) and the real capacity, keeping the best choice
  // that really fits.
  const std::vector<int64_t> smallest = smallestTiling(problem, target.solverNodeBudget);
  const size_t smallestBytes = actualL1(smallest);
  if (smallestBytes > target.capacityBytes) {
    throw TilingDoesNotFit(node.describe() + ": no tiling fits in " + bytesText(target.capacityBytes) + " of " +
                           target.computeLevel + "; its smallest tiling needs " + bytesText(smallestBytes));
  }
  std::vector<int64_t> best = smallest;
  uint64_t fits = modelledFootprint(problem, smallest), overflows = target.capacityBytes;
  for (int step = 0; step < 10 && overflows > fits + 1; ++step) {
    problem.capacityBytes = fits + (overflows - fits) / 2;
    choice = solveTiling(problem, target.solverNodeBudget);
    if (choice && actualL1(choice->tileSize) <= target.capacityBytes) {
      best = choice->tileSize;
      fits = problem.capacityBytes;
    } else {
      overflows = problem.capacityBytes;
    }
  }
  return finish(best, false);
}

}  // namespace deeploy
