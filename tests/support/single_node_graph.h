// Test and benchmark support: a graph holding one node, built from its operator, attributes and
// operands (without GoogleTest, so the benchmarks build their cases the same way).
#pragma once

#include <string>
#include <vector>

#include "ir/graph.h"

namespace deeploy::testing {

struct NodeInput {
  TensorData value;
  bool constant = false;  // true: an initializer; false: a runtime graph input
};

struct NodeCase {
  std::string op;
  Attributes attrs;
  std::vector<NodeInput> inputs;  // use an empty TensorData (Undefined type) for an omitted optional input
  int outputs = 1;
  std::vector<DType> declaredOutputTypes;  // optional: what the "model file" declares per output
};

// A graph holding just that node; all outputs are graph outputs. Types are not yet inferred.
Graph makeSingleNodeGraph(const NodeCase& c);
// The runtime inputs of the case, in graph-input order.
std::vector<TensorData> runtimeInputs(const NodeCase& c);

}  // namespace deeploy::testing
