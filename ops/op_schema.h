// What the compiler knows about one operator: attribute checks and shape/type inference, the
// reference semantics (the interpreter), and how the C backend calls its kernel.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ir/error.h"
#include "ir/graph.h"
#include "ops/kernel_choices.h"
#include "ops/npu_conv.h"
#include "tiling/geometry.h"

namespace deeploy {

// Handed to an operator's inference: read inputs, validate attributes, set outputs.
class InferContext {
 public:
  InferContext(Graph& graph, Node& node) : graph_(graph), node_(node) {}

  const Node& node() const { return node_; }
  const Attributes& attrs() const { return node_.attrs; }
  Graph& graph() { return graph_; }
  const Graph& graph() const { return graph_; }

  size_t inputCount() const { return node_.inputs.size(); }
  size_t outputCount() const { return node_.outputs.size(); }
  bool hasInput(size_t i) const { return i < node_.inputs.size() && node_.inputs[i] != kNoTensor; }
  const Tensor& input(size_t i) const;  // fails with a clear message if absent
  DType inputType(size_t i) const { return input(i).dtype; }
  const Shape& inputShape(size_t i) const { return input(i).shape; }
  const TensorData* constantInput(size_t i) const;  // nullptr unless present and constant
  // Replaces constant input i by a copy converted to `type` (a new tensor, so other readers keep theirs).
  void convertConstantInput(size_t i, DType type);

  void setOutput(size_t i, DType type, Shape shape);

  [[noreturn]] void fail(const std::string& message) const;
  void require(bool condition, const std::string& message) const {
    if (!condition) fail(message);
  }
  // Checks input counts: at least `min`, at most `max` inputs present in the slot list.
  void requireInputs(size_t min, size_t max) const;

 private:
  Graph& graph_;
  Node& node_;
};

// Reference evaluation arguments: outputs arrive allocated with the inferred type and shape.
struct EvalArgs {
  const Node& node;
  std::vector<const TensorData*> inputs;  // nullptr for omitted optional inputs
  std::vector<TensorData*> outputs;
  const Attributes& attrs() const { return node.attrs; }
  bool has(size_t i) const { return i < inputs.size() && inputs[i] != nullptr; }
  const TensorData& in(size_t i) const { return *inputs.at(i); }
  TensorData& out(size_t i) const { return *outputs.at(i); }
};

// The code generator's side of a kernel call, seen by an operator's emit function.
class KernelEmitter {
 public:
  virtual ~KernelEmitter() = default;
  virtual const Graph& graph() const = 0;
  virtual const Node& node() const = 0;
  const Tensor& input(size_t i) const { return graph().tensor(node().inputs.at(i)); }
  const Tensor& output(size_t i) const { return graph().tensor(node().outputs.at(i)); }
  bool hasInput(size_t i) const { return i < node().inputs.size() && node().inputs[i] != kNoTensor; }
  const Attributes& attrs() const { return node().attrs; }
  virtual const KernelChoices& choices() const = 0;

  // C expressions: a typed pointer to the first element ("(const int8_t *)(dp_arena + 64)").
  virtual std::string inputPtr(size_t i) const = 0;
  virtual std::string outputPtr(size_t i) const = 0;
  // A `void *` to this node's scratch buffer (the size its schema's scratchBytes asked for).
  virtual std::string scratchPtr() const = 0;
  // Emits a constant array holding `value` and returns its name.
  virtual std::string constant(const TensorData& value, const std::string& hint) = 0;
  // Adds `#include "header"` (relative to runtime/) to the generated file.
  virtual void include(const std::string& header) = 0;
  // Appends one C statement to the network's run function.
  virtual void statement(const std::string& code) = 0;
  // Adds file-scope code (a kernel instantiated from a runtime macro) once per key.
  virtual void definition(const std::string& key, const std::string& code) = 0;
};

struct OpSchema {
  std::string name;  // ONNX op_type; the domain is not used for lookup
  std::function<void(InferContext&)> infer;
  std::function<void(const EvalArgs&)> evaluate;
  std::function<void(KernelEmitter&)> emit;  // null: the op must be gone before code generation
  // Bytes of scratch memory the kernel needs during the node (optional).
  std::function<size_t(const Graph&, const Node&)> scratchBytes;
  // Output 0 is input 0's bytes under another shape (Reshape family): no code, no copy.
  bool aliasesInput = false;
  // How the node splits into tiles (optional: without it the node runs whole in the compute level).
  std::function<TilingGeometry(const Graph&, const Node&)> tiling = nullptr;
  // The node as one NPU convolution, or nullopt when the NPU cannot run it (optional: cores only).
  std::function<std::optional<NpuConv>(const Graph&, const Node&)> npu = nullptr;
  // The float32 kernel applies a fused activation (ops/fused_activation.h) to every output it stores.
  bool fusesActivation = false;
  // Output 0 may take the buffer of an input of its own type and element count (memory/activation_memory):
  // the kernel reads such an input's element i only to compute output element i, before storing it.
  bool computesInPlace = false;
  // Whether the kernel, run whole on one core, stores every output element only over bytes of input 0 that
  // no later output reads when output 0 starts where input 0 starts: then output 0 may take input 0's buffer
  // even when it is smaller (memory/activation_memory; optional: never).
  std::function<bool(const Graph&, const Node&)> storesBehindReads = nullptr;
};

class OpRegistry {
 public:
  static OpRegistry& instance();
  void add(OpSchema schema);
  const OpSchema* find(const std::string& op) const;
  const OpSchema& get(const Node& node) const;  // throws a clear "unsupported operator" error
  std::vector<std::string> names() const;

 private:
  std::map<std::string, OpSchema> schemas_;
};

// Registers schemas at start-up; ops/*.cpp are linked as object files so none is dropped.
struct OpRegistrar {
  explicit OpRegistrar(std::initializer_list<OpSchema> schemas) {
    for (const auto& s : schemas) OpRegistry::instance().add(s);
  }
};

}  // namespace deeploy
