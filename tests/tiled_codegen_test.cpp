// Nodes compiled for a platform with a small L1: computed tile by tile with DMA, they must give the
// reference interpreter's outputs exactly, keep their buffers within L1 and say clearly when they
// cannot fit.
#include <gtest/gtest.h>


#include "ir/error.h"
#include "ops/interpreter.h"
#include "passes/pipeline.h"
#include "targets/host_target.h"
#include "tests/support/single_node.h"
#include "tests/support/tensors.h"

extern "C" {
#include "kernels/dma.h"
}

namespace deeploy {
namespace {

using testing::NodeCase;
using testing::pattern;

Platform siracusaWithL1(int64_t bytes) {
  Platform p = builtinPlatform("siracusa");
  overrideLevelSize(p, "L1", bytes);
  return p;
}

// Compiles the case for Siracusa with `l1` bytes of L1, runs it and compares with the reference.
CompiledModel expectTiledMatchesReference(const NodeCase& c, int64_t l1) {
  CompiledModel model;
  std::vector<TensorData> got = testing::runGeneratedCOn(c, siracusaWithL1(l1), &model);
  std::vector<TensorData> want = testing::runReference(c);
  EXPECT_EQ(got.size(), want.size());
  for (size_t o = 0; o < std::min(got.size(), want.size()); ++o) EXPECT_TRUE(got[o] == want[o]) << c.op << " output " << o;
  EXPECT_LE(model.network.l1ArenaBytes, static_cast<size_t>(l1));
  return model;
}

NodeCase int8MatMul(int64_t m, int64_t k, int64_t n) {
  return {"MatMul", {}, {{pattern(DType::Int8, {m, k}, -128, 127, 1)}, {pattern(DType::Int8, {k, n}, -128, 127, 2), true}}};
}

size_t totalTiles(const CompiledModel& model) {
  size_t tiles = 0;
  for (const NodeTilingReport& r : model.network.tiledNodes) tiles += r.tiles;
  return tiles;
}

TEST(TiledCodegen, AMatMulThatFitsRunsAsOneTile) {
  CompiledModel model = expectTiledMatchesReference(int8MatMul(8, 16, 8), 64000);
  ASSERT_EQ(model.network.tiledNodes.size(), 1u);
  EXPECT_EQ(model.network.tiledNodes[0].tiles, 1u);
  // Both operands in once (with the kernel's small parameter tables), the int32 result out once.
  EXPECT_GE(model.network.tiledNodes[0].dmaInBytes, 8u * 16 + 16 * 8);
  EXPECT_LT(model.network.tiledNodes[0].dmaInBytes, 8u * 16 + 16 * 8 + 64);
  EXPECT_EQ(model.network.tiledNodes[0].dmaOutBytes, 8u * 8 * 4);
}

TEST(TiledCodegen, ASmallL1SplitsTheMatMulIntoALoopOfTiles) {
  CompiledModel model = expectTiledMatchesReference(int8MatMul(37, 64, 29), 2000);
  EXPECT_GT(totalTiles(model), 4u);  // more than the unrolled limit: the loop over DMA tables
  EXPECT_NE(model.network.source.find("for (uint32_t t = 0;"), std::string::npos);
  EXPECT_EQ(model.network.tiledNodes[0].dmaOutBytes, 37u * 29 * 4);  // every output element written once
}

// The tiles are decided before code generation, as data on the graph (Node::tiling), and code generation
// only reads them: another decision gives other tiles and the same answer.
TEST(TiledCodegen, TheTilesAreDecisionsOnTheGraphThatCodeGenerationReads) {
  const NodeCase c = int8MatMul(37, 64, 29);
  CompiledModel model = expectTiledMatchesReference(c, 2000);
  ASSERT_TRUE(model.graph.tilingDecided);
  ASSERT_TRUE(model.graph.nodes[0].tiling);
  EXPECT_EQ(model.network.tiledNodes[0].tileSize, model.graph.nodes[0].tiling->tileSize);
  ASSERT_GT(model.graph.nodes[0].tiling->tileSize[0], 1);
  model.graph.nodes[0].tiling->tileSize[0] = 1;  // one row of A per tile
  model.network = generateC(model.graph, codegenOptionsFor(model, "a decision of our own"));
  EXPECT_EQ(model.network.tiledNodes[0].tileCount[0], 37);
  EXPECT_TRUE(testing::runOnHost(model)[0] == testing::runReference(c)[0]);
}

// x -> MatMul(x, w) -> a -> Add(a, bias) -> out: the Add reads only the MatMul's output (its bias is
// constant), so it runs in the MatMul's tiles on the tile's L1 buffer, and `a` never leaves L1. A second
// MatMul reads x afterwards (x outlives the fused pair; without it, see the arena test below).
Graph matMulThenAddedBias() {
  Graph g;
  TensorId x = g.addTensor({.name = "x", .dtype = DType::Int8, .shape = {12, 32}});
  TensorId a = g.addTensor({.name = "a", .dtype = DType::Int32, .shape = {12, 20}});
  TensorId out = g.addTensor({.name = "out", .dtype = DType::Int32, .shape = {12, 20}});
  TensorId w = g.addConstant("w", pattern(DType::Int8, {32, 20}, -128, 127, 2));
  TensorId bias = g.addConstant("bias", pattern(DType::Int32, {20}, -999, 999, 3));
  TensorId again = g.addTensor({.name = "again", .dtype = DType::Int32, .shape = {12, 20}});
  g.inputs = {x};
  g.outputs = {out, again};
  g.nodes.push_back({"matmul", "MatMul", "", {x, w}, {a}, {}});
  g.nodes.push_back({"add_bias", "Add", "", {a, bias}, {out}, {}});
  g.nodes.push_back({"matmul_again", "MatMul", "", {x, w}, {again}, {}});
  return g;
}

TEST(TiledCodegen, AnElementWiseFollowerRunsInTheTilesOfItsProducer) {
  for (int cores : {1, 4}) {
    for (int64_t l1 : {64000, 1500}) {
      CompiledModel model;
      model.platform = siracusaWithL1(l1);
      model.cores = cores;
      model.graph = matMulThenAddedBias();
      model.inputs = {pattern(DType::Int8, {12, 32}, -128, 127, 1)};
      compileGraph(model, "tiled follower test");
      ASSERT_EQ(model.network.tiledNodes.size(), 2u) << cores << " cores, L1 " << l1;
      const NodeTilingReport& r = model.network.tiledNodes[0];
      EXPECT_EQ(r.follower, "add_bias");
      if (l1 < 64000) {
        EXPECT_GT(r.tiles, 1u);
      }
      EXPECT_EQ(r.dmaOutBytes, 12u * 20 * 4);  // only the Add's output is written back
      EXPECT_LE(model.network.l1ArenaBytes, static_cast<size_t>(l1));

      const std::vector<TensorData> got = testing::runOnHost(model);
      Graph reference = matMulThenAddedBias();
      runMidend(reference);
      const std::vector<TensorData> want = interpretGraph(reference, model.inputs);
      EXPECT_TRUE(got[0] == want[0] && got[1] == want[1]) << cores << " cores, L1 " << l1;
    }
  }
}

// Without a later reader of x, an arena plan that let x die with the MatMul could put `out` on x; the
// plan holds x through the Add's step instead, so that the Add still runs in the MatMul's tiles.
TEST(TiledCodegen, TheArenaPlanKeepsTheProducersInputsFromTheFollowersOutput) {
  for (int cores : {1, 8}) {
    Graph g = matMulThenAddedBias();
    g.nodes.pop_back();
    g.outputs.pop_back();
    CompiledModel model;
    model.platform = siracusaWithL1(1500);
    model.cores = cores;
    model.graph = g;
    model.inputs = {pattern(DType::Int8, {12, 32}, -128, 127, 1)};
    compileGraph(model, "tiled follower test");
    ASSERT_EQ(model.network.tiledNodes.size(), 1u) << cores << " cores";
    EXPECT_EQ(model.network.tiledNodes[0].follower, "add_bias");
    EXPECT_GT(model.network.tiledNodes[0].tiles, 1u);
    const ActivationMemory& memory = model.network.memory;
    auto bufferOf = [&](const std::string& name) {
      return memory.allocations[static_cast<size_t>(memory.bufferOfTensor[static_cast<size_t>(model.graph.findTensor(name))])];
    };
    const Allocation& x = bufferOf("x");
    const Allocation& out = bufferOf("out");
    EXPECT_TRUE(lifetimesOverlap(x, out));

    const std::vector<TensorData> got = testing::runOnHost(model);
    runMidend(g);
    EXPECT_TRUE(got[0] == interpretGraph(g, model.inputs)[0]) << cores << " cores";
  }
}

TEST(TiledCodegen, AFollowerThatAnotherNodeAlsoReadsIsTiledOnItsOwn) {
  Graph g = matMulThenAddedBias();
  g.outputs.push_back(g.nodes[0].outputs[0]);  // `a` is also a graph output: it must reach the arena
  CompiledModel model;
  model.platform = siracusaWithL1(64000);
  model.graph = std::move(g);
  model.inputs = {pattern(DType::Int8, {12, 32}, -128, 127, 1)};
  compileGraph(model, "tiled follower test");
  ASSERT_EQ(model.network.tiledNodes.size(), 3u);
  EXPECT_EQ(model.network.tiledNodes[0].follower, "");
}

TEST(TiledCodegen, EdgeTilesOfUnequalSizeAreComputedExactly) {
  // Extents that no tile size divides evenly at this L1.
  expectTiledMatchesReference(int8MatMul(13, 8, 11), 600);
}

TEST(TiledCodegen, ElementwiseWithBroadcastTilesEveryAxis) {
  NodeCase add{"Add", {}, {{pattern(DType::Float32, {3, 40, 17}, -100, 100, 3)}, {pattern(DType::Float32, {40, 1}, -5, 5, 4), true}}};
  CompiledModel model = expectTiledMatchesReference(add, 1500);
  EXPECT_GT(totalTiles(model), 1u);
}

TEST(TiledCodegen, ConvolutionTilesWithHalosAndBorderPadding) {
  Attributes a = testing::attributes({{"pads", std::vector<int64_t>{1, 1, 1, 1}}, {"strides", std::vector<int64_t>{1, 1}},
                                      {"kernel_shape", std::vector<int64_t>{3, 3}}});
  NodeCase conv{"Conv", a, {{pattern(DType::Float32, {1, 3, 20, 20}, -50, 50, 5)}, {pattern(DType::Float32, {4, 3, 3, 3}, -3, 3, 6), true}}};
  CompiledModel model = expectTiledMatchesReference(conv, 4000);
  EXPECT_GT(totalTiles(model), 1u);
}

TEST(TiledCodegen, DepthwiseConvolutionSplitsItsChannels) {
  Attributes a = testing::attributes({{"pads", std::vector<int64_t>{1, 1, 1, 1}}, {"group", int64_t{16}}});
  NodeCase conv{"Conv", a, {{pattern(DType::Int8, {1, 16, 12, 12}, -128, 127, 7)}, {pattern(DType::Int8, {16, 1, 3, 3}, -128, 127, 8), true}}};
  CompiledModel model = expectTiledMatchesReference(conv, 3000);
  ASSERT_EQ(model.network.tiledNodes.size(), 1u);
  EXPECT_LT(model.network.tiledNodes[0].tileSize[1], 16);  // a tile holds only some of the channels
}

TEST(TiledCodegen, TooSmallAnL1NamesTheNodeAndTheL1ItNeeds) {
  try {
    testing::runGeneratedCOn(int8MatMul(4, 4000, 4), siracusaWithL1(1000));
    FAIL() << "a 4000-element reduction cannot fit 1000 B";
  } catch (const Error& e) {
    std::string message = e.what();
    EXPECT_NE(message.find("MatMul"), std::string::npos) << message;
    EXPECT_NE(message.find("no tiling fits in 1000 B of L1"), std::string::npos) << message;
    EXPECT_NE(message.find("the smallest L1 that fits every node is"), std::string::npos) << message;
  }
}

// Compiled tiled for `cores` cores and run on the host, where a tile's per-core calls run in turn.
CompiledModel expectTiledOnCoresMatchesReference(const NodeCase& c, int64_t l1, int cores) {
  CompiledModel model;
  model.platform = siracusaWithL1(l1);
  model.cores = cores;
  model.graph = testing::makeSingleNodeGraph(c);
  model.inputs = testing::runtimeInputs(c);
  compileGraph(model, "tiled test of " + c.op + " on cores");
  std::vector<TensorData> got = testing::runOnHost(model);
  std::vector<TensorData> want = testing::runReference(c);
  EXPECT_EQ(got.size(), want.size());
  for (size_t o = 0; o < std::min(got.size(), want.size()); ++o) EXPECT_TRUE(got[o] == want[o]) << c.op << " output " << o;
  EXPECT_LE(model.network.l1ArenaBytes, static_cast<size_t>(l1));
  return model;
}

TEST(TiledCodegen, TilesCutAmongCoresKeepTheTilingAndTheAnswer) {
  const NodeCase matmul = int8MatMul(37, 64, 29);
  CompiledModel one = expectTiledMatchesReference(matmul, 2000);
  CompiledModel four = expectTiledOnCoresMatchesReference(matmul, 2000, 4);
  ASSERT_EQ(four.network.tiledNodes.size(), 1u);
  EXPECT_EQ(four.network.tiledNodes[0].tileSize, one.network.tiledNodes[0].tileSize);
  EXPECT_EQ(four.network.l1ArenaBytes, one.network.l1ArenaBytes);
  // The loop over tiles hands the job the offsets of the buffers that alternate.
  EXPECT_NE(four.network.source.find("dp_parallel(network_job_0_"), std::string::npos);
  EXPECT_NE(four.network.source.find("uint32_t dp_slot["), std::string::npos);
  EXPECT_EQ(one.network.source.find("dp_parallel("), std::string::npos);
}

TEST(TiledCodegen, TilesWithWindowsBroadcastsChannelsAndTablesCutAmongCores) {
  Attributes window = testing::attributes({{"pads", std::vector<int64_t>{1, 1, 1, 1}}, {"strides", std::vector<int64_t>{1, 1}},
                                           {"kernel_shape", std::vector<int64_t>{3, 3}}});
  NodeCase pool{"MaxPool", window, {{pattern(DType::Float32, {1, 4, 20, 20}, -50, 50, 5)}}};
  Attributes depthwise = testing::attributes({{"pads", std::vector<int64_t>{1, 1, 1, 1}}, {"group", int64_t{16}}});
  NodeCase dw{"Conv", depthwise, {{pattern(DType::Int8, {1, 16, 12, 12}, -128, 127, 7)}, {pattern(DType::Int8, {16, 1, 3, 3}, -128, 127, 8), true}}};
  NodeCase add{"Add", {}, {{pattern(DType::Float32, {3, 40, 17}, -100, 100, 3)}, {pattern(DType::Float32, {40, 1}, -5, 5, 4), true}}};
  NodeCase whole{"MatMul", {}, {{pattern(DType::Int8, {1, 64}, -128, 127, 9)}, {pattern(DType::Int8, {64, 40}, -128, 127, 10), true}}};
  // The chunks of a transpose have their own shape and stride tables.
  NodeCase transpose{"Transpose", testing::attributes({{"perm", std::vector<int64_t>{0, 2, 1}}}),
                     {{pattern(DType::Int8, {4, 6, 10}, -128, 127, 11)}}};
  for (const auto& [c, l1] :
       std::vector<std::pair<NodeCase, int64_t>>{{pool, 3000}, {dw, 3000}, {add, 1500}, {whole, 64000}, {transpose, 64000}}) {
    CompiledModel model = expectTiledOnCoresMatchesReference(c, l1, 3);
    EXPECT_NE(model.network.source.find("dp_parallel(network_job_0_0, "), std::string::npos) << c.op;
  }
}

TEST(HostDma, StridedThreeDimensionalCopy) {
  uint8_t source[4][5][6];
  for (int p = 0; p < 4; ++p)
    for (int r = 0; r < 5; ++r)
      for (int c = 0; c < 6; ++c) source[p][r][c] = static_cast<uint8_t>(p * 100 + r * 10 + c);
  // Planes 1..2, rows 2..4, columns 3..4 into a dense 2 x 3 x 2 block.
  uint8_t dense[2][3][2] = {};
  dp_dma_shape shape = {2, 3, 2, 6, 2, 30, 6};
  dp_dma_group group = {0};
  dp_dma_start(&group, dense, &source[1][2][3], &shape);
  dp_dma_wait(&group);
  for (int p = 0; p < 2; ++p)
    for (int r = 0; r < 3; ++r)
      for (int c = 0; c < 2; ++c) EXPECT_EQ(dense[p][r][c], source[1 + p][2 + r][3 + c]) << p << r << c;
}

}  // namespace
}  // namespace deeploy
