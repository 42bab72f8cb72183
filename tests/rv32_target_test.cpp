// Generated programs built for bare-metal RV32 and run under QEMU give the reference's outputs, and
// their instruction profile accounts for every node.
#include "targets/rv32_target.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "targets/host_target.h"
#include "tests/support/single_node.h"
#include "tests/support/tensors.h"

namespace deeploy {
namespace {

using testing::NodeCase;
using testing::pattern;

std::vector<TensorData> runOnRv32(const NodeCase& c, const Platform& platform, Rv32Profile* profile, int cores = 1) {
  CompiledModel model;
  model.platform = platform;
  model.cores = cores;
  model.graph = testing::makeSingleNodeGraph(c);
  model.inputs = testing::runtimeInputs(c);
  compileGraph(model, "rv32 test of " + c.op);
  std::string dir = (std::filesystem::temp_directory_path() / "deeploy-rv32-XXXXXX").string();
  if (!mkdtemp(dir.data())) throw Error("cannot create a temporary directory");
  writeNetworkSources(dir, model.network);
  std::string elf = buildRv32Program(dir, {needsFloatUnit(model.graph), profile != nullptr, cores});
  std::vector<TensorData> outputs = runRv32Program(elf, model.graph, model.inputs, 120, cores, profile);
  std::filesystem::remove_all(dir);
  return outputs;
}

NodeCase int8MatMul() {
  return {"MatMul", {}, {{pattern(DType::Int8, {9, 24}, -128, 127, 1)}, {pattern(DType::Int8, {24, 7}, -128, 127, 2), true}}};
}

TEST(Rv32Target, IntegerMatMulMatchesTheReference) {
  EXPECT_TRUE(runOnRv32(int8MatMul(), hostPlatform(), nullptr)[0] == testing::runReference(int8MatMul())[0]);
}

TEST(Rv32Target, EightHartsStartAndTheProgramStillAnswers) {
  EXPECT_TRUE(runOnRv32(int8MatMul(), hostPlatform(), nullptr, 8)[0] == testing::runReference(int8MatMul())[0]);
  EXPECT_THROW(runOnRv32(int8MatMul(), hostPlatform(), nullptr, 9), Error);
}

TEST(Rv32Target, FloatNetworksUseTheFloatUnitVariant) {
  NodeCase add{"Add", {}, {{testing::floatPattern({5, 6})}, {testing::floatPattern({6}, 2), true}}};
  EXPECT_TRUE(runOnRv32(add, hostPlatform(), nullptr)[0] == testing::runReference(add)[0]);
}

TEST(Rv32Target, TiledProgramsRunAndTheProfileCountsEveryNode) {
  Platform siracusa = builtinPlatform("siracusa");
  overrideLevelSize(siracusa, "L1", 600);
  Rv32Profile profile;
  EXPECT_TRUE(runOnRv32(int8MatMul(), siracusa, &profile)[0] == testing::runReference(int8MatMul())[0]);
  ASSERT_EQ(profile.perNode.size(), 1u);
  ASSERT_EQ(profile.perNode[0].size(), 1u);
  // 9 x 7 x 24 multiply-accumulates take at least one instruction each.
  EXPECT_GT(profile.perNode[0][0], 9u * 7 * 24);
  EXPECT_EQ(profile.busiestHart(), profile.perNode[0][0]);
}

TEST(Rv32Target, WorkSplitAmongHartsGivesTheSameAnswerAndSharesTheInstructions) {
  NodeCase big{"MatMul", {}, {{pattern(DType::Int8, {32, 64}, -128, 127, 1)}, {pattern(DType::Int8, {64, 16}, -128, 127, 2), true}}};
  const TensorData want = testing::runReference(big)[0];
  Rv32Profile one, four;
  EXPECT_TRUE(runOnRv32(big, hostPlatform(), &one, 1)[0] == want);
  EXPECT_TRUE(runOnRv32(big, hostPlatform(), &four, 4)[0] == want);
  ASSERT_EQ(four.perHart.size(), 4u);
  for (uint64_t hart : four.perHart) EXPECT_GT(hart, 0u) << "every hart takes a share";
  // Four harts share 32 rows: the busiest does well under half of what one hart does alone.
  EXPECT_LT(four.busiestHart() * 2, one.busiestHart());
}

}  // namespace
}  // namespace deeploy
