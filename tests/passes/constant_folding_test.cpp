#include <gtest/gtest.h>

#include "passes/constant_folding.h"
#include "passes/dead_code.h"
#include "passes/type_inference.h"

namespace deeploy {
namespace {

// x + (c1 * c2): the product of two constants folds, the Add stays.
Graph graphWithConstantSubexpression() {
  Graph g;
  Tensor x;
  x.name = "x";
  x.dtype = DType::Float32;
  x.shape = {2};
  TensorId xi = g.addTensor(x);
  g.inputs.push_back(xi);
  TensorId c1 = g.addConstant("c1", TensorData::fromDoubles(DType::Float32, {2}, std::vector<double>{2, 3}));
  TensorId c2 = g.addConstant("c2", TensorData::fromDoubles(DType::Float32, {2}, std::vector<double>{4, 5}));
  TensorId prod = g.addTensor({.name = "prod"});
  TensorId y = g.addTensor({.name = "y"});
  g.nodes.push_back({"mul", "Mul", "", {c1, c2}, {prod}, {}});
  g.nodes.push_back({"add", "Add", "", {xi, prod}, {y}, {}});
  g.outputs.push_back(y);
  return g;
}

TEST(ConstantFolding, FoldsNodesWithOnlyConstantInputs) {
  Graph g = graphWithConstantSubexpression();
  inferTypes(g);  // folds as it infers
  ASSERT_EQ(g.nodes.size(), 1u);
  EXPECT_EQ(g.nodes[0].op, "Add");
  const Tensor& folded = g.tensor(g.nodes[0].inputs[1]);
  ASSERT_TRUE(folded.isConstant());
  EXPECT_EQ(folded.constant->toDoubles(), (std::vector<double>{8, 15}));
}

TEST(ConstantFolding, LeavesNodesWithRuntimeInputs) {
  Graph g = graphWithConstantSubexpression();
  g.nodes[0].inputs[0] = g.inputs[0];
  g.tensor(g.inputs[0]).dtype = DType::Float32;
  for (auto& n : g.nodes) {
    for (TensorId out : n.outputs) g.tensor(out).dtype = DType::Float32, g.tensor(out).shape = {2};
  }
  EXPECT_EQ(foldConstants(g), 0);
  EXPECT_EQ(g.nodes.size(), 2u);
}

TEST(DeadCode, RemovesNodesThatReachNoOutput) {
  Graph g = graphWithConstantSubexpression();
  TensorId unused = g.addTensor({.name = "unused"});
  g.nodes.push_back({"dead", "Add", "", {g.inputs[0], g.inputs[0]}, {unused}, {}});
  EXPECT_EQ(removeDeadNodes(g), 1);
  ASSERT_EQ(g.nodes.size(), 2u);
  EXPECT_EQ(g.nodes[1].name, "add");
  EXPECT_EQ(removeDeadNodes(g), 0);
}

}  // namespace
}  // namespace deeploy
