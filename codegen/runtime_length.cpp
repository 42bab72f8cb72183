#include "codegen/runtime_length.h"

#include <algorithm>
#include <sstream>

#include "ops/kernel_calls.h"
#include "ops/requant_shift.h"

namespace deeploy {

namespace {

const KVCacheLayout& layoutOf(const Graph& graph) { return *graph.kvCache; }

std::string filledRows(const NetworkWriter& w) { return w.options().prefix + "_filled_rows"; }
std::string cachedRows(const NetworkWriter& w) { return w.options().prefix + "_cached_rows"; }

int64_t leadingBlocks(const Shape& shape) {
  return shape.size() < 2 ? 1 : elementCount(Shape(shape.begin(), shape.end() - 2));
}
int64_t lastTwo(const Shape& shape) { return shape.size() < 2 ? elementCount(shape) : shape[shape.size() - 2] * shape.back(); }
int64_t rowsOf(const Shape& shape) { return shape.size() < 2 ? 1 : shape[shape.size() - 2]; }

// Fails naming the node.
[[noreturn]] void unsupported(const Node& node, const std::string& why) {
  throw Error(node.describe() + " over the filled cache rows: " + why);
}

// How one operand is addressed in block b: base pointer plus b times a stride in elements (0 when the
// operand is shared by all blocks).
struct BlockedOperand {
  TensorId id = kNoTensor;
  std::string base;
  int64_t blockStride = 0;
  std::string at(const std::string& block) const {
    return blockStride == 0 ? base : "(" + base + " + (size_t)(" + block + ") * " + std::to_string(blockStride) + "u)";
  }
};

// The kernel-call helpers of the operators see the node through this emitter; pointers are replaced
// by the caller, so they only name the tensor.
class BlockEmitter final : public KernelEmitter {
 public:
  BlockEmitter(NetworkWriter& writer, const Graph& graph, const Node& node) : writer_(writer), graph_(graph), node_(node) {}
  const Graph& graph() const override { return graph_; }
  const Node& node() const override { return node_; }
  const KernelChoices& choices() const override { return writer_.options().kernels; }
  std::string inputPtr(size_t i) const override { return writer_.tensorPointer(node_.inputs.at(i), true); }
  std::string outputPtr(size_t i) const override { return writer_.tensorPointer(node_.outputs.at(i), false); }
  std::string scratchPtr() const override { unsupported(node_, "the kernel would need scratch memory"); }
  std::string constant(const TensorData& value, const std::string& hint) override { return writer_.constant(value, hint); }
  void include(const std::string& header) override { writer_.includes().insert(header); }
  void statement(const std::string&) override { unsupported(node_, "the kernel needs preparatory statements"); }
  void definition(const std::string& key, const std::string& code) override { writer_.define(key, code); }

 private:
  NetworkWriter& writer_;
  const Graph& graph_;
  const Node& node_;
};

class FilledRowsNode {
 public:
  FilledRowsNode(NetworkWriter& writer, const Graph& graph, const Node& node)
      : writer_(writer), graph_(graph), node_(node), layout_(layoutOf(graph)), emitter_(writer, graph, node) {
    blocks_ = 0;
    for (const auto* list : {&node.outputs, &node.inputs}) {
      for (TensorId t : *list) {
        if (blocks_ == 0 && (layout_.isState(t) || layout_.hasRuntimeLength(t))) blocks_ = leadingBlocks(graph.tensor(t).shape);
      }
    }
  }

  int64_t blocks() const { return blocks_; }

  // The call computing block `block` (a C expression).
  std::string call(const std::string& block) {
    const std::string& op = node_.op;
    if (op == "KVAppend") return append(block);
    if (op == "MatMul" || op == "RQMatMul") return product(block);
    if (op == "RequantShift") return requant(block);
    if (op == "iSoftmax") return softmax(block);
    if (op == "Softmax") return floatSoftmax(block);
    if (op == "Add" || op == "Sub" || op == "Mul" || op == "Div") return binary(block);
    unsupported(node_, "no kernel runs this operator over a run-time length");
  }

  BlockedOperand operand(TensorId id, bool isConst) const {
    const Tensor& t = graph_.tensor(id);
    BlockedOperand o{id, writer_.tensorPointer(id, isConst), 0};
    int64_t blocks = leadingBlocks(t.shape);
    if (blocks == blocks_) {
      o.blockStride = lastTwo(t.shape);
    } else if (blocks != 1) {
      unsupported(node_, "tensor '" + t.name + "' " + shapeToString(t.shape) + " has " + std::to_string(blocks) +
                             " blocks where the node has " + std::to_string(blocks_));
    }
    return o;
  }

 private:
  std::string rows() const { return filledRows(writer_); }

  std::string append(const std::string& block) {
    writer_.includes().insert("kernels/copy.h");
    const Tensor& cache = graph_.tensor(node_.inputs[0]);
    BlockedOperand state = operand(node_.inputs[0], false), added = operand(node_.inputs[1], true);
    int64_t width = cache.shape.back(), newRows = rowsOf(graph_.tensor(node_.inputs[1]).shape);
    std::string target = "(" + state.at(block) + " + (size_t)" + cachedRows(writer_) + " * " + std::to_string(width) + "u)";
    return cCall("dp_copy", {target, added.at(block), std::to_string(newRows * width * static_cast<int64_t>(dtypeSize(cache.dtype))) + "u"});
  }

  void requirePerTensor(size_t first, size_t count) const {
    for (size_t i = first; i < first + count; ++i) {
      if (graph_.tensor(node_.inputs[i]).elementCount() != 1) unsupported(node_, "requantization parameters must be per tensor");
    }
  }

  // Q K^T with the keys read transposed in place (n runs over the filled rows), or P V (k does).
  std::string product(const std::string& block) {
    const Tensor &a = graph_.tensor(node_.inputs[0]), &b = graph_.tensor(node_.inputs[1]), &y = graph_.tensor(node_.outputs[0]);
    if (!layout_.isState(node_.inputs[1])) unsupported(node_, "only products with a cache as second operand are supported");
    if (node_.op == "RQMatMul") requirePerTensor(2, 2);
    bool keys = node_.attrs.getInt("cache_transposed", 0) != 0;
    MatMulGeometry g;
    g.m = rowsOf(a.shape);
    g.k = a.shape.back();
    g.n = keys ? layout_.maxRows : b.shape.back();
    g.outShape = {g.m, g.n};
    g.rowAxis = 0;
    g.colAxis = 1;
    if (keys ? !layout_.hasRuntimeLength(node_.outputs[0]) || g.k != b.shape.back()
             : !layout_.hasRuntimeLength(node_.inputs[0]) || rowsOf(y.shape) != g.m) {
      unsupported(node_, "operands are not [rows, width] x [filled rows, width] or [rows, filled] x [filled rows, width]");
    }
    KernelCall c = productCall(emitter_, g, MatMulOperands{"", "", keys ? "nt" : "nn"});
    c.args[0] = operand(node_.inputs[0], true).at(block);
    c.args[1] = operand(node_.inputs[1], true).at(block);
    c.args[2] = operand(node_.outputs[0], false).at(block);
    c.args[keys ? 5 : 6] = rows();
    return c.text();
  }

  std::string requant(const std::string& block) {
    requirePerTensor(1, 2);
    KernelCall c = requantShiftCall(emitter_);
    c.args[0] = operand(node_.inputs[0], true).at(block);
    c.args[1] = operand(node_.outputs[0], false).at(block);
    c.args[2] = "1";
    c.args[3] = "1";
    c.args[4] = std::to_string(rowsOf(graph_.tensor(node_.outputs[0]).shape)) + " * " + rows();
    return c.text();
  }

  std::string softmax(const std::string& block) {
    KernelCall c = iSoftmaxCall(emitter_);
    c.args[0] = operand(node_.inputs[0], true).at(block);
    c.args[1] = operand(node_.outputs[0], false).at(block);
    c.args[2] = std::to_string(rowsOf(graph_.tensor(node_.outputs[0]).shape));
    c.args[3] = rows();
    return c.text();
  }

  // Float softmax over the filled columns of each row.
  std::string floatSoftmax(const std::string& block) {
    const Shape& shape = graph_.tensor(node_.outputs[0]).shape;
    int64_t axis = node_.attrs.getInt("axis", -1);
    if (axis != -1 && axis != static_cast<int64_t>(shape.size()) - 1) {
      unsupported(node_, "the softmax must run over the last axis");
    }
    writer_.includes().insert("kernels/softmax.h");
    return cCall("dp_softmax_f32", {operand(node_.inputs[0], true).at(block), operand(node_.outputs[0], false).at(block),
                                    std::to_string(rowsOf(shape)), rows(), "1"});
  }

  // Strides over [rows, filled] of the output: packed for a run-time-length operand, else the
  // operand's own broadcast strides in its declared layout (a mask of maxRows columns).
  std::string strides(TensorId id, const Shape& out) const {
    if (layout_.hasRuntimeLength(id)) return "{" + rows() + ", 1}";
    std::vector<int64_t> s = broadcastStrides(graph_.tensor(id).shape, out);
    for (size_t d = 0; d + 2 < s.size(); ++d) {
      if (s[d] != 0) unsupported(node_, "an operand without the run-time length must be shared by all blocks");
    }
    int64_t row = s.size() >= 2 ? s[s.size() - 2] : 0;
    return "{" + std::to_string(row) + ", " + std::to_string(s.back()) + "}";
  }

  std::string binary(const std::string& block) {
    const Shape& out = graph_.tensor(node_.outputs[0]).shape;
    std::string name = binaryKernel(emitter_);
    std::ostringstream s;
    s << "{ const int32_t shape[2] = {" << rowsOf(out) << ", " << rows() << "}, a_strides[2] = " << strides(node_.inputs[0], out)
      << ", b_strides[2] = " << strides(node_.inputs[1], out) << "; "
      << cCall(name, {operand(node_.inputs[0], true).at(block), operand(node_.inputs[1], true).at(block),
                      operand(node_.outputs[0], false).at(block), "2", "shape", "a_strides", "b_strides"})
      << " }";
    return s.str();
  }

  NetworkWriter& writer_;
  const Graph& graph_;
  const Node& node_;
  const KVCacheLayout& layout_;
  BlockEmitter emitter_;
  int64_t blocks_ = 0;
};

// Caches are addressed beyond the arena so that chunks touching different caches never overlap.
ByteRange blockRange(const NetworkWriter& writer, const Graph& graph, const BlockedOperand& o, int64_t first, int64_t last) {
  const Tensor& t = graph.tensor(o.id);
  uint64_t base = 0;
  const auto& states = layoutOf(graph).states;
  auto state = std::find(states.begin(), states.end(), o.id);
  if (state != states.end()) {
    base = (uint64_t{1} << 40) + (static_cast<uint64_t>(state - states.begin()) << 32);
  } else if (!t.isConstant()) {
    base = writer.memory().offsetOfTensor(o.id);
  }
  uint64_t bytes = dtypeSize(t.dtype);
  if (o.blockStride == 0) return {base, base + t.byteSize()};
  return {base + static_cast<uint64_t>(first * o.blockStride) * bytes, base + static_cast<uint64_t>(last * o.blockStride) * bytes};
}

}  // namespace

CoreChunks filledRowsChunks(NetworkWriter& writer, const Graph& graph, size_t nodeIndex, int cores) {
  const Node& node = graph.nodes[nodeIndex];
  FilledRowsNode emitter(writer, graph, node);
  int64_t blocks = emitter.blocks();
  int64_t chunks = std::max<int64_t>(1, std::min<int64_t>(cores, blocks));
  std::string call = emitter.call("b");
  CoreChunks result;
  result.label = node.name;
  for (int64_t k = 0; k < chunks; ++k) {
    int64_t first = blocks * k / chunks, last = blocks * (k + 1) / chunks;
    result.statements.push_back({"{ int32_t b; for (b = " + std::to_string(first) + "; b < " + std::to_string(last) +
                                 "; ++b) " + call + " }"});
    std::vector<ByteRange> reads, writes;
    for (TensorId in : node.inputs) {
      if (in == kNoTensor || graph.tensor(in).isConstant() || in == graph.kvCache->cacheLength) continue;
      (node.op == "KVAppend" && in == node.inputs[0] ? writes : reads)
          .push_back(blockRange(writer, graph, emitter.operand(in, true), first, last));
    }
    for (TensorId out : node.outputs) writes.push_back(blockRange(writer, graph, emitter.operand(out, false), first, last));
    result.reads.push_back(std::move(reads));
    result.writes.push_back(std::move(writes));
  }
  return result;
}

void defineKVCacheBuffers(NetworkWriter& writer) {
  const Graph& graph = writer.graph();
  for (TensorId s : graph.kvCache->states) {
    const std::string buffer = writer.stateBuffer(s);
    size_t words = (graph.tensor(s).byteSize() + 7) / 8;
    writer.define(buffer, "/* KV cache " + graph.tensor(s).name + ": persists across runs; rows [0, cache_length) hold the tokens seen so far. */\n"
                          "static uint64_t " + buffer + "_words[" + std::to_string(words) + "]" +
                          levelSection(writer.options().activationLevel, false) + ";\n#define " + buffer + " ((" +
                          std::string(cTypeName(graph.tensor(s).dtype)) + " *)" + buffer + "_words)");
  }
  writer.define(cachedRows(writer), "/* Rows in the caches before a run of " + writer.options().prefix +
                                        ", and after it (the length attention runs over). */\nstatic int32_t " +
                                        cachedRows(writer) + ", " + filledRows(writer) + ";");
}

std::string kvCachePrologue(NetworkWriter& writer) {
  const KVCacheLayout& layout = *writer.graph().kvCache;
  std::ostringstream c;
  // Copied out, not dereferenced: the arena is uint64_t words, read as int32_t it breaks strict aliasing
  // (GCC rejects it with -Werror when cache_length sits at offset 0).
  c << "  memcpy(&" << cachedRows(writer) << ", " << writer.tensorPointer(layout.cacheLength, true) << ", sizeof "
    << cachedRows(writer) << ");\n"
    << "  if (" << cachedRows(writer) << " < 0 || " << cachedRows(writer) << " > " << layout.maxRows - layout.newRows
    << ") return; /* the new rows would not fit */\n"
    << "  " << filledRows(writer) << " = " << cachedRows(writer) << " + " << layout.newRows << ";\n";
  return c.str();
}

std::string kvCacheProgramHeaderLines(const Graph& graph, const std::string& upperPrefix) {
  const KVCacheLayout& layout = *graph.kvCache;
  size_t bytes = 0;
  for (TensorId s : layout.states) bytes += graph.tensor(s).byteSize();
  std::ostringstream h;
  h << "/* Persistent KV caches of " << layout.maxRows << " rows (" << bytes << " B in all). */\n"
    << "#define " << upperPrefix << "_CACHE_CAPACITY " << layout.maxRows << "\n"
    << "#define " << upperPrefix << "_CACHE_BYTES " << bytes << "u\n\n";
  return h.str();
}

std::string kvCacheStepHeaderLines(const Graph& graph, const std::string& upperPrefix) {
  const KVCacheLayout& layout = *graph.kvCache;
  size_t input = static_cast<size_t>(std::find(graph.inputs.begin(), graph.inputs.end(), layout.cacheLength) - graph.inputs.begin());
  std::ostringstream h;
  h << "/* A step over the KV caches: input " << input << " (cache_length, int32) gives the rows the caches hold;\n"
    << " * a run appends " << layout.newRows << " and attends over cache_length + " << layout.newRows
    << " rows. A run whose rows would exceed\n * the capacity computes nothing. */\n"
    << "#define " << upperPrefix << "_CACHE_LENGTH_INPUT " << input << "\n"
    << "#define " << upperPrefix << "_NEW_ROWS " << layout.newRows << "\n";
  return h.str();
}

}  // namespace deeploy
