// The requantization fusion pass: which chains it fuses, that the fused graph computes what the unfused
// one does (reference interpreter and generated C), and the chains it must leave alone.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "ir/error.h"
#include "ops/interpreter.h"
#include "passes/requant_fusion.h"
#include "passes/type_inference.h"
#include "targets/host_target.h"
#include "tests/support/tensors.h"
#include "tests/support/graph_builder.h"
#include "tools/driver.h"

namespace deeploy {
namespace {

using namespace testing;
using Ints = std::vector<int64_t>;

Attributes requantAttributes(int64_t div, int64_t isSigned) {
  Attributes a;
  a.set("div", static_cast<double>(div));  // exporters store these as floats
  a.set("n_levels_out", std::vector<double>{256.0});
  a.set("signed", std::vector<double>{static_cast<double>(isSigned)});
  return a;
}

// Small graphs with RequantShift nodes.
class GraphBuilder : public testing::GraphBuilder {
 public:
  TensorId requant(TensorId x, TensorData mul, TensorData add, int64_t div = 1024, int64_t isSigned = 1) {
    return node("RequantShift", {x, constant("mul", std::move(mul)), constant("add", std::move(add))},
                requantAttributes(div, isSigned));
  }
};

std::vector<std::string> ops(const Graph& g) {
  std::vector<std::string> result;
  for (const Node& n : g.nodes) result.push_back(n.op);
  return result;
}

std::vector<TensorData> runC(const GraphBuilder& b) {
  CompiledModel model;
  model.graph = b.graph;
  model.inputs = b.values;
  compileGraph(model, "requant fusion test");
  std::string dir = (std::filesystem::temp_directory_path() / "deeploy-fusion-XXXXXX").string();
  if (!mkdtemp(dir.data())) throw Error("cannot create a temporary directory");
  writeNetworkSources(dir, model.network);
  auto outputs = runHostProgram(buildHostProgram(dir, {}), model.graph, model.inputs, 60);
  std::filesystem::remove_all(dir);
  return outputs;
}

// Fuses the builder's graph, expecting `fusions` fusions leaving `remaining` ops, and checks that the
// fused graph's reference results equal the unfused graph's. Returns the unfused results.
std::vector<TensorData> expectFusion(const GraphBuilder& b, int fusions, const std::vector<std::string>& remaining) {
  Graph unfused = b.graph;
  inferTypes(unfused);
  auto expected = interpretGraph(unfused, b.values);
  Graph fused = b.graph;
  inferTypes(fused);
  EXPECT_EQ(fuseRequantization(fused), fusions);
  EXPECT_EQ(ops(fused), remaining);
  EXPECT_EQ(interpretGraph(fused, b.values), expected);
  return expected;
}

TEST(RequantFusion, MatMulBiasAddAndRequantBecomeOneNode) {
  GraphBuilder b;
  TensorId x = b.input("x", pattern(DType::Int8, {2, 3, 6}, -128, 127));
  TensorId mm = b.node("MatMul", {x, b.constant("w", pattern(DType::Int8, {6, 5}, -128, 127, 2))});
  // The bias is the Add's first operand, as in microLlama.
  TensorId sum = b.node("Add", {b.constant("bias", pattern(DType::Int32, {5}, -3000, 3000, 3)), mm});
  b.output(b.requant(sum, pattern(DType::Int32, {5}, -60, 60, 4), ints(DType::Int32, {}, {700}), 4096));
  auto expected = expectFusion(b, 1, {"RQMatMul"});
  EXPECT_EQ(expected[0].dtype(), DType::Int8);
  EXPECT_EQ(runC(b), expected);
}

TEST(RequantFusion, GemmFoldsAlphaBetaAndCPerRow) {
  GraphBuilder b;
  TensorId x = b.input("x", pattern(DType::UInt8, {4, 7}, 0, 255));
  Attributes gemm;
  gemm.set("alpha", 2.0);
  gemm.set("beta", 3.0);
  gemm.set("transB", int64_t{1});
  TensorId y = b.node("Gemm", {x, b.constant("w", pattern(DType::Int8, {3, 7}, -128, 127, 2)),
                               b.constant("c", pattern(DType::Int16, {4, 1}, -2000, 2000, 3))}, gemm);
  b.output(b.requant(y, pattern(DType::Int32, {4, 1}, 1, 40, 4), pattern(DType::Int32, {1, 3}, -9000, 9000, 5), 32768, 0));
  auto expected = expectFusion(b, 1, {"RQGemm"});
  EXPECT_EQ(expected[0].dtype(), DType::UInt8);
  EXPECT_EQ(runC(b), expected);
}

TEST(RequantFusion, ConvBiasFoldsPerChannel) {
  GraphBuilder b;
  TensorId x = b.input("x", pattern(DType::Int8, {1, 3, 5, 5}, -128, 127));
  Attributes conv;
  conv.set("pads", Ints{1, 1, 1, 1});
  TensorId y = b.node("Conv", {x, b.constant("w", pattern(DType::Int8, {4, 3, 3, 3}, -128, 127, 2)),
                               b.constant("b", pattern(DType::Int32, {4}, -5000, 5000, 3))}, conv);
  b.output(b.requant(y, pattern(DType::Int32, {4, 1, 1}, 1, 30, 4), pattern(DType::Int32, {4, 1, 1}, -9000, 9000, 5), 16384));
  expectFusion(b, 1, {"RQConv"});
}

TEST(RequantFusion, OneDimensionalChannelParametersFollowRequantShift) {
  // mul [4] does not broadcast against [1, 4, 3, 3]; RequantShift reads it per channel (axis 1).
  GraphBuilder b;
  TensorId x = b.input("x", pattern(DType::Int8, {1, 2, 3, 3}, -128, 127));
  TensorId y = b.node("Conv", {x, b.constant("w", pattern(DType::Int8, {4, 2, 1, 1}, -128, 127, 2))});
  b.output(b.requant(y, pattern(DType::Int32, {4}, 1, 30, 4), pattern(DType::Int32, {4}, -900, 900, 5), 256));
  expectFusion(b, 1, {"RQConv"});
}

TEST(RequantFusion, SharedOrVisibleIntermediatesStay) {
  GraphBuilder shared;
  TensorId x = shared.input("x", pattern(DType::Int8, {2, 4}, -128, 127));
  TensorId mm = shared.node("MatMul", {x, shared.constant("w", pattern(DType::Int8, {4, 3}, -128, 127))});
  shared.output(shared.requant(mm, ints(DType::Int32, {}, {3}), ints(DType::Int32, {}, {0})));
  shared.output(shared.node("Add", {mm, mm}));
  expectFusion(shared, 0, {"MatMul", "RequantShift", "Add"});

  GraphBuilder visible;
  x = visible.input("x", pattern(DType::Int8, {2, 4}, -128, 127));
  mm = visible.node("MatMul", {x, visible.constant("w", pattern(DType::Int8, {4, 3}, -128, 127))});
  visible.output(visible.requant(mm, ints(DType::Int32, {}, {3}), ints(DType::Int32, {}, {0})));
  visible.output(mm);
  expectFusion(visible, 0, {"MatMul", "RequantShift"});
}

TEST(RequantFusion, UnfoldableChainsStay) {
  // A runtime bias, a spatially varying conv parameter, and a folded add' beyond int32 (2^20 * 2^12).
  GraphBuilder runtimeBias;
  TensorId x = runtimeBias.input("x", pattern(DType::Int8, {2, 4}, -128, 127));
  TensorId bias = runtimeBias.input("bias", pattern(DType::Int8, {3}, -128, 127));
  TensorId mm = runtimeBias.node("MatMul", {x, runtimeBias.constant("w", pattern(DType::Int8, {4, 3}, -128, 127))});
  runtimeBias.output(runtimeBias.requant(runtimeBias.node("Add", {mm, bias}), ints(DType::Int32, {}, {3}), ints(DType::Int32, {}, {0})));
  expectFusion(runtimeBias, 0, {"MatMul", "Add", "RequantShift"});

  GraphBuilder spatial;
  x = spatial.input("x", pattern(DType::Int8, {1, 2, 3, 3}, -128, 127));
  TensorId y = spatial.node("Conv", {x, spatial.constant("w", pattern(DType::Int8, {2, 2, 1, 1}, -128, 127))});
  spatial.output(spatial.requant(y, ints(DType::Int32, {}, {3}), pattern(DType::Int32, {1, 1, 1, 3}, -99, 99)));
  expectFusion(spatial, 0, {"Conv", "RequantShift"});

  GraphBuilder overflow;
  x = overflow.input("x", pattern(DType::Int8, {2, 4}, -1, 1));
  mm = overflow.node("MatMul", {x, overflow.constant("w", pattern(DType::Int8, {4, 3}, -1, 1))});
  TensorId sum = overflow.node("Add", {mm, overflow.constant("bias", ints(DType::Int32, {}, {4096}))});
  overflow.output(overflow.requant(sum, ints(DType::Int32, {}, {1 << 20}), ints(DType::Int32, {}, {0}), 1 << 30));
  expectFusion(overflow, 0, {"MatMul", "Add", "RequantShift"});
}

}  // namespace
}  // namespace deeploy
