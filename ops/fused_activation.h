// A float activation fused into the product that computes its input (passes/activation_fusion): the
// product's kernel applies it to every output as it stores it (kernels/activation_epilogue.h), and the
// activation node is gone. On the product node it is data: the attribute `activation` names the ONNX
// operator (Relu, Clip, LeakyRelu, HardSigmoid, HardSwish, Sigmoid) and `activation_<name>` holds each of
// its float attributes that was given (Clip's constant bounds as activation_min and activation_max).
// Its semantics are the activation operator's own: the reference applies that operator's evaluation to
// the product's output, the kernels call the element functions of the unfused kernels (kernels/unary.h).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "ops/op_schema.h"

namespace deeploy {

// The attributes that fuse `activation` (a node reading a float32 tensor) into its producer, or nullopt
// when it cannot be fused: another operator, a type other than float32, a run-time Clip bound.
std::optional<Attributes> fusedActivationAttributes(const Graph& graph, const Node& activation);

bool hasFusedActivation(const Node& node);
// Inference of a node with a fused activation: an operator whose kernel applies it, a float32 output, a
// known activation with readable attributes.
void checkFusedActivation(const InferContext& ctx, const OpSchema& schema);
// The reference: `y`, the product's output, becomes the activation's output.
void applyFusedActivation(const Node& node, TensorData& y);

// A product kernel as its emitter makes it callable (useKernel).
struct ProductKernel {
  std::string header, macro, name;
  std::vector<std::string> macroArgs;
};
// Turns `kernel` into its variant that applies the node's fused activation, if the node has one: the
// activated kernels of kernels/activation_epilogue.h, named after the kernel and the activation, defined
// by the kernel's macro with _ACT and the activation's element function appended. Returns the arguments
// the call then takes last (the activation's two parameters), none without a fused activation.
std::vector<std::string> addActivationEpilogue(const KernelEmitter& e, ProductKernel& kernel);

}  // namespace deeploy
