#include "passes/type_inference.h"

#include "ops/fused_activation.h"
#include "ops/op_schema.h"
#include "passes/constant_folding.h"

namespace deeploy {

namespace {

bool readsOnlyIntegerRuntimeInputs(const Graph& graph, const Node& node) {
  bool anyRuntime = false;
  for (TensorId in : node.inputs) {
    if (in == kNoTensor || graph.tensor(in).isConstant()) continue;
    if (!isInteger(graph.tensor(in).dtype)) return false;
    anyRuntime = true;
  }
  return anyRuntime;
}

void narrowIntegralFloatConstants(Graph& graph, Node& node) {
  if (!readsOnlyIntegerRuntimeInputs(graph, node)) return;
  for (TensorId& in : node.inputs) {
    if (in == kNoTensor) continue;
    const Tensor& t = graph.tensor(in);
    if (!t.isConstant() || !isFloat(t.dtype) || !t.constant->allIntegral()) continue;
    auto [lo, hi] = t.constant->integerRange();
    DType narrow = smallestIntegerType(lo, hi);
    std::string name = t.name + "_" + std::string(dtypeName(narrow));
    TensorData converted = t.constant->castTo(narrow);
    in = graph.addConstant(name, std::move(converted));
  }
}

void checkInputsTyped(const Graph& graph) {
  for (TensorId id : graph.inputs) {
    const Tensor& t = graph.tensor(id);
    if (t.dtype == DType::Undefined) throw Error("graph input '" + t.name + "' has no known element type");
    for (int64_t d : t.shape) {
      if (d < 0) {
        throw Error("graph input '" + t.name + "' has a dynamic shape " + shapeToString(t.shape) +
                    "; give input values (--inputs) so its shape is known");
      }
    }
    if (exceedsMaxElements(t.shape)) {
      throw Error("graph input '" + t.name + "' has shape " + shapeToString(t.shape) + ": more than " +
                  std::to_string(kMaxTensorElements) + " elements");
    }
  }
}

}  // namespace

void inferTypes(Graph& graph) {
  checkInputsTyped(graph);
  const OpRegistry& registry = OpRegistry::instance();
  for (size_t n = 0; n < graph.nodes.size(); ++n) {
    Node& node = graph.nodes[n];
    const OpSchema& schema = registry.get(node);
    narrowIntegralFloatConstants(graph, node);
    for (TensorId out : node.outputs) {
      if (out != kNoTensor) graph.tensor(out).dtype = DType::Undefined;
    }
    InferContext ctx(graph, node);
    try {
      schema.infer(ctx);
    } catch (const Error&) {
      throw;
    } catch (const std::exception& e) {
      ctx.fail(e.what());
    }
    for (TensorId out : node.outputs) {
      if (out == kNoTensor) continue;
      const Tensor& t = graph.tensor(out);
      if (t.dtype == DType::Undefined) ctx.fail("inference left output '" + t.name + "' untyped");
      if (exceedsMaxElements(t.shape)) {
        ctx.fail("output '" + t.name + "' would have shape " + shapeToString(t.shape) + ": more than " +
                 std::to_string(kMaxTensorElements) + " elements");
      }
    }
    if (hasFusedActivation(node)) checkFusedActivation(ctx, schema);
    if (isFoldable(graph, node)) foldNode(graph, n);
  }
  removeFoldedNodes(graph);
}

}  // namespace deeploy
