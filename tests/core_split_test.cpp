// Nodes split among cores: one kernel call per contiguous chunk of the output, run as a fork/join
// job; the answer must not depend on the number of cores.
#include <gtest/gtest.h>

#include <filesystem>

#include "targets/host_target.h"
#include "tests/support/single_node.h"
#include "tests/support/tensors.h"

namespace deeploy {
namespace {

using testing::NodeCase;
using testing::pattern;

CompiledModel compileOnCores(const NodeCase& c, int cores) {
  CompiledModel model;
  model.cores = cores;
  model.graph = testing::makeSingleNodeGraph(c);
  model.inputs = testing::runtimeInputs(c);
  compileGraph(model, "core split test of " + c.op);
  return model;
}

// Builds and runs the model on the host, where the jobs of a split node run one after another.
std::vector<TensorData> runOnHost(const CompiledModel& model) {
  std::string dir = (std::filesystem::temp_directory_path() / "deeploy-split-XXXXXX").string();
  if (!mkdtemp(dir.data())) throw Error("cannot create a temporary directory");
  writeNetworkSources(dir, model.network);
  std::vector<TensorData> outputs = runHostProgram(buildHostProgram(dir, {}), model.graph, model.inputs, 60);
  std::filesystem::remove_all(dir);
  return outputs;
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

}  // namespace
}  // namespace deeploy
