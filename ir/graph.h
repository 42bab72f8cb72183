// The compiler's graph IR: tensors (typed, shaped, optionally constant) and nodes in schedule order.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ir/attributes.h"
#include "ir/tensor_data.h"

namespace deeploy {

using TensorId = int32_t;
constexpr TensorId kNoTensor = -1;

struct Tensor {
  std::string name;
  DType dtype = DType::Undefined;  // Undefined until type inference reaches it
  Shape shape;
  std::optional<TensorData> constant;  // set for initializers and folded values
  DType declaredType = DType::Undefined;  // what the model file says; informative only
  // A proven bound on |value| of a runtime integer tensor whose producer is not in this graph (the
  // inputs of a tile's graph carry their producer's bound, so tiles requantize as the whole node does).
  std::optional<int64_t> magnitudeBound;
  bool isConstant() const { return constant.has_value(); }
  int64_t elementCount() const { return deeploy::elementCount(shape); }
  size_t byteSize() const { return static_cast<size_t>(elementCount()) * dtypeSize(dtype); }
};

// Which engine of the platform runs a node: its cores (the default) or its NPU. The engine mapping
// pass (passes/engine_mapping.h) decides; code generation follows.
enum class NodeEngine { Cores, Npu };

// The tiles a node is computed in, decided before code generation when the platform tiles into a compute
// level (codegen/c_codegen.h's decideTiling), and read by code generation: the tile size along each of
// the node's iteration axes, whether the node after it is computed in the same tiles, and how the tile
// solver fared.
struct NodeTiling {
  std::vector<int64_t> tileSize;
  bool withFollower = false;
  bool solverOptimal = false;
};

struct Node {
  std::string name;
  std::string op;      // operator type, e.g. "Conv" or "RequantShift"
  std::string domain;  // ONNX domain, kept for messages
  std::vector<TensorId> inputs;  // kNoTensor marks an omitted optional input
  std::vector<TensorId> outputs;
  Attributes attrs;
  NodeEngine engine = NodeEngine::Cores;
  std::optional<NodeTiling> tiling;

  std::string describe() const;  // "node 'conv1' (Conv)"
};

// Set on a graph lowered for a KV cache (passes/kv_cache.h): the caches are persistent buffers of
// maxRows rows outside the arena, and the attention behind them runs over the rows filled so far.
struct KVCacheLayout {
  TensorId cacheLength = kNoTensor;  // int32 [1] graph input: rows already in the caches
  int64_t newRows = 0;               // rows each run appends (T)
  int64_t maxRows = 0;               // rows the caches hold (the maximum context)
  std::vector<TensorId> states;      // the caches, [blocks..., maxRows, width], in graph-input order
  // Per tensor: its last axis holds cacheLength + newRows valid elements at run time (extent maxRows
  // in its declared shape; rows of each block are packed at the runtime length).
  std::vector<bool> runtimeLength;

  bool isState(TensorId id) const;
  bool hasRuntimeLength(TensorId id) const {
    return id != kNoTensor && static_cast<size_t>(id) < runtimeLength.size() && runtimeLength[static_cast<size_t>(id)];
  }
};

class Graph {
 public:
  std::string name;
  int64_t opset = 0;  // version of the default ONNX domain the model imports (0: unknown)
  std::vector<Tensor> tensors;
  std::vector<Node> nodes;          // schedule order once sorted
  std::vector<TensorId> inputs;     // runtime inputs (never constants)
  std::vector<TensorId> outputs;
  // The model file's initializers in its order, and those of them it also declares as graph inputs
  // (ONNX lets a caller override such a default); frontend/input_binding matches extra arrays to them.
  std::vector<TensorId> initializers;
  std::vector<TensorId> overridableInitializers;
  std::optional<KVCacheLayout> kvCache;
  bool tilingDecided = false;  // decideTiling has set the tiling of every node computed in tiles

  TensorId addTensor(Tensor t);
  TensorId addConstant(const std::string& nameHint, TensorData value);
  Tensor& tensor(TensorId id) { return tensors.at(static_cast<size_t>(id)); }
  const Tensor& tensor(TensorId id) const { return tensors.at(static_cast<size_t>(id)); }
  TensorId findTensor(const std::string& name) const;  // kNoTensor if absent
  std::string uniqueTensorName(const std::string& base) const;

  bool isGraphInput(TensorId id) const;
  bool isGraphOutput(TensorId id) const;
  // Index of the node producing the tensor, or -1 (graph input, constant, or dangling).
  int producerOf(TensorId id) const;
  // For each tensor, the indices of nodes reading it.
  std::vector<std::vector<int>> consumers() const;

  // Orders nodes so every input is produced before use; throws Error on a cycle or a tensor
  // read but never produced.
  void topologicalSort();
  // Replaces every read of `from` (node inputs and graph outputs) by `to`.
  void replaceUses(TensorId from, TensorId to);
  // Removes the nodes whose flag is set, keeping the order of the rest.
  void removeNodes(const std::vector<bool>& remove);
};

// Whether the node reads or writes a KV cache or a tensor running over the filled cache rows
// (Graph::kvCache): such nodes are emitted by codegen/runtime_length.
bool runsOverFilledRows(const Graph& graph, const Node& node);

}  // namespace deeploy
