// Test support: small graphs built node by node, their runtime inputs keeping example values.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "ir/graph.h"

namespace deeploy::testing {

class GraphBuilder {
 public:
  TensorId input(const std::string& name, TensorData value) {
    Tensor t;
    t.name = name;
    t.dtype = t.declaredType = value.dtype();
    t.shape = value.shape();
    TensorId id = graph.addTensor(std::move(t));
    graph.inputs.push_back(id);
    values.push_back(std::move(value));
    return id;
  }
  TensorId constant(const std::string& name, TensorData value) { return graph.addConstant(name, std::move(value)); }
  // A node of `op` with one new output tensor, which it returns.
  TensorId node(const std::string& op, std::vector<TensorId> inputs, Attributes attrs = {}) {
    std::string name = op + "_" + std::to_string(graph.nodes.size());
    Tensor out;
    out.name = name + "_out";
    TensorId id = graph.addTensor(std::move(out));
    graph.nodes.push_back({name, op, "", std::move(inputs), {id}, std::move(attrs)});
    return id;
  }
  void output(TensorId id) { graph.outputs.push_back(id); }

  Graph graph;
  std::vector<TensorData> values;
};

}  // namespace deeploy::testing
