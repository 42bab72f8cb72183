#include "tests/support/single_node.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "ops/interpreter.h"
#include "passes/pipeline.h"
#include "targets/host_target.h"
#include "tools/driver.h"

namespace deeploy::testing {

std::vector<TensorData> runReference(const NodeCase& c) {
  Graph g = makeSingleNodeGraph(c);
  runMidend(g);
  return interpretGraph(g, runtimeInputs(c));
}

std::vector<TensorData> runGeneratedC(const NodeCase& c) { return runGeneratedCOn(c, hostPlatform()); }

std::vector<TensorData> runGeneratedCOn(const NodeCase& c, const Platform& platform, CompiledModel* compiled) {
  CompiledModel model;
  model.platform = platform;
  model.graph = makeSingleNodeGraph(c);
  model.inputs = runtimeInputs(c);
  compileGraph(model, "unit test of " + c.op);
  std::vector<TensorData> outputs = runOnHost(model);
  if (compiled) *compiled = std::move(model);
  return outputs;
}

std::vector<TensorData> runOnHost(const CompiledModel& model) {
  std::string dir = (std::filesystem::temp_directory_path() / "deeploy-unit-XXXXXX").string();
  if (!mkdtemp(dir.data())) throw Error("cannot create a temporary directory");
  writeNetworkSources(dir, model.network);
  std::vector<TensorData> outputs = runHostProgram(buildHostProgram(dir, {}), model.graph, model.inputs, 60);
  std::filesystem::remove_all(dir);
  return outputs;
}

void expectErrorMentioning(const NodeCase& c, const std::string& text) {
  try {
    runReference(c);
    FAIL() << "expected an error mentioning '" << text << "'";
  } catch (const Error& e) {
    std::string message = e.what();
    EXPECT_NE(message.find(c.op + "_under_test"), std::string::npos) << message;
    EXPECT_NE(message.find(text), std::string::npos) << message;
  }
}

void expectGeneratedCMatchesReference(const NodeCase& c) {
  auto reference = runReference(c);
  auto generated = runGeneratedC(c);
  ASSERT_EQ(generated.size(), reference.size());
  for (size_t i = 0; i < reference.size(); ++i) EXPECT_EQ(generated[i], reference[i]) << c.op << " output " << i;
}

}  // namespace deeploy::testing
