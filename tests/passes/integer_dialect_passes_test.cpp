// Passes of the integer dialect: TrueIntegerDiv folding into RequantShift, iHardswish/iGELU + RequantShift
// fusion. Each transformation must leave the network's results unchanged.
#include <gtest/gtest.h>

#include "ops/interpreter.h"
#include "passes/integer_activation_fusion.h"
#include "passes/integer_div_folding.h"
#include "passes/pipeline.h"
#include "passes/type_inference.h"
#include "tests/support/tensors.h"

namespace deeploy {
namespace {

using namespace testing;

Attributes requantAttributes() { return attributes({{"div", 65536}, {"n_levels", 256}, {"signed", 1}}); }

// input -> first(op, attrs) -> RequantShift(mul, add) -> output.
struct Chain {
  Graph graph;
  TensorData input;
  TensorId intermediate = kNoTensor;
};

Chain requantizedChain(const std::string& op, Attributes attrs, TensorData input, TensorData mul, TensorData add) {
  Chain c;
  Graph& g = c.graph;
  Tensor x;
  x.name = "x";
  x.dtype = input.dtype();
  x.shape = input.shape();
  TensorId xi = g.addTensor(x);
  g.inputs.push_back(xi);
  c.intermediate = g.addTensor({.name = "intermediate"});
  TensorId y = g.addTensor({.name = "y"});
  TensorId mi = g.addConstant("mul", std::move(mul)), ai = g.addConstant("add", std::move(add));
  g.nodes.push_back({"first", op, "", {xi}, {c.intermediate}, std::move(attrs)});
  g.nodes.push_back({"requant", "RequantShift", "", {c.intermediate, mi, ai}, {y}, requantAttributes()});
  g.outputs.push_back(y);
  c.input = std::move(input);
  return c;
}

Attributes trueDivAttributes() { return attributes({{"Delta", 16384}, {"eps", 1}, {"eta", 200000}, {"y", 2}}); }

Chain trueDivChain(TensorData input, int64_t mul, int64_t add) {
  return requantizedChain("TrueIntegerDiv", trueDivAttributes(), std::move(input), ints(DType::Int32, {1, 1}, {mul}),
                          ints(DType::Int32, {}, {add}));
}

std::vector<int64_t> outputsOf(const Chain& c) { return interpretGraph(c.graph, {c.input})[0].toInts(); }

TensorData int8Ramp(Shape shape) {
  std::vector<int64_t> v(static_cast<size_t>(elementCount(shape)));
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<int64_t>(i * 53 % 256) - 128;
  return ints(DType::Int8, std::move(shape), v);
}

TEST(TrueIntegerDivFolding, FoldsTheFactorIntoTheRequantMultiplier) {
  Chain c = trueDivChain(int8Ramp({2, 8}), 4, 0);
  inferTypes(c.graph);
  auto before = outputsOf(c);
  EXPECT_EQ(foldTrueIntegerDiv(c.graph), 1);
  ASSERT_EQ(c.graph.nodes.size(), 1u);
  const Node& rq = c.graph.nodes[0];
  EXPECT_EQ(rq.op, "RequantShift");
  EXPECT_EQ(rq.inputs[0], c.graph.inputs[0]);
  EXPECT_EQ(c.graph.tensor(rq.inputs[1]).constant->toInts(), (std::vector<int64_t>{4 * 8191}));
  EXPECT_EQ(outputsOf(c), before);
}

TEST(TrueIntegerDivFolding, LeavesWhatWouldChangeResults) {
  // A non-zero add is applied after the division, so the product cannot move into mul.
  Chain withAdd = trueDivChain(int8Ramp({4}), 4, 3);
  inferTypes(withAdd.graph);
  EXPECT_EQ(foldTrueIntegerDiv(withAdd.graph), 0);
  // 300000 * 8191 does not fit the int32 multiplier.
  Chain bigMul = trueDivChain(int8Ramp({4}), 300000, 0);
  inferTypes(bigMul.graph);
  EXPECT_EQ(foldTrueIntegerDiv(bigMul.graph), 0);
  // int32 inputs times 8191 wrap in the division's int32 output; folding would not.
  Chain wide = trueDivChain(ints(DType::Int32, {2}, {1 << 20, -(1 << 20)}), 1, 0);
  inferTypes(wide.graph);
  EXPECT_EQ(foldTrueIntegerDiv(wide.graph), 0);
  // The quotient is also a graph output.
  Chain observed = trueDivChain(int8Ramp({4}), 4, 0);
  observed.graph.outputs.push_back(observed.intermediate);
  inferTypes(observed.graph);
  EXPECT_EQ(foldTrueIntegerDiv(observed.graph), 0);
  EXPECT_EQ(observed.graph.nodes.size(), 2u);
}

TEST(TrueIntegerDivFolding, RunsInTheMidend) {
  Chain c = trueDivChain(int8Ramp({3}), 4, 0);
  PassLog log = runMidend(c.graph);
  bool logged = false;
  for (const auto& line : log.lines) logged = logged || line.find("TrueIntegerDiv folded") != std::string::npos;
  EXPECT_TRUE(logged);
  for (const Node& n : c.graph.nodes) EXPECT_NE(n.op, "TrueIntegerDiv");
}

TEST(ActivationRequantFusion, FusesHardswishAndGeluWithUnchangedResults) {
  Attributes hardswish = attributes({{"one_over_six", 33}, {"three", 765}, {"six", 1530}});
  Attributes gelu = attributes({{"b", -40}, {"one", 1743}});
  for (auto [op, attrs] : {std::pair<const char*, Attributes>{"iHardswish", hardswish}, {"iGELU", gelu}}) {
    Chain c = requantizedChain(op, attrs, int8Ramp({1, 3, 7}), ints(DType::Int32, {3, 1}, {5, 70, 300}),
                               ints(DType::Int32, {3, 1}, {0, -1000, 1000}));
    inferTypes(c.graph);
    auto before = outputsOf(c);
    EXPECT_EQ(fuseIntegerActivationRequant(c.graph), 1) << op;
    ASSERT_EQ(c.graph.nodes.size(), 1u);
    EXPECT_EQ(c.graph.nodes[0].op, std::string("RQ") + op);
    EXPECT_EQ(c.graph.tensor(c.graph.outputs[0]).dtype, DType::Int8);
    EXPECT_EQ(outputsOf(c), before) << op;
  }
}

TEST(ActivationRequantFusion, KeepsAnActivationWithOtherReaders) {
  Attributes hardswish = attributes({{"one_over_six", 33}, {"three", 765}, {"six", 1530}});
  Chain c = requantizedChain("iHardswish", hardswish, int8Ramp({5}), ints(DType::Int32, {}, {1}),
                             ints(DType::Int32, {}, {0}));
  c.graph.outputs.push_back(c.intermediate);
  inferTypes(c.graph);
  EXPECT_EQ(fuseIntegerActivationRequant(c.graph), 0);
  // A declared int16 activation output wraps the result; fusing would lose that.
  Chain narrow = requantizedChain("iHardswish", hardswish, int8Ramp({5}), ints(DType::Int32, {}, {1}),
                                  ints(DType::Int32, {}, {0}));
  narrow.graph.tensor(narrow.intermediate).declaredType = DType::Int16;
  inferTypes(narrow.graph);
  EXPECT_EQ(fuseIntegerActivationRequant(narrow.graph), 0);
}

}  // namespace
}  // namespace deeploy
