// The QDQ lowering (passes/qdq_lowering.h) on the networks of models/qdq, made in onnxruntime's QDQ form:
// which ops become integer nodes, and that the integer graph stays within one quantization step of the
// QDQ graph's own semantics (DequantizeLinear, float op, QuantizeLinear) in the reference interpreter.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <optional>

#include "frontend/npz.h"
#include "ops/interpreter.h"
#include "passes/pipeline.h"
#include "passes/type_inference.h"
#include "tools/driver.h"

namespace deeploy {
namespace {

const std::string kModels = std::string(DEEPLOY_SOURCE_DIR) + "/models/qdq/";

struct Loaded {
  Graph graph;
  std::vector<TensorData> inputs;
};

Loaded load(const std::string& name) {
  Loaded l;
  l.graph = loadTypedModel(kModels + name + "/network.onnx", readNpz(kModels + name + "/inputs.npz"), &l.inputs);
  return l;
}

int64_t count(const Graph& graph, const std::string& op) {
  return std::count_if(graph.nodes.begin(), graph.nodes.end(), [&](const Node& n) { return n.op == op; });
}

// Largest difference between two lists of integer arrays.
int64_t largestDifference(const std::vector<TensorData>& a, const std::vector<TensorData>& b) {
  int64_t worst = 0;
  for (size_t o = 0; o < a.size(); ++o) {
    for (int64_t i = 0; i < a[o].size(); ++i) worst = std::max(worst, std::abs(a[o].getInt(i) - b[o].getInt(i)));
  }
  return worst;
}

// The zero point of the DequantizeLinear producing `tensor`, nullopt for other producers and constants.
std::optional<int64_t> dequantizedZeroPoint(const Graph& graph, TensorId tensor) {
  int producer = graph.producerOf(tensor);
  if (producer < 0) return std::nullopt;
  const Node& dq = graph.nodes[static_cast<size_t>(producer)];
  if (dq.op != "DequantizeLinear" || graph.tensor(dq.inputs[0]).isConstant()) return std::nullopt;
  return graph.tensor(dq.inputs[2]).constant->getInt(0);
}

// Among the `op` nodes whose first `operands` inputs are all run-time quantized tensors, the operands
// with a zero point other than 0.
int64_t nonZeroPointOperands(const Graph& graph, const std::string& op, size_t operands) {
  int64_t n = 0;
  for (const Node& node : graph.nodes) {
    if (node.op != op) continue;
    std::vector<std::optional<int64_t>> zeroPoints;
    for (size_t i = 0; i < operands; ++i) zeroPoints.push_back(dequantizedZeroPoint(graph, node.inputs[i]));
    if (std::any_of(zeroPoints.begin(), zeroPoints.end(), [](const auto& z) { return !z; })) continue;
    n += std::count_if(zeroPoints.begin(), zeroPoints.end(), [](const auto& z) { return *z != 0; });
  }
  return n;
}

TEST(QdqLowering, TheCnnBecomesIntegerBetweenItsInputQuantizeAndItsOutputs) {
  Loaded cnn = load("cnn");
  // Every convolution pads (pads 1); those reading a zero point other than 0 pad with it explicitly.
  const int64_t paddedWithZeroPoint = nonZeroPointOperands(cnn.graph, "Conv", 1);
  ASSERT_GE(paddedWithZeroPoint, 1);
  runMidend(cnn.graph);
  EXPECT_EQ(count(cnn.graph, "RQConv"), 3);
  EXPECT_EQ(count(cnn.graph, "RQGemm"), 1);
  EXPECT_EQ(count(cnn.graph, "QuantizeLinear"), 1);  // the float input's
  for (const char* op : {"Conv", "Gemm", "DequantizeLinear", "GlobalAveragePool", "Relu", "Clip", "Add"}) {
    EXPECT_EQ(count(cnn.graph, op) - (std::string(op) == "Add"), 0) << op;  // one integer Add: the residual's
  }
  EXPECT_EQ(count(cnn.graph, "Pad"), paddedWithZeroPoint);
}

TEST(QdqLowering, TheAttentionKeepsItsSoftmaxInFloatAndCentresRunTimeProducts) {
  Loaded attention = load("attention");
  // The run-time products (scores, context, the gate) subtract their operands' zero points in int16.
  const int64_t centredOperands = nonZeroPointOperands(attention.graph, "MatMul", 2) + nonZeroPointOperands(attention.graph, "Mul", 2);
  ASSERT_GE(centredOperands, 2);
  runMidend(attention.graph);
  EXPECT_EQ(count(attention.graph, "Softmax"), 1);
  EXPECT_EQ(count(attention.graph, "DequantizeLinear"), 1);  // the Softmax's input
  EXPECT_EQ(count(attention.graph, "RQMatMul"), 7);
  int64_t centred = 0;
  for (const Node& n : attention.graph.nodes) {
    if (n.op == "Sub") centred += attention.graph.tensor(n.outputs[0]).dtype == DType::Int16;
  }
  EXPECT_EQ(centred, centredOperands);
}

// The QDQ graph's semantics (float ops between exact dequantization and quantization) against the lowered
// integer graph: at most one step apart, and equal on most elements.
void expectWithinOneStep(const std::string& name) {
  Loaded qdq = load(name);
  Graph typed = qdq.graph;
  inferTypes(typed);
  std::vector<TensorData> floatPath = interpretGraph(typed, qdq.inputs);
  runMidend(qdq.graph);
  std::vector<TensorData> integerPath = interpretGraph(qdq.graph, qdq.inputs);
  EXPECT_LE(largestDifference(floatPath, integerPath), 1);
  int64_t equal = 0, total = 0;
  for (size_t o = 0; o < floatPath.size(); ++o) {
    for (int64_t i = 0; i < floatPath[o].size(); ++i, ++total) equal += floatPath[o].getInt(i) == integerPath[o].getInt(i);
  }
  EXPECT_GE(equal, total * 9 / 10) << equal << " of " << total;
}

TEST(QdqLowering, TheIntegerCnnIsWithinOneStepOfTheQdqSemantics) { expectWithinOneStep("cnn"); }
TEST(QdqLowering, TheIntegerAttentionIsWithinOneStepOfTheQdqSemantics) { expectWithinOneStep("attention"); }

TEST(QdqLowering, AveragePoolsBecomeDepthwiseSumsWithTheZeroPointAsPadding) {
  Loaded pool = load("pool");
  ASSERT_NE(nonZeroPointOperands(pool.graph, "AveragePool", 1), 0);  // the padded pool's input
  runMidend(pool.graph);
  EXPECT_EQ(count(pool.graph, "AveragePool"), 0);
  EXPECT_EQ(count(pool.graph, "RQConv"), 2);
  EXPECT_EQ(count(pool.graph, "Pad"), 1);
}

TEST(QdqLowering, TheIntegerPoolsAreWithinOneStepOfTheQdqSemantics) { expectWithinOneStep("pool"); }

TEST(QdqLowering, AQuantizedResultThatIsAlsoAGraphOutputStaysFloat) {
  Loaded cnn = load("cnn");
  // Make the first Conv's float result a graph output: its QuantizeLinear can no longer replace it.
  auto conv = std::find_if(cnn.graph.nodes.begin(), cnn.graph.nodes.end(), [](const Node& n) { return n.op == "Conv"; });
  ASSERT_NE(conv, cnn.graph.nodes.end());
  cnn.graph.outputs.push_back(conv->outputs[0]);
  runMidend(cnn.graph);
  EXPECT_EQ(count(cnn.graph, "Conv"), 1);
  EXPECT_EQ(count(cnn.graph, "RQConv"), 2);
}

}  // namespace
}  // namespace deeploy
