// Generated programs built for the Cortex-M targets and run under QEMU (mps2-an386, mps3-an547) give
// the reference's outputs, their instruction profile accounts for every node, and what does not fit
// the boards' memories or their single core is refused.
#include "targets/cortex_m_target.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <sstream>

#include "ops/interpreter.h"
#include "targets/host_target.h"
#include "targets/run_target.h"
#include "tests/support/single_node.h"
#include "tests/support/errors.h"
#include "tests/support/tensors.h"

namespace deeploy {
namespace {

using testing::errorOf;
using testing::NodeCase;
using testing::pattern;

// A temporary build directory, removed at the end of the test.
class BuildDir {
 public:
  BuildDir() {
    path_ = (std::filesystem::temp_directory_path() / "deeploy-cortex-m-XXXXXX").string();
    if (!mkdtemp(path_.data())) throw Error("cannot create a temporary directory");
  }
  ~BuildDir() { std::filesystem::remove_all(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

CompiledModel compiled(Graph graph, std::vector<TensorData> inputs, const Platform& platform) {
  CompiledModel model;
  model.platform = platform;
  model.graph = std::move(graph);
  model.inputs = std::move(inputs);
  compileGraph(model, "Cortex-M test");
  return model;
}

std::vector<TensorData> runOn(const CompiledModel& model, InstructionProfile* profile = nullptr) {
  BuildDir dir;
  writeNetworkSources(dir.path(), model.network);
  const std::string elf = buildCortexMProgram(dir.path(), model.platform, {profile != nullptr, ""});
  return runCortexMProgram(elf, model.platform, model.graph, model.inputs, 60, profile);
}

std::vector<TensorData> runCase(const NodeCase& c, const Platform& platform) {
  return runOn(compiled(testing::makeSingleNodeGraph(c), testing::runtimeInputs(c), platform));
}

NodeCase int8MatMul() {
  return {"MatMul", {}, {{pattern(DType::Int8, {9, 24}, -128, 127, 1)}, {pattern(DType::Int8, {24, 7}, -128, 127, 2), true}}};
}

class CortexMTarget : public ::testing::TestWithParam<std::string> {
 protected:
  Platform platform() const { return builtinPlatform(GetParam()); }
};

TEST_P(CortexMTarget, IntegerMatMulMatchesTheReference) {
  EXPECT_TRUE(runCase(int8MatMul(), platform())[0] == testing::runReference(int8MatMul())[0]);
}

TEST_P(CortexMTarget, FloatNetworksRunOnTheFloatUnit) {
  NodeCase add{"Add", {}, {{testing::floatPattern({5, 6})}, {testing::floatPattern({6}, 2), true}}};
  NodeCase softmax{"Softmax", {}, {{testing::floatPattern({3, 10}, 3)}}};
  EXPECT_TRUE(runCase(add, platform())[0] == testing::runReference(add)[0]);
  // expf in newlib and in the host's libm may differ in the last bit.
  const TensorData want = testing::runReference(softmax)[0], got = runCase(softmax, platform())[0];
  ASSERT_EQ(got.size(), want.size());
  for (int64_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got.getDouble(i), want.getDouble(i), 1e-6) << i;
}

// x (int8 [9, 24]) times W (int8 [24, 7]), plus a bias, then ReLU: three nodes.
Graph matMulAddRelu(std::vector<TensorData>* inputs) {
  Graph g;
  const TensorId x = g.addTensor({.name = "x", .dtype = DType::Int8, .shape = {9, 24}});
  const TensorId w = g.addTensor({.name = "w", .dtype = DType::Int8, .shape = {24, 7},
                                  .constant = pattern(DType::Int8, {24, 7}, -128, 127, 2)});
  const TensorId b = g.addTensor({.name = "b", .dtype = DType::Int32, .shape = {7},
                                  .constant = pattern(DType::Int32, {7}, -5000, 5000, 3)});
  const TensorId y = g.addTensor({.name = "y"}), z = g.addTensor({.name = "z"}), out = g.addTensor({.name = "out"});
  g.nodes.push_back(Node{.name = "matmul", .op = "MatMul", .inputs = {x, w}, .outputs = {y}});
  g.nodes.push_back(Node{.name = "bias", .op = "Add", .inputs = {y, b}, .outputs = {z}});
  g.nodes.push_back(Node{.name = "relu", .op = "Relu", .inputs = {z}, .outputs = {out}});
  g.inputs = {x};
  g.outputs = {out};
  *inputs = {pattern(DType::Int8, {9, 24}, -128, 127, 1)};
  return g;
}

TEST_P(CortexMTarget, TheProfileCountsEveryNode) {
  std::vector<TensorData> inputs;
  Graph graph = matMulAddRelu(&inputs);
  const CompiledModel model = compiled(graph, inputs, platform());
  InstructionProfile profile;
  const std::vector<TensorData> got = runOn(model, &profile);
  EXPECT_TRUE(got[0] == interpretGraph(model.graph, model.inputs)[0]);
  ASSERT_EQ(profile.perNode.size(), model.graph.nodes.size());
  uint64_t sum = 0;
  for (const auto& node : profile.perNode) {
    ASSERT_EQ(node.size(), 1u);
    EXPECT_GT(node[0], 0u) << "every node executes instructions";
    sum += node[0];
  }
  // 9 x 7 x 24 multiply-accumulates, at most 16 per instruction (an MVE vector of int8).
  EXPECT_GT(profile.perNode[0][0], 9u * 7 * 24 / 16);
  // The bias and the ReLU touch 63 elements each: under 32 instructions per element, so no
  // node's count was credited to them.
  EXPECT_LT(profile.perNode[1][0], 63u * 32);
  EXPECT_LT(profile.perNode[2][0], 63u * 32);
  ASSERT_EQ(profile.perCore.size(), 1u);
  EXPECT_EQ(profile.perCore[0], sum);
}

// Instructions of the model's one node built through run_target with the generic or the Arm kernels,
// after checking its output against the reference.
uint64_t nodeInstructions(const CompiledModel& model, const std::string& target, bool genericKernels) {
  BuildDir dir;
  writeNetworkSources(dir.path(), model.network);
  TargetRunOptions options;
  options.profile = true;
  options.genericKernels = genericKernels;
  InstructionProfile profile;
  const std::vector<TensorData> got =
      buildAndRunOnTarget(target, dir.path(), model.graph, model.platform, model.inputs, options, &profile);
  EXPECT_TRUE(got == interpretGraph(model.graph, model.inputs)) << (genericKernels ? "generic" : "Arm") << " kernels";
  EXPECT_EQ(profile.perNode.size(), 1u);
  return profile.perNode.empty() ? 0 : profile.perNode[0][0];
}

TEST_P(CortexMTarget, TheGenericKernelsGiveTheSameOutputsInMoreInstructions) {
  const NodeCase matMul{"MatMul", {}, {{pattern(DType::Int8, {12, 64}, -128, 127, 1)},
                                       {pattern(DType::Int8, {64, 16}, -128, 127, 2), true}}};
  const CompiledModel model = compiled(testing::makeSingleNodeGraph(matMul), testing::runtimeInputs(matMul), platform());
  const uint64_t generic = nodeInstructions(model, GetParam(), true), arm = nodeInstructions(model, GetParam(), false);
  // SMLAD does 2 MACs, an MVE dot product 16, where the generic loop spends several instructions on one.
  EXPECT_GT(generic, arm + arm / 2) << "generic " << generic << ", Arm " << arm;
}

TEST_P(CortexMTarget, TheProgramsSectionsHoldTheWeightsAndTheArena) {
  const CompiledModel model = compiled(testing::makeSingleNodeGraph(int8MatMul()), testing::runtimeInputs(int8MatMul()),
                                       platform());
  BuildDir dir;
  writeNetworkSources(dir.path(), model.network);
  const ElfSizes sizes = elfSizesOf(buildProgramWithHarness(GetParam(), dir.path(), model.platform, "", 1, false));
  EXPECT_GT(sizes.text, model.network.constantBytes);
  EXPECT_GE(sizes.bss, model.network.memory.plan.arenaSize);
  EXPECT_EQ(sizes.flashBytes(), sizes.text + sizes.data);
  EXPECT_EQ(sizes.ramBytes(), sizes.data + sizes.bss);
}

TEST_P(CortexMTarget, ANetworkTooLargeForALevelFailsNamingIt) {
  // The weights (24 x 7 B, with the generator's padding) overflow a 100 B weight level when compiling.
  Platform tinyWeights = platform();
  const std::string weights = tinyWeights.weightLevel;
  tinyWeights.levels[tinyWeights.levelIndex(weights)].sizeBytes = 100;
  std::string message = errorOf([&] { runCase(int8MatMul(), tinyWeights); });
  EXPECT_NE(message.find("constants need "), std::string::npos) << message;
  EXPECT_NE(message.find(" B in " + weights + " but " + weights + " has 100 B"), std::string::npos) << message;
  // The code does not fit a 4 KiB code level: the linker's region is the level.
  Platform tinyCode = platform();
  tinyCode.levels[tinyCode.levelIndex(tinyCode.machine->codeLevel)].sizeBytes = 4096;
  message = errorOf([&] { runCase(int8MatMul(), tinyCode); });
  EXPECT_NE(message.find("region `LEVEL_" + tinyCode.machine->codeLevel + "' overflowed"), std::string::npos) << message;
}

TEST_P(CortexMTarget, OneCoreOnlyAndItsPlatformByDefault) {
  TargetRunOptions two;
  two.cores = 2;
  EXPECT_NE(errorOf([&] { checkTargetOptions(GetParam(), two); }).find("runs on one core, not --cores 2"), std::string::npos);
  TargetRunOptions profiled;
  profiled.profile = true;
  EXPECT_NO_THROW(checkTargetOptions(GetParam(), profiled));
  EXPECT_EQ(defaultPlatformOf(GetParam()), GetParam());
  EXPECT_EQ(resolvePlatform({}, GetParam()).name, GetParam());
  EXPECT_EQ(resolvePlatform({"host"}, GetParam()).name, "host");
  TargetRunOptions generic;
  generic.genericKernels = true;
  EXPECT_NO_THROW(checkTargetOptions(GetParam(), generic));
  for (const char* other : {"host", "rv32"}) {
    EXPECT_NE(errorOf([&] { checkTargetOptions(other, generic); }).find("only the Cortex-M targets have Arm kernels"),
              std::string::npos);
  }
}

TEST_P(CortexMTarget, TheLinkerScriptIsThePlatformsAddressMap) {
  const Platform p = platform();
  const std::string script = cortexMLinkerScript(p);
  for (const MemoryLevel& level : p.levels) {
    std::ostringstream region;
    region << "LEVEL_" << level.name << " (rwx) : ORIGIN = 0x" << std::hex << *level.baseAddress << ", LENGTH = 0x"
           << level.sizeBytes;
    EXPECT_NE(script.find(region.str()), std::string::npos) << region.str() << " in\n" << script;
  }
  EXPECT_NE(script.find(".rodata : { *(.rodata .rodata.*) } > LEVEL_" + p.weightLevel), std::string::npos) << script;
  EXPECT_NE(script.find("__stack_top = ORIGIN(LEVEL_" + p.machine->stackLevel + ")"), std::string::npos) << script;
  EXPECT_NE(script.find("} > LEVEL_" + p.activationLevel + " AT> LEVEL_" + p.machine->codeLevel), std::string::npos)
      << ".data is stored in the code memory and runs in the data memory\n"
      << script;
  EXPECT_THROW(cortexMLinkerScript(builtinPlatform("siracusa")), Error) << "a RISC-V machine, no Cortex-M board";
  EXPECT_THROW(cortexMLinkerScript(builtinPlatform("host")), Error) << "no machine, no address map";
}

TEST(CortexMProfile, IntervalsExcludeTheMarksOwnCost) {
  // Calibration marks 4 apart, then three intervals.
  EXPECT_EQ(instructionsBetweenMarks({100, 104, 200, 254, 258, 1258}), (std::vector<uint64_t>{50, 0, 996}));
  EXPECT_THROW(instructionsBetweenMarks({7}), Error);
}

INSTANTIATE_TEST_SUITE_P(Boards, CortexMTarget, ::testing::Values("cortex-m4", "cortex-m55"),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           return info.param == "cortex-m4" ? std::string("M4") : std::string("M55");
                         });

}  // namespace
}  // namespace deeploy
