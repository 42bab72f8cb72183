#include "passes/noop_removal.h"

#include <gtest/gtest.h>

#include "ops/interpreter.h"
#include "passes/type_inference.h"

namespace deeploy {
namespace {

using Ints = std::vector<int64_t>;

// Builds small graphs: each node gets one new output tensor named after the node.
class Builder {
 public:
  TensorId input(const std::string& name, Shape shape, DType type = DType::Int8) {
    Tensor t;
    t.name = name;
    t.dtype = t.declaredType = type;
    t.shape = std::move(shape);
    TensorId id = g.addTensor(t);
    g.inputs.push_back(id);
    return id;
  }
  TensorId constant(const std::vector<int64_t>& values) {
    return g.addConstant("c", TensorData::fromInts(DType::Int64, {static_cast<int64_t>(values.size())}, values));
  }
  TensorId node(const std::string& name, const std::string& op, std::vector<TensorId> inputs, Attributes attrs = {}) {
    TensorId out = g.addTensor({.name = name});
    g.nodes.push_back({name, op, "", std::move(inputs), {out}, std::move(attrs)});
    return out;
  }
  Graph g;
};

Attributes attr(const std::string& name, AttributeValue value) {
  Attributes a;
  a.set(name, std::move(value));
  return a;
}

std::vector<std::string> ops(const Graph& g) {
  std::vector<std::string> names;
  for (const Node& n : g.nodes) names.push_back(n.op);
  return names;
}

TensorData ramp(Shape shape) {
  TensorData t(DType::Int8, std::move(shape));
  for (int64_t i = 0; i < t.size(); ++i) t.setInt(i, i * 7 % 50 - 20);
  return t;
}

TEST(NoOpRemoval, IdentityBetweenNodesIsBypassed) {
  Builder b;
  TensorId x = b.input("x", {4});
  TensorId a = b.node("a", "Add", {x, x});
  TensorId id = b.node("id", "Identity", {a});
  b.g.outputs.push_back(b.node("y", "Add", {id, x}));
  inferTypes(b.g);
  EXPECT_EQ(removeNoOps(b.g), 1);
  EXPECT_EQ(ops(b.g), (std::vector<std::string>{"Add", "Add"}));
  EXPECT_EQ(b.g.nodes[1].inputs[0], a);
}

TEST(NoOpRemoval, DataMovementThatMovesNothingIsRemoved) {
  Builder b;
  TensorId x = b.input("x", {2, 1, 3});
  TensorId cast = b.node("cast", "Cast", {x}, attr("to", int64_t{3}));
  TensorId slice = b.node("slice", "Slice", {cast, b.constant({0, -100}), b.constant({100, 100}), b.constant({0, 2})});
  TensorId pad = b.node("pad", "Pad", {slice, b.constant({0, 0, 0, 0, 0, 0})});
  TensorId transpose = b.node("transpose", "Transpose", {pad}, attr("perm", Ints{0, 1, 2}));
  TensorId concat = b.node("concat", "Concat", {transpose, b.input("empty", {2, 1, 0})}, attr("axis", int64_t{2}));
  b.g.outputs.push_back(b.node("y", "Add", {concat, x}));
  inferTypes(b.g);
  EXPECT_EQ(removeNoOps(b.g), 5);
  ASSERT_EQ(ops(b.g), (std::vector<std::string>{"Add"}));
  EXPECT_EQ(b.g.nodes[0].inputs, (std::vector<TensorId>{x, x}));
}

TEST(NoOpRemoval, DataMovementThatMovesSomethingStays) {
  Builder b;
  TensorId x = b.input("x", {2, 3});
  TensorId cast = b.node("cast", "Cast", {x}, attr("to", int64_t{5}));
  TensorId reversed =
      b.node("reverse", "Slice", {cast, b.constant({-1}), b.constant({-100}), b.constant({1}), b.constant({-1})});
  TensorId shifted = b.node("shift", "Pad", {reversed, b.constant({0, 1, 0, -1})});
  TensorId transposed = b.node("transpose", "Transpose", {shifted});
  b.g.outputs.push_back(b.node("y", "Add", {transposed, transposed}));
  inferTypes(b.g);
  EXPECT_EQ(removeNoOps(b.g), 0);
  EXPECT_EQ(b.g.nodes.size(), 5u);
}

TEST(NoOpRemoval, GraphOutputKeepsItsTensorWhenTheProducerCanWriteIt) {
  Builder b;
  TensorId x = b.input("x", {4});
  TensorId sum = b.node("sum", "Add", {x, x});
  TensorId y = b.node("y", "Identity", {sum});
  b.g.outputs.push_back(y);
  TensorId z = b.node("z", "Add", {sum, x});  // another reader of the bypassed tensor
  b.g.outputs.push_back(z);
  inferTypes(b.g);
  EXPECT_EQ(removeNoOps(b.g), 1);
  ASSERT_EQ(ops(b.g), (std::vector<std::string>{"Add", "Add"}));
  EXPECT_EQ(b.g.nodes[0].outputs[0], y);
  EXPECT_EQ(b.g.nodes[1].inputs[0], y);
  EXPECT_EQ(b.g.outputs, (std::vector<TensorId>{y, z}));
  EXPECT_EQ(b.g.tensor(b.g.outputs[0]).name, "y");
}

TEST(NoOpRemoval, NeverMakesAGraphOutputAnInputOrAnotherOutput) {
  Builder b;
  TensorId x = b.input("x", {4});
  TensorId sum = b.node("sum", "Add", {x, x});
  b.g.outputs.push_back(sum);
  b.g.outputs.push_back(b.node("copy_of_output", "Identity", {sum}));
  b.g.outputs.push_back(b.node("copy_of_input", "Identity", {x}));
  b.g.outputs.push_back(b.node("cast_of_input", "Cast", {x}, attr("to", int64_t{3})));
  inferTypes(b.g);
  EXPECT_EQ(removeNoOps(b.g), 1);  // only the Cast changes, into a view
  EXPECT_EQ(ops(b.g), (std::vector<std::string>{"Add", "Identity", "Identity", "Identity"}));
  EXPECT_EQ(b.g.nodes[3].inputs, (std::vector<TensorId>{x}));
  EXPECT_TRUE(b.g.nodes[3].attrs.all().empty());
  for (size_t i = 0; i < b.g.outputs.size(); ++i) {
    EXPECT_FALSE(b.g.isGraphInput(b.g.outputs[i]));
    for (size_t j = 0; j < i; ++j) EXPECT_NE(b.g.outputs[i], b.g.outputs[j]);
  }
}

TEST(NoOpRemoval, TransposeOfUnitDimensionsBecomesAReshapeWithTheSameValues) {
  Builder b;
  TensorId x = b.input("x", {1, 4, 1, 3});
  TensorId t = b.node("t", "Transpose", {x}, attr("perm", Ints{1, 2, 0, 3}));
  b.g.outputs.push_back(b.node("y", "Add", {t, t}));
  inferTypes(b.g);
  std::vector<TensorData> inputs{ramp({1, 4, 1, 3})};
  auto before = interpretGraph(b.g, inputs);
  EXPECT_EQ(removeNoOps(b.g), 1);
  ASSERT_EQ(ops(b.g), (std::vector<std::string>{"Reshape", "Add"}));
  EXPECT_EQ(b.g.tensor(b.g.nodes[0].inputs[1]).constant->toInts(), (Ints{4, 1, 1, 3}));
  inferTypes(b.g);
  EXPECT_EQ(interpretGraph(b.g, inputs), before);
}

TEST(NoOpRemoval, RealTransposeOfUnitDimensionsStays) {
  Builder b;
  TensorId x = b.input("x", {2, 1, 3});
  b.g.outputs.push_back(b.node("t", "Transpose", {x}, attr("perm", Ints{2, 1, 0})));
  inferTypes(b.g);
  EXPECT_EQ(removeNoOps(b.g), 0);
  EXPECT_EQ(ops(b.g), (std::vector<std::string>{"Transpose"}));
}

}  // namespace
}  // namespace deeploy
