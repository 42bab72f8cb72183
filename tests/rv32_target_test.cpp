// Generated programs built for bare-metal RV32 and run under QEMU give the reference's outputs, and
// their instruction profile accounts for every node.
#include "targets/rv32_target.h"

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "ops/interpreter.h"
#include "passes/type_inference.h"
#include "targets/host_target.h"
#include "tests/support/single_node.h"
#include "tests/support/tensors.h"

namespace deeploy {
namespace {

using testing::NodeCase;
using testing::pattern;

// With `machine`, built for that platform's RV32 machine (the emulated Siracusa cluster).
std::vector<TensorData> runOnRv32(const NodeCase& c, const Platform& platform, InstructionProfile* profile, int cores = 1,
                                  CompiledModel* compiled = nullptr, const Platform* machine = nullptr) {
  CompiledModel model;
  model.platform = platform;
  model.cores = cores;
  model.graph = testing::makeSingleNodeGraph(c);
  model.inputs = testing::runtimeInputs(c);
  compileGraph(model, "rv32 test of " + c.op);
  std::string dir = (std::filesystem::temp_directory_path() / "deeploy-rv32-XXXXXX").string();
  if (!mkdtemp(dir.data())) throw Error("cannot create a temporary directory");
  writeNetworkSources(dir, model.network);
  std::string elf = buildRv32Program(dir, {needsFloatUnit(model.graph), profile != nullptr, cores, "", machine});
  std::vector<TensorData> outputs = runRv32Program(elf, model.graph, model.inputs, 120, cores, profile, machine);
  std::filesystem::remove_all(dir);
  if (compiled) *compiled = std::move(model);
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
  InstructionProfile profile;
  EXPECT_TRUE(runOnRv32(int8MatMul(), siracusa, &profile)[0] == testing::runReference(int8MatMul())[0]);
  ASSERT_EQ(profile.perNode.size(), 1u);
  ASSERT_EQ(profile.perNode[0].size(), 1u);
  // 9 x 7 x 24 multiply-accumulates take at least one instruction each.
  EXPECT_GT(profile.perNode[0][0], 9u * 7 * 24);
  EXPECT_EQ(profile.busiestCore(), profile.perNode[0][0]);
}

TEST(Rv32Target, WorkSplitAmongHartsGivesTheSameAnswerAndSharesTheInstructions) {
  NodeCase big{"MatMul", {}, {{pattern(DType::Int8, {32, 64}, -128, 127, 1)}, {pattern(DType::Int8, {64, 16}, -128, 127, 2), true}}};
  const TensorData want = testing::runReference(big)[0];
  InstructionProfile one, four;
  EXPECT_TRUE(runOnRv32(big, hostPlatform(), &one, 1)[0] == want);
  EXPECT_TRUE(runOnRv32(big, hostPlatform(), &four, 4)[0] == want);
  ASSERT_EQ(four.perCore.size(), 4u);
  for (uint64_t hart : four.perCore) EXPECT_GT(hart, 0u) << "every hart takes a share";
  // Four harts share 32 rows: the busiest does well under half of what one hart does alone.
  EXPECT_LT(four.busiestCore() * 2, one.busiestCore());
}

Platform siracusaWithL1(int64_t bytes) {
  Platform p = builtinPlatform("siracusa");
  overrideLevelSize(p, "L1", bytes);
  return p;
}

TEST(Rv32Target, TilesAreSharedAmongHartsWithTheSameAnswer) {
  NodeCase big{"MatMul", {}, {{pattern(DType::Int8, {64, 32}, -128, 127, 3)}, {pattern(DType::Int8, {32, 8}, -128, 127, 4), true}}};
  const TensorData want = testing::runReference(big)[0];
  // Small enough for a loop over tiles (more than four) whose buffers alternate.
  const Platform siracusa = siracusaWithL1(1200);
  InstructionProfile one, four;
  CompiledModel model;
  EXPECT_TRUE(runOnRv32(big, siracusa, &one, 1)[0] == want);
  EXPECT_TRUE(runOnRv32(big, siracusa, &four, 4, &model)[0] == want);
  ASSERT_EQ(model.network.tiledNodes.size(), 1u);
  EXPECT_GT(model.network.tiledNodes[0].tiles, 4u);
  EXPECT_NE(model.network.source.find("for (uint32_t t = 0;"), std::string::npos);
  EXPECT_NE(model.network.source.find("dp_parallel(network_job_0_0, dp_slot, 4);"), std::string::npos);
  ASSERT_EQ(four.perCore.size(), 4u);
  for (uint64_t hart : four.perCore) EXPECT_GT(hart, 0u) << "every hart computes part of every tile";
  // The multiply-accumulates and the copies are shared: well under half of one hart's count.
  EXPECT_LT(four.busiestCore() * 2, one.busiestCore());
}

// A hand-written one-"node" network for the cluster's DMA: more transfers pending than its queue
// holds, groups waited for in another order than started, runs and strides of any size and alignment.
// On rv32 the harts copy (their shares); on siracusa (`machine`) the DMA device does, and the harts none.
void checkDmaTransfers(const Platform* machine) {
  constexpr int64_t kStage = 4096, kOdd = 7 * 3 * 5;
  Graph g;
  Tensor in{.name = "in", .dtype = DType::UInt8, .shape = {kStage}};
  Tensor out{.name = "out", .dtype = DType::UInt8, .shape = {kStage + kOdd}};
  g.inputs.push_back(g.addTensor(in));
  g.outputs.push_back(g.addTensor(out));
  g.nodes.push_back(Node{.name = "dma", .op = "Identity", .inputs = {g.inputs[0]}, .outputs = {g.outputs[0]}});
  const std::string header = R"(#include <stddef.h>
#define NETWORK_NUM_INPUTS 1
#define NETWORK_NUM_OUTPUTS 1
#define NETWORK_NUM_NODES 1
extern const size_t network_input_bytes[1];
extern const size_t network_output_bytes[1];
void network_init(void);
void network_run(const void *const inputs[], void *const outputs[]);
)";
  const std::string source = R"(#include <stdint.h>
#include "network.h"
#include "kernels/dma.h"
#include "kernels/profile.h"
const size_t network_input_bytes[1] = {4096u};
const size_t network_output_bytes[1] = {4096u + 105u};
static uint8_t stage[4096];
void network_init(void) {}
void network_run(const void *const inputs[], void *const outputs[]) {
  const uint8_t *in = (const uint8_t *)inputs[0];
  uint8_t *out = (uint8_t *)outputs[0];
  /* stage[p][r][c] = in[r][p][c]: 16 planes of 8 rows of 32 bytes */
  const dp_dma_shape swap = {32u, 8u, 16u, 512u, 32u, 32u, 256u};
  const dp_dma_shape block = {32u, 1u, 1u, 0u, 0u, 0u, 0u};
  /* 5 planes of 3 rows of 7 bytes, from odd offsets and strides */
  const dp_dma_shape odd = {7u, 3u, 5u, 13u, 7u, 61u, 21u};
  dp_dma_group first = {0u}, second = {0u}, third = {0u};
  int k;
  DP_PROFILE_MARK(0);
  dp_dma_start(&first, stage, in, &swap);
  dp_dma_wait(&first);
  for (k = 0; k < 128; ++k) dp_dma_start(&second, out + 32 * k, stage + 32 * (127 - k), &block);
  dp_dma_start(&third, out + 4096, in + 1, &odd);
  dp_dma_wait(&third);
  dp_dma_wait(&second);
  DP_PROFILE_MARK(1);
}
)";
  std::vector<uint8_t> input(kStage), want(kStage + kOdd);
  for (int64_t i = 0; i < kStage; ++i) input[static_cast<size_t>(i)] = static_cast<uint8_t>(i * 7 + i / 256);
  for (int64_t k = 0; k < 128; ++k) {
    for (int64_t c = 0; c < 32; ++c) {
      const int64_t s = (127 - k) * 32 + c, p = s / 256, r = s / 32 % 8;
      want[static_cast<size_t>(k * 32 + c)] = input[static_cast<size_t>(r * 512 + p * 32 + c)];
    }
  }
  for (int64_t p = 0; p < 5; ++p)
    for (int64_t r = 0; r < 3; ++r)
      for (int64_t c = 0; c < 7; ++c) want[static_cast<size_t>(kStage + p * 21 + r * 7 + c)] = input[static_cast<size_t>(1 + p * 61 + r * 13 + c)];
  TensorData inputData(DType::UInt8, {kStage});
  std::memcpy(inputData.data(), input.data(), input.size());
  for (int cores : {1, 4}) {
    std::string dir = (std::filesystem::temp_directory_path() / "deeploy-dma-XXXXXX").string();
    ASSERT_TRUE(mkdtemp(dir.data()));
    std::ofstream(dir + "/network.h") << header;
    std::ofstream(dir + "/network.c") << source;
    const std::string elf = buildRv32Program(dir, {false, true, cores, "", machine});
    InstructionProfile profile;
    const std::vector<TensorData> got = runRv32Program(elf, g, {inputData}, 60, cores, &profile, machine);
    std::filesystem::remove_all(dir);
    ASSERT_EQ(got.size(), 1u);
    ASSERT_EQ(got[0].byteSize(), want.size());
    EXPECT_EQ(std::memcmp(got[0].data(), want.data(), want.size()), 0) << "on " << cores << " harts";
    if (!machine) {
      for (uint64_t hart : profile.perCore) EXPECT_GT(hart, 0u) << "every hart copies a share";
      continue;
    }
    for (size_t hart = 1; hart < profile.perCore.size(); ++hart) EXPECT_EQ(profile.perCore[hart], 0u) << "the device copies";
    // 129 transfers programmed (about 61 instructions each with the loop around them, measured); copying
    // the 8297 bytes on hart 0 would add at least an instruction per word, over 2000.
    EXPECT_LT(profile.perCore[0], 129u * 64) << "hart 0 only programs the transfers";
    EXPECT_EQ(profile.dmaBytes, 2u * kStage + kOdd);
    ASSERT_EQ(profile.dmaCyclesPerNode.size(), 1u);
    EXPECT_EQ(profile.dmaCyclesPerNode[0], profile.dmaCycles);
    // Each transfer costs the set-up plus its bytes at no more than the fastest link (8 B/cycle).
    EXPECT_GE(profile.dmaCycles, 129u * machine->machine->dmaSetupCycles + (2u * kStage + kOdd) / 8);
  }
}

TEST(Rv32Dma, QueuedTransfersAreAllCopiedAndSharedAmongHarts) { checkDmaTransfers(nullptr); }

// ---- The emulated Siracusa cluster: the CORE-V harts and the cluster DMA device (emulator/) ----

bool siracusaEmulatorBuilt() { return std::filesystem::exists(xpulpQemuPath()); }

#define REQUIRE_SIRACUSA_EMULATOR() \
  if (!siracusaEmulatorBuilt()) GTEST_SKIP() << "run scripts/setup to build the CORE-V QEMU (" << xpulpQemuPath() << ")"

TEST(SiracusaDma, TheDeviceMovesEveryByteAndTheHartsCopyNothing) {
  REQUIRE_SIRACUSA_EMULATOR();
  const Platform siracusa = builtinPlatform("siracusa");
  checkDmaTransfers(&siracusa);
}

Platform untiledSiracusa() {
  Platform p = builtinPlatform("siracusa");
  for (ComputeEngine& engine : p.engines) engine.computesFrom = p.activationLevel;
  return p;
}

TEST(SiracusaTarget, IntegerAndFloatNodesMatchTheReferenceOnOneAndEightHarts) {
  REQUIRE_SIRACUSA_EMULATOR();
  const Platform siracusa = untiledSiracusa();
  NodeCase add{"Add", {}, {{testing::floatPattern({5, 6})}, {testing::floatPattern({6}, 2), true}}};
  for (int cores : {1, 8}) {
    EXPECT_TRUE(runOnRv32(int8MatMul(), siracusa, nullptr, cores, nullptr, &siracusa)[0] == testing::runReference(int8MatMul())[0]);
    EXPECT_TRUE(runOnRv32(add, siracusa, nullptr, cores, nullptr, &siracusa)[0] == testing::runReference(add)[0]);
  }
}

// The emulator's timing model adds stalls to every hart's instructions; the stock rv32 QEMU has none.
TEST(SiracusaTarget, TheProfileEstimatesCyclesFromTheTimingModel) {
  REQUIRE_SIRACUSA_EMULATOR();
  const Platform siracusa = untiledSiracusa();
  for (int cores : {1, 4}) {
    InstructionProfile profile;
    runOnRv32(int8MatMul(), siracusa, &profile, cores, nullptr, &siracusa);
    ASSERT_TRUE(profile.hasCycleEstimate());
    ASSERT_EQ(profile.stallsPerNode.size(), 1u);
    ASSERT_EQ(profile.stallsPerNode[0].size(), static_cast<size_t>(cores));
    // Kernels loop with taken branches and use loaded values, so every working hart stalls, but less than
    // three cycles per instruction.
    for (int hart = 0; hart < cores; ++hart) {
      EXPECT_GT(profile.stallsPerNode[0][hart], 0u) << "hart " << hart;
      EXPECT_LT(profile.stallsPerNode[0][hart], 2 * profile.perNode[0][hart]) << "hart " << hart;
    }
    EXPECT_GT(profile.estimatedCycles(), profile.busiestCore());
    EXPECT_EQ(profile.estimatedCycles(), profile.estimatedCycles(0));
  }
  InstructionProfile stock;
  runOnRv32(int8MatMul(), hostPlatform(), &stock, 2);
  EXPECT_FALSE(stock.hasCycleEstimate());
}

TEST(SiracusaTarget, TiledTransfersAreTheDevicesAndTheProfileModelsThem) {
  REQUIRE_SIRACUSA_EMULATOR();
  NodeCase big{"MatMul", {}, {{pattern(DType::Int8, {64, 32}, -128, 127, 3)}, {pattern(DType::Int8, {32, 8}, -128, 127, 4), true}}};
  const Platform siracusa = siracusaWithL1(1200);
  CompiledModel model;
  InstructionProfile profile;
  EXPECT_TRUE(runOnRv32(big, siracusa, &profile, 4, &model, &siracusa)[0] == testing::runReference(big)[0]);
  ASSERT_EQ(model.network.tiledNodes.size(), 1u);
  const NodeTilingReport& tiles = model.network.tiledNodes[0];
  EXPECT_GT(tiles.tiles, 4u);
  // The device moved exactly the bytes the tiler planned.
  EXPECT_EQ(profile.dmaBytes, tiles.dmaInBytes + tiles.dmaOutBytes);
  ASSERT_EQ(profile.dmaCyclesPerNode.size(), 1u);
  EXPECT_GT(profile.dmaCyclesPerNode[0], (tiles.dmaInBytes + tiles.dmaOutBytes) / 8);
}

// RQMatMul of A [rows, k] (int8 or uint8) by a constant int8 B [k, n], requantized per column, or per
// tensor to uint8.
NodeCase requantizedProduct(int64_t rows, int64_t k, int64_t n, bool signedData) {
  Attributes rq;
  rq.set("div", int64_t{512});
  rq.set("n_levels", int64_t{256});
  rq.set("signed", int64_t{signedData ? 1 : 0});
  const DType a = signedData ? DType::Int8 : DType::UInt8;
  return {"RQMatMul", rq,
          {{pattern(a, {rows, k}, signedData ? -128 : 0, signedData ? 127 : 255, 5)},
           {pattern(DType::Int8, {k, n}, -128, 127, 6), true},
           {signedData ? pattern(DType::Int32, {n}, 1, 400, 7) : pattern(DType::Int32, {}, 3, 3, 7), true},
           {signedData ? pattern(DType::Int32, {n}, -9000, 9000, 8) : pattern(DType::Int32, {}, 100, 100, 8), true}}};
}

TEST(SiracusaNpu, ProductsOnTheNpuMatchTheReferenceAndItsCyclesTheCompilersModel) {
  REQUIRE_SIRACUSA_EMULATOR();
  Platform siracusa = untiledSiracusa();
  siracusa.npuPolicy = NpuPolicy::All;
  const NodeCase cases[] = {requantizedProduct(1, 64, 64, true), requantizedProduct(33, 40, 70, true),
                            requantizedProduct(12, 100, 9, false)};
  for (const NodeCase& c : cases) {
    for (int cores : {1, 8}) {
      CompiledModel model;
      InstructionProfile profile;
      EXPECT_TRUE(runOnRv32(c, siracusa, &profile, cores, &model, &siracusa)[0] == testing::runReference(c)[0])
          << "A " << shapeToString(c.inputs[0].value.shape()) << " on " << cores << " harts";
      ASSERT_EQ(model.graph.nodes.size(), 1u);
      EXPECT_EQ(model.graph.nodes[0].engine, NodeEngine::Npu);
      ASSERT_EQ(model.engineDecisions.size(), 1u);
      ASSERT_EQ(profile.npuCyclesPerNode.size(), 1u);
      // The device ran the task the compiler costed: the same modelled cycles, every MAC once.
      EXPECT_EQ(profile.npuCyclesPerNode[0], model.engineDecisions[0].npuCycles);
      const auto conv = productAsNpuConv(model.graph, model.graph.nodes[0]);
      ASSERT_TRUE(conv);
      EXPECT_EQ(profile.npuMacs, static_cast<uint64_t>(npuMacs(conv->geometry)));
      // Hart 0 commits one constant task and sleeps; the other harts do nothing.
      EXPECT_LT(profile.perCore[0], 100u);
      for (size_t hart = 1; hart < profile.perCore.size(); ++hart) EXPECT_EQ(profile.perCore[hart], 0u);
    }
  }
}

// Tiled, an NPU node's tiles are tasks on L1 buffers that the DMA fills and empties; the NPU reads the
// weights, scales and biases in place in the weight memory.
TEST(SiracusaNpu, ATiledProductRunsTileByTileOnTheNpu) {
  REQUIRE_SIRACUSA_EMULATOR();
  Platform siracusa = siracusaWithL1(4000);
  siracusa.npuPolicy = NpuPolicy::All;
  const NodeCase c = requantizedProduct(96, 64, 40, true);
  for (int cores : {1, 4}) {
    CompiledModel model;
    InstructionProfile profile;
    EXPECT_TRUE(runOnRv32(c, siracusa, &profile, cores, &model, &siracusa)[0] == testing::runReference(c)[0]) << cores << " harts";
    ASSERT_EQ(model.graph.nodes.size(), 1u);
    EXPECT_EQ(model.graph.nodes[0].engine, NodeEngine::Npu);
    ASSERT_EQ(model.network.tiledNodes.size(), 1u);
    const NodeTilingReport& tiles = model.network.tiledNodes[0];
    EXPECT_GT(tiles.tiles, 1u);
    EXPECT_EQ(tiles.dmaInBytes, 96u * 64) << "only A's tiles are loaded";
    EXPECT_EQ(tiles.dmaOutBytes, 96u * 40);
    EXPECT_EQ(profile.dmaBytes, tiles.dmaInBytes + tiles.dmaOutBytes);
    EXPECT_EQ(profile.npuMacs, 96u * 64 * 40) << "every MAC once, over the tiles' tasks";
    for (size_t hart = 1; hart < profile.perCore.size(); ++hart) EXPECT_EQ(profile.perCore[hart], 0u);
  }
}

// A product the NPU runs beside a RequantShift of the same input that the cores run: the task is
// committed first (moved up from after the RequantShift), the cores requantize while it runs, and hart 0
// waits for it only at the end.
TEST(SiracusaNpu, TheCoresComputeIndependentNodesWhileATaskRuns) {
  REQUIRE_SIRACUSA_EMULATOR();
  const NodeCase product = requantizedProduct(36, 256, 96, true);
  Graph g;
  Tensor a{.name = "a", .dtype = DType::Int8, .shape = {36, 256}};
  const TensorId in = g.addTensor(a);
  g.inputs.push_back(in);
  Attributes rq = product.attrs;
  const TensorId scaled = g.addTensor({.name = "scaled"}), projected = g.addTensor({.name = "projected"});
  g.nodes.push_back({"requant", "RequantShift", "",
                     {in, g.addConstant("mul", pattern(DType::Int32, {}, 5, 5)), g.addConstant("add", pattern(DType::Int32, {}, 7, 7))},
                     {scaled}, rq});
  std::vector<TensorId> productInputs = {in};
  for (size_t i = 1; i < 4; ++i) productInputs.push_back(g.addConstant("p" + std::to_string(i), product.inputs[i].value));
  g.nodes.push_back({"projection", "RQMatMul", "", productInputs, {projected}, rq});
  g.outputs = {scaled, projected};
  Platform siracusa = untiledSiracusa();
  siracusa.npuPolicy = NpuPolicy::All;
  CompiledModel model;
  model.platform = siracusa;
  model.cores = 8;
  model.graph = g;
  model.inputs = {product.inputs[0].value};
  compileGraph(model, "NPU overlap test");
  ASSERT_EQ(model.graph.nodes.size(), 2u);
  EXPECT_EQ(model.graph.nodes[0].name, "projection") << "the NPU node is moved up to its inputs";
  const std::string& c = model.network.source;
  const size_t commit = c.find("dp_npu_commit"), requant = c.find("/* requant (RequantShift) */"), wait = c.find("dp_npu_wait(");
  ASSERT_NE(wait, std::string::npos);
  EXPECT_LT(commit, requant);
  EXPECT_LT(requant, wait) << "the cores requantize before hart 0 waits for the task";
  std::string dir = (std::filesystem::temp_directory_path() / "deeploy-npu-XXXXXX").string();
  ASSERT_TRUE(mkdtemp(dir.data()));
  writeNetworkSources(dir, model.network);
  InstructionProfile profile;
  const std::vector<TensorData> got =
      runRv32Program(buildRv32Program(dir, {false, true, 8, "", &siracusa}), model.graph, model.inputs, 120, 8, &profile, &siracusa);
  std::filesystem::remove_all(dir);
  inferTypes(g);
  const std::vector<TensorData> want = interpretGraph(g, model.inputs);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_TRUE(got[0] == want[0]);
  EXPECT_TRUE(got[1] == want[1]);
  // Hart 0 slept less than the task took: the requantization ran meanwhile.
  uint64_t asleep = 0;
  for (uint64_t w : profile.npuWaitPerNode) asleep += w;
  EXPECT_GT(profile.npuCycles, 0u);
  EXPECT_LT(asleep, profile.npuCycles);
}

TEST(SiracusaTarget, LevelsGetLinkerRegionsAtTheirAddresses) {
  const std::string script = rv32MachineLinkerScript(builtinPlatform("siracusa"));
  EXPECT_NE(script.find("LEVEL_L1 (rw) : ORIGIN = 0x83000000, LENGTH = 0xfa00"), std::string::npos) << script;
  EXPECT_NE(script.find("LEVEL_WMEM (rw) : ORIGIN = 0x81000000, LENGTH = 0x400000"), std::string::npos) << script;
  EXPECT_NE(script.find(".dp_level_L2_bss (NOLOAD) : { . = ALIGN(8); *(.dp_level.L2.bss) } > LEVEL_L2"), std::string::npos)
      << script;
  EXPECT_NE(script.find("CODE (rx) : ORIGIN = 0x80000000"), std::string::npos) << script;
  EXPECT_THROW(rv32MachineLinkerScript(hostPlatform()), Error) << "the host platform has no addresses";
}

TEST(SiracusaTarget, ALevelThatOverflowsFailsTheLinkNamingIt) {
  if (!siracusaEmulatorBuilt()) GTEST_SKIP() << "run scripts/setup to build the CORE-V QEMU";
  // The compiler bounds every level by its size; should the machine's region be smaller, the link fails.
  const Platform siracusa = untiledSiracusa();
  Platform shrunk = siracusa;
  shrunk.levels[shrunk.levelIndex("WMEM")].sizeBytes = 64;
  NodeCase big{"MatMul", {}, {{pattern(DType::Int8, {4, 32}, -128, 127, 3)}, {pattern(DType::Int8, {32, 8}, -128, 127, 4), true}}};
  try {
    runOnRv32(big, siracusa, nullptr, 1, nullptr, &shrunk);
    FAIL() << "a 64 B weight level holds 256 B of weights";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("LEVEL_WMEM"), std::string::npos) << e.what();
  }
}

TEST(SiracusaTarget, AMissingEmulatorSaysToRunSetup) {
  const Platform siracusa = builtinPlatform("siracusa");
  setenv("DEEPLOY_XPULP_QEMU", "/nonexistent/qemu-system-riscv32", 1);
  std::string message;
  try {
    qemuCommand("x.elf", 1, false, &siracusa);
  } catch (const Error& e) {
    message = e.what();
  }
  unsetenv("DEEPLOY_XPULP_QEMU");
  EXPECT_NE(message.find("run scripts/setup"), std::string::npos) << message;
}

}  // namespace
}  // namespace deeploy
