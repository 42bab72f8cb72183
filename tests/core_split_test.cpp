// Nodes split among cores: one kernel call per contiguous chunk of the output, run as a fork/join
// job; the answer must not depend on the number of cores.
#include <gtest/gtest.h>


#include "codegen/core_split.h"
#include "ops/interpreter.h"
#include "passes/pipeline.h"
#include "targets/host_target.h"
#include "tests/support/single_node.h"
#include "tests/support/tensors.h"

namespace deeploy {
namespace {

using testing::NodeCase;
using testing::pattern;
using testing::runOnHost;

CompiledModel compileOnCores(const NodeCase& c, int cores) {
  CompiledModel model;
  model.cores = cores;
  model.graph = testing::makeSingleNodeGraph(c);
  model.inputs = testing::runtimeInputs(c);
  compileGraph(model, "core split test of " + c.op);
  return model;
}

TEST(CoreSplit, ADecodeStepMatMulSplitsItsColumnsAmongCores) {
  // One row of activations against constant weights: the output's columns are cut, A is read whole.
  NodeCase c{"MatMul", {}, {{pattern(DType::Int8, {1, 1, 64}, -128, 127, 1)}, {pattern(DType::Int8, {64, 40}, -128, 127, 2), true}}};
  CompiledModel model = compileOnCores(c, 4);
  EXPECT_NE(model.network.source.find("dp_parallel(network_job_0, 0, 4);"), std::string::npos);
  EXPECT_TRUE(runOnHost(model)[0] == testing::runReference(c)[0]);
}

TEST(CoreSplit, OneCoreKeepsPlainCalls) {
  NodeCase c{"Add", {}, {{pattern(DType::Int32, {6, 5}, -99, 99, 1)}, {pattern(DType::Int32, {6, 5}, -99, 99, 2)}}};
  EXPECT_EQ(compileOnCores(c, 1).network.source.find("dp_parallel("), std::string::npos);
  EXPECT_NE(compileOnCores(c, 3).network.source.find("dp_parallel(network_job_0, 0, 3);"), std::string::npos);
}

// x -> Add(x, y) -> a -> Add(a, y) -> b -> MatMul(w, b) -> out: the second Add reads on every core
// what that core wrote, the MatMul reads all of b.
Graph chainOfThreeNodes() {
  Graph g;
  auto runtime = [&](const std::string& name, Shape shape) { return g.addTensor({.name = name, .dtype = DType::Int32, .shape = shape}); };
  TensorId x = runtime("x", {8, 16}), y = runtime("y", {8, 16}), a = runtime("a", {8, 16}), b = runtime("b", {8, 16}),
           out = runtime("out", {4, 16});
  TensorId w = g.addConstant("w", pattern(DType::Int32, {4, 8}, -9, 9, 3));
  g.inputs = {x, y};
  g.outputs = {out};
  g.nodes.push_back({"first_add", "Add", "", {x, y}, {a}, {}});
  g.nodes.push_back({"second_add", "Add", "", {a, y}, {b}, {}});
  g.nodes.push_back({"matmul", "MatMul", "", {w, b}, {out}, {}});
  return g;
}

TEST(CoreSplit, NodesThatReadOnlyTheirOwnCoresResultsShareOneJob) {
  CompiledModel model;
  model.cores = 4;
  model.graph = chainOfThreeNodes();
  model.inputs = {pattern(DType::Int32, {8, 16}, -99, 99, 1), pattern(DType::Int32, {8, 16}, -99, 99, 2)};
  compileGraph(model, "core job group test");
  const std::string& c = model.network.source;
  // The two Adds run in the first job; the MatMul needs a join before it.
  EXPECT_NE(c.find("dp_parallel(network_job_0, 0, 4);"), std::string::npos);
  EXPECT_EQ(c.find("network_job_1"), std::string::npos);
  EXPECT_NE(c.find("dp_parallel(network_job_2, 0, 4);"), std::string::npos);

  Graph reference = chainOfThreeNodes();
  runMidend(reference);
  EXPECT_TRUE(runOnHost(model)[0] == interpretGraph(reference, model.inputs)[0]);
}

CoreChunks twoChunks(std::vector<ByteRange> reads0, std::vector<ByteRange> reads1, std::vector<ByteRange> writes0,
                     std::vector<ByteRange> writes1) {
  return {{{"call0;"}, {"call1;"}}, {reads0, reads1}, {writes0, writes1}, "node"};
}

TEST(CoreSplit, AJobGroupRefusesNodesThatWouldRaceAcrossCores) {
  CoreJobGroup group;
  // Core 0 writes [0, 8), core 1 writes [8, 16); both read [100, 116).
  CoreChunks first = twoChunks({{100, 116}}, {{100, 116}}, {{0, 8}}, {{8, 16}});
  EXPECT_FALSE(group.accepts(first)) << "an empty group starts with a join";
  group.add(0, first);
  EXPECT_TRUE(group.accepts(twoChunks({{0, 8}}, {{8, 16}}, {{20, 28}}, {{28, 36}}))) << "each core reads its own";
  EXPECT_FALSE(group.accepts(twoChunks({{0, 16}}, {{0, 16}}, {{20, 28}}, {{28, 36}}))) << "core 0 reads core 1's";
  EXPECT_FALSE(group.accepts(twoChunks({{0, 8}}, {{8, 16}}, {{108, 112}}, {{40, 48}}))) << "core 0 overwrites what core 1 reads";
  EXPECT_FALSE(group.accepts(twoChunks({{0, 8}}, {{8, 16}}, {{12, 14}}, {{40, 48}}))) << "core 0 overwrites core 1's output";
  CoreChunks three = {{{"a;"}, {"b;"}, {"c;"}}, {{}, {}, {}}, {{}, {}, {}}, "node"};
  EXPECT_FALSE(group.accepts(three)) << "another core count means another job";
}

}  // namespace
}  // namespace deeploy
