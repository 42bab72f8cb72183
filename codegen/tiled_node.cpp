#include "codegen/tiled_node.h"

#include <algorithm>
#include <map>
#include <optional>

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
  enum class Kind { Input, Constant, Output, Scratch } kind = Kind::Input;
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

// Emits an operator's kernel call for one tile, recording which L1 buffers it uses.
class TileEmitter final : public KernelEmitter {
 public:
  TileEmitter(NetworkWriter& writer, const Graph& sub, const Node& wholeNode, const TileInstance& tile, size_t index,
              size_t tileCount, std::map<std::string, Stream>& streams)
      : writer_(writer), sub_(sub), whole_(wholeNode), tile_(tile), index_(index), count_(tileCount), streams_(streams) {}

  const Graph& graph() const override { return sub_; }
  const Node& node() const override { return sub_.nodes[0]; }

  std::string inputPtr(size_t i) const override {
    const Tensor& t = sub_.tensor(node().inputs.at(i));
    const std::string key = "in" + std::to_string(i);
    if (t.isConstant()) return constantStream(key, writer_.sharedConstant(*t.constant, t.name), *t.constant);
    Stream& s = stream(key, Stream::Kind::Input);
    s.tensor = whole_.inputs[i];
    s.region[index_] = tile_.inputRegions[i];
    s.content[index_] = boxText(tile_.inputRegions[i]);
    s.bytes[index_] = t.byteSize();
    return pointer(key, t.dtype, true);
  }

  std::string outputPtr(size_t o) const override {
    const Tensor& t = sub_.tensor(node().outputs.at(o));
    const std::string key = "out" + std::to_string(o);
    Stream& s = stream(key, Stream::Kind::Output);
    s.tensor = whole_.outputs[o];
    s.region[index_] = tile_.outputRegions[o];
    s.content[index_] = boxText(tile_.outputRegions[o]);
    s.bytes[index_] = t.byteSize();
    return pointer(key, t.dtype, false);
  }

  std::string scratchPtr() const override {
    const OpSchema& schema = OpRegistry::instance().get(node());
    if (!schema.scratchBytes) throw Error(node().describe() + ": kernel asked for scratch memory its schema did not declare");
    Stream& s = stream("scratch", Stream::Kind::Scratch);
    s.content[index_] = "scratch";
    s.bytes[index_] = schema.scratchBytes(sub_, node());
    return "((void *)(" + writer_.l1() + " + " + mark("scratch") + "))";
  }

  std::string constant(const TensorData& value, const std::string& hint) override {
    const std::string key = "k" + std::to_string(derived_++);
    return constantStream(key, writer_.sharedConstant(value, hint), value);
  }

  void include(const std::string& header) override { writer_.includes().insert(header); }
  void statement(const std::string& code) override { statements_.push_back(code); }
  void definition(const std::string& key, const std::string& code) override { writer_.define(key, code); }

  const std::vector<std::string>& statements() const { return statements_; }

 private:
  static std::string mark(const std::string& key) { return std::string(1, kSlotMark) + key + kSlotMark; }

  std::string pointer(const std::string& key, DType type, bool isConst) const {
    return std::string("((") + (isConst ? "const " : "") + std::string(cTypeName(type)) + " *)(" + writer_.l1() + " + " +
           mark(key) + "))";
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

  std::string constantStream(const std::string& key, const std::string& array, const TensorData& value) const {
    Stream& s = stream(key, Stream::Kind::Constant);
    s.array[index_] = array;
    s.content[index_] = array;
    s.bytes[index_] = value.byteSize();
    return pointer(key, value.dtype(), true);
  }

  NetworkWriter& writer_;
  const Graph& sub_;
  const Node& whole_;
  const TileInstance& tile_;
  size_t index_;
  size_t count_;
  std::map<std::string, Stream>& streams_;
  std::vector<std::string> statements_;
  int derived_ = 0;
};

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
};

// Buffers live at tile granularity: an input buffer from the tile before its first use (it is
// prefetched then) to its last use, an output buffer from its first use to the tile after its last
// (its write-back runs then).
L1Plan planL1(std::map<std::string, Stream>& streams, size_t tiles, size_t alignment) {
  std::vector<Allocation> allocations;
  std::vector<std::pair<Stream*, int>> owners;
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
    }
  }
  MemoryPlan plan = makeDefaultPlanner()->plan(allocations, alignment);
  for (auto& [s, p] : owners) s->offset.assign(2, 0);
  for (size_t b = 0; b < owners.size(); ++b) owners[b].first->offset[static_cast<size_t>(owners[b].second)] = plan.offsets[b];
  return {plan.arenaSize, lifetimeLowerBound(allocations)};
}

std::string resolveMarks(const std::string& code, const std::map<std::string, Stream>& streams, size_t tile) {
  std::string out;
  size_t pos = 0;
  while (true) {
    size_t open = code.find(kSlotMark, pos);
    if (open == std::string::npos) break;
    size_t close = code.find(kSlotMark, open + 1);
    const Stream& s = streams.at(code.substr(open + 1, close - open - 1));
    if (s.offset.empty()) throw Error("internal: an L1 buffer of a tiled kernel call was never planned");
    out += code.substr(pos, open - pos) + std::to_string(s.offset[static_cast<size_t>(s.parity[tile])]);
    pos = close + 1;
  }
  return out + code.substr(pos);
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

uint64_t regionOffsetBytes(const Shape& wholeShape, const Box& region, size_t elementBytes) {
  const std::vector<int64_t> strides = rowMajorStrides(wholeShape);
  uint64_t offset = 0;
  for (size_t a = 0; a < region.size(); ++a) offset += static_cast<uint64_t>(region[a].lo * strides[a]);
  return offset * elementBytes;
}

// DMA starts for one transfer between a tensor region (in the activation level) and a dense L1 tile.
class TransferWriter {
 public:
  TransferWriter(NetworkWriter& writer) : writer_(writer) {}

  void regionCopy(std::vector<std::string>& out, const std::string& group, const std::string& tensorBase,
                  const std::string& l1Base, const Shape& wholeShape, const Box& region, size_t elementBytes, bool toL1) {
    if (elementCount(regionShape(region)) == 0) return;
    CopyShape c = copyShape(wholeShape, region, elementBytes);
    const uint64_t base = regionOffsetBytes(wholeShape, region, elementBytes);
    // The DMA takes two strided axes; further ones become separate transfers.
    std::vector<std::pair<uint64_t, uint64_t>> inner(c.strided.begin(), c.strided.begin() + std::min<size_t>(2, c.strided.size()));
    std::vector<uint64_t> innerDense(c.denseStride.begin(), c.denseStride.begin() + static_cast<long>(inner.size()));
    std::vector<size_t> index(c.strided.size() > 2 ? c.strided.size() - 2 : 0, 0);
    while (true) {
      uint64_t tensorOffset = base, denseOffset = 0;
      for (size_t k = 0; k < index.size(); ++k) {
        tensorOffset += index[k] * c.strided[k + 2].second;
        denseOffset += index[k] * c.denseStride[k + 2];
      }
      std::string shape = shapeConstant(c.runBytes, inner, innerDense, toL1);
      std::string tensorPtr = "(" + tensorBase + " + " + std::to_string(tensorOffset) + ")";
      std::string l1Ptr = "(" + l1Base + " + " + std::to_string(denseOffset) + ")";
      out.push_back("dp_dma_start(&" + group + ", " + (toL1 ? l1Ptr : tensorPtr) + ", " + (toL1 ? tensorPtr : l1Ptr) + ", &" + shape + ");");
      size_t k = 0;
      for (; k < index.size(); ++k) {
        if (++index[k] < c.strided[k + 2].first) break;
        index[k] = 0;
      }
      if (k == index.size()) break;
    }
  }

  void arrayCopy(std::vector<std::string>& out, const std::string& group, const std::string& array, const std::string& l1Base,
                 size_t bytes) {
    if (bytes == 0) return;
    out.push_back("dp_dma_start(&" + group + ", (" + l1Base + "), " + array + ", &" + shapeConstant(bytes, {}, {}, true) + ");");
  }

 private:
  std::string shapeConstant(uint64_t run, const std::vector<std::pair<uint64_t, uint64_t>>& axes,
                            const std::vector<uint64_t>& dense, bool toL1) {
    uint64_t count[2] = {1, 1}, tensorStride[2] = {0, 0}, denseStride[2] = {0, 0};
    for (size_t k = 0; k < axes.size(); ++k) {
      count[k] = axes[k].first;
      tensorStride[k] = axes[k].second;
      denseStride[k] = dense[k];
    }
    const uint64_t* src = toL1 ? tensorStride : denseStride;
    const uint64_t* dst = toL1 ? denseStride : tensorStride;
    std::string fields = std::to_string(run) + "u, " + std::to_string(count[0]) + "u, " + std::to_string(count[1]) + "u, " +
                         std::to_string(src[0]) + "u, " + std::to_string(dst[0]) + "u, " + std::to_string(src[1]) + "u, " +
                         std::to_string(dst[1]) + "u";
    std::string name = writer_.l1() + "_dma_" + cIdentifier(fields);
    writer_.define("dma " + fields, "static const dp_dma_shape " + name + " = {" + fields + "};");
    return name;
  }

  NetworkWriter& writer_;
};

TileProblem tileProblem(const Graph& graph, const Node& node, const TilingGeometry& g, const TilingTarget& target) {
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
  for (size_t i = 0; i < node.inputs.size(); ++i) add(node.inputs[i], g.inputs[i]);
  for (size_t o = 0; o < node.outputs.size(); ++o) add(node.outputs[o], g.outputs[o]);
  const OpSchema& schema = OpRegistry::instance().get(node);
  if (schema.scratchBytes) p.fixedBytes = schema.scratchBytes(graph, node);
  return p;
}

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

struct TiledCode {
  std::string code;
  NodeTilingReport report;
};

TiledCode emitWithTileSizes(NetworkWriter& writer, const Graph& graph, size_t nodeIndex, const TilingGeometry& g,
                            const std::vector<int64_t>& tileSize, const TilingTarget& target, size_t alignment) {
  const Node& node = graph.nodes[nodeIndex];
  const std::vector<Box> iterationTiles = cutTiles(g, tileSize);
  const size_t tiles = iterationTiles.size();
  std::map<std::string, Stream> streams;
  std::vector<std::vector<std::string>> calls;
  for (size_t t = 0; t < tiles; ++t) {
    TileInstance tile = instantiateTile(graph, node, g, iterationTiles[t]);
    Graph sub = tileGraph(graph, node, tile);
    TileEmitter emitter(writer, sub, node, tile, t, tiles, streams);
    OpRegistry::instance().get(node).emit(emitter);
    calls.push_back(emitter.statements());
  }
  for (auto& [key, s] : streams) scheduleTransfers(s);
  const L1Plan l1 = planL1(streams, tiles, alignment);

  TiledCode result;
  NodeTilingReport& r = result.report;
  r.node = node.name;
  r.op = node.op;
  r.tileSize = tileSize;
  for (size_t a = 0; a < g.iteration.size(); ++a) r.tileCount.push_back((g.iteration[a] + tileSize[a] - 1) / tileSize[a]);
  r.tiles = tiles;
  r.l1Bytes = l1.arenaBytes;
  r.l1LowerBound = l1.lowerBound;

  TransferWriter dma(writer);
  const std::string L1 = writer.l1();
  double dmaCycles = 0;
  // The transfers that tile t needs before it computes (loads) and after (stores).
  auto transfers = [&](size_t t, bool loads, const std::string& group) {
    std::vector<std::string> out;
    for (auto& [key, s] : streams) {
      if (!s.transfer[t] || (s.kind == Stream::Kind::Output) == loads) continue;
      const std::string l1Base = L1 + " + " + std::to_string(s.offset[static_cast<size_t>(s.parity[t])]);
      if (s.kind == Stream::Kind::Constant) {
        dma.arrayCopy(out, group, s.array[t], l1Base, s.bytes[t]);
        r.dmaInBytes += s.bytes[t];
        dmaCycles += static_cast<double>(s.bytes[t]) / target.weightBytesPerCycle;
        continue;
      }
      const Tensor& whole = graph.tensor(s.tensor);
      const std::string tensorBase = writer.arena() + " + " + std::to_string(writer.memory().offsetOfTensor(s.tensor));
      dma.regionCopy(out, group, tensorBase, l1Base, whole.shape, s.region[t], dtypeSize(whole.dtype), loads);
      (loads ? r.dmaInBytes : r.dmaOutBytes) += s.bytes[t];
      dmaCycles += static_cast<double>(s.bytes[t]) / target.activationBytesPerCycle;
    }
    return out;
  };

  std::ostringstream c;
  auto line = [&](const std::string& text) { c << "    " << text << "\n"; };
  c << "  { /* " << tiles << " tile" << (tiles == 1 ? "" : "s") << " in " << target.computeLevel << ", " << l1.arenaBytes
    << " B */\n";
  line("dp_dma_group dp_in[2] = {{0u}, {0u}}, dp_out[2] = {{0u}, {0u}};");
  for (const std::string& s : transfers(0, true, "dp_in[0]")) line(s);
  for (size_t t = 0; t < tiles; ++t) {
    const std::string parity = std::to_string(t % 2), next = std::to_string((t + 1) % 2);
    line("/* tile " + std::to_string(t) + " */");
    line("dp_dma_wait(&dp_in[" + parity + "]);");
    if (t + 1 < tiles) {
      for (const std::string& s : transfers(t + 1, true, "dp_in[" + next + "]")) line(s);
    }
    if (t >= 2) line("dp_dma_wait(&dp_out[" + parity + "]);");
    for (const std::string& call : calls[t]) line(resolveMarks(call, streams, t));
    for (const std::string& s : transfers(t, false, "dp_out[" + parity + "]")) line(s);
  }
  line("dp_dma_wait(&dp_out[0]);");
  line("dp_dma_wait(&dp_out[1]);");
  c << "  }\n";
  result.code = c.str();
  r.modelledCycles = static_cast<int64_t>(dmaCycles) + static_cast<int64_t>(tiles) * target.cyclesPerTile;
  return result;
}

std::string bytesText(uint64_t n) { return std::to_string(n) + " B"; }

}  // namespace

size_t smallestTiledL1(const NetworkWriter& writer, const Graph& graph, size_t nodeIndex, const TilingTarget& target,
                       size_t alignment) {
  const TilingGeometry g = geometryOf(graph, graph.nodes[nodeIndex]);
  const TileProblem problem = tileProblem(graph, graph.nodes[nodeIndex], g, target);
  NetworkWriter probe(graph, writer.memory(), writer.options());
  return emitWithTileSizes(probe, graph, nodeIndex, g, smallestTiling(problem, target.solverBudget), target, alignment)
      .report.l1Bytes;
}

NodeTilingReport emitTiledNode(NetworkWriter& writer, const Graph& graph, size_t nodeIndex, const TilingTarget& target,
                               size_t alignment) {
  const Node& node = graph.nodes[nodeIndex];
  const auto start = std::chrono::steady_clock::now();
  const TilingGeometry g = geometryOf(graph, node);
  TileProblem problem = tileProblem(graph, node, g, target);
  // The solver models operand tiles; what the kernels really place in L1 (derived tables, alignment)
  // is known once emitted, so the budget shrinks by any excess and the solver runs again.
  for (int attempt = 0; attempt < 6 && problem.capacityBytes > 0; ++attempt) {
    std::optional<TileChoice> choice = solveTiling(problem, target.solverBudget);
    if (!choice) break;
    NetworkWriter probe(graph, writer.memory(), writer.options());
    TiledCode trial = emitWithTileSizes(probe, graph, nodeIndex, g, choice->tileSize, target, alignment);
    if (trial.report.l1Bytes > target.capacityBytes) {
      const uint64_t excess = trial.report.l1Bytes - target.capacityBytes;
      problem.capacityBytes = problem.capacityBytes > excess ? problem.capacityBytes - excess : 0;
      continue;
    }
    TiledCode code = emitWithTileSizes(writer, graph, nodeIndex, g, choice->tileSize, target, alignment);
    writer.body() << code.code;
    code.report.solverOptimal = choice->provenOptimal;
    code.report.solverSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return code.report;
  }
  throw TilingDoesNotFit(node.describe() + ": no tiling fits in " + bytesText(target.capacityBytes) + " of " +
                         target.computeLevel + "; its smallest tiling needs " +
                         bytesText(smallestTiledL1(writer, graph, nodeIndex, target, alignment)));
}

}  // namespace deeploy
