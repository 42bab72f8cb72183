#include "ops/op_schema.h"

namespace deeploy {

const Tensor& InferContext::input(size_t i) const {
  if (!hasInput(i)) fail("input " + std::to_string(i) + " is missing");
  return graph_.tensor(node_.inputs[i]);
}

const TensorData* InferContext::constantInput(size_t i) const {
  if (!hasInput(i)) return nullptr;
  const Tensor& t = graph_.tensor(node_.inputs[i]);
  return t.constant ? &*t.constant : nullptr;
}

void InferContext::convertConstantInput(size_t i, DType type) {
  const TensorData* value = constantInput(i);
  if (!value) fail("input " + std::to_string(i) + " must be a constant");
  if (value->dtype() == type) return;
  TensorData converted = value->castTo(type);
  node_.inputs[i] = graph_.addConstant(graph_.tensor(node_.inputs[i]).name + "_" + std::string(dtypeName(type)),
                                       std::move(converted));
}

void InferContext::setOutput(size_t i, DType type, Shape shape) {
  if (i >= node_.outputs.size() || node_.outputs[i] == kNoTensor) return;  // unused optional output
  for (int64_t d : shape) {
    if (d < 0) fail("inferred a negative dimension for output " + std::to_string(i) + ": " + shapeToString(shape));
  }
  Tensor& t = graph_.tensor(node_.outputs[i]);
  t.dtype = type;
  t.shape = std::move(shape);
}

void InferContext::fail(const std::string& message) const { throw Error(node_.describe() + ": " + message); }

void InferContext::requireInputs(size_t min, size_t max) const {
  size_t present = 0;
  for (size_t i = 0; i < node_.inputs.size(); ++i) present += hasInput(i) ? 1 : 0;
  if (node_.inputs.size() > max || present < min) {
    fail("expects " + (min == max ? std::to_string(min) : std::to_string(min) + " to " + std::to_string(max)) +
         " inputs, got " + std::to_string(node_.inputs.size()));
  }
  for (size_t i = 0; i < min; ++i) {
    if (!hasInput(i)) fail("required input " + std::to_string(i) + " is missing");
  }
}

OpRegistry& OpRegistry::instance() {
  static OpRegistry registry;
  return registry;
}

void OpRegistry::add(OpSchema schema) {
  std::string key = schema.name;
  schemas_[key] = std::move(schema);
}

const OpSchema* OpRegistry::find(const std::string& op) const {
  auto it = schemas_.find(op);
  return it == schemas_.end() ? nullptr : &it->second;
}

const OpSchema& OpRegistry::get(const Node& node) const {
  if (const OpSchema* s = find(node.op)) return *s;
  std::string supported;
  for (const auto& name : names()) supported += (supported.empty() ? "" : ", ") + name;
  throw Error(node.describe() + ": operator '" + node.op + "'" +
              (node.domain.empty() ? "" : " of domain '" + node.domain + "'") +
              " is not supported. Supported operators: " + supported);
}

std::vector<std::string> OpRegistry::names() const {
  std::vector<std::string> out;
  for (const auto& [name, schema] : schemas_) out.push_back(name);
  return out;
}

}  // namespace deeploy
