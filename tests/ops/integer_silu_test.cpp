// iSiLU, the int8 SiLU by a table (ops/integer_silu.h): the table against values computed by hand, the
// generated C (dp_lut_s8) against the reference interpreter on one and four cores and tiled into L1,
// alone and in the tiles of the RequantShift before it, and the errors for bad attributes and inputs.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <limits>

#include "ops/integer_silu.h"
#include "ops/interpreter.h"
#include "passes/pipeline.h"
#include "targets/host_target.h"
#include "tests/support/single_node.h"
#include "tests/support/tensors.h"
#include "tests/support/tiling_check.h"
#include "tools/driver.h"

namespace deeploy {
namespace {

using namespace testing;

int tableAt(const std::array<int8_t, 256>& table, int v) { return table[static_cast<size_t>(v + 128)]; }

Attributes scales(double in, double out) { return attributes({{"scale_in", in}, {"scale_out", out}}); }

// Uniform int8 values from a fixed linear congruential generator.
TensorData randomInt8(Shape shape, uint64_t seed) {
  std::vector<int64_t> v(static_cast<size_t>(elementCount(shape)));
  for (auto& x : v) {
    seed = seed * 6364136223846793005ull + 1442695040888963407ull;
    x = static_cast<int64_t>(seed >> 56) - 128;
  }
  return ints(DType::Int8, std::move(shape), v);
}

NodeCase siluCase(TensorData x, Attributes attrs = scales(0.05, 0.02)) { return {"iSiLU", std::move(attrs), {{std::move(x)}}}; }

TEST(ISiLU, TableOfHandComputedValues) {
  // silu(t) = t / (1 + exp(-t)). scale_in 0.05, scale_out 0.02: v = 127, t = 6.35: 6.3389 / 0.02 = 316.9,
  // clamped to 127; v = -128, t = -6.4: -0.010616 / 0.02 = -0.53, away from zero to -1 (not 0);
  // v = 20, t = 1: 0.731059 / 0.02 = 36.55 -> 37; v = 10, t = 0.5: 15.56 -> 16; v = -20: -13.447 -> -13;
  // v = -26, t = -1.3, near silu's minimum -0.2785 at t = -1.2785: -0.278415 / 0.02 = -13.92 -> -14,
  // the table's minimum.
  const std::array<int8_t, 256> t = siluTable({0.05, 0.02});
  EXPECT_EQ(tableAt(t, 0), 0);
  EXPECT_EQ(tableAt(t, 127), 127);
  EXPECT_EQ(tableAt(t, -128), -1);
  EXPECT_EQ(tableAt(t, 20), 37);
  EXPECT_EQ(tableAt(t, 10), 16);
  EXPECT_EQ(tableAt(t, -20), -13);
  EXPECT_EQ(tableAt(t, -26), -14);
  EXPECT_EQ(*std::min_element(t.begin(), t.end()), -14);
  // scale_in 0.02, scale_out 0.03: t = 2.54: 2.35432 / 0.03 = 78.48 -> 78; t = -2.56: -6.12 -> -6;
  // v = -64, t = -1.28: -0.278465 / 0.03 = -9.28 -> -9.
  const std::array<int8_t, 256> u = siluTable({0.02, 0.03});
  EXPECT_EQ(tableAt(u, 127), 78);
  EXPECT_EQ(tableAt(u, -128), -6);
  EXPECT_EQ(tableAt(u, -64), -9);
  // scale_out 0.001 saturates both ways: 6339 -> 127 and -278.4 -> -128.
  const std::array<int8_t, 256> w = siluTable({0.05, 0.001});
  EXPECT_EQ(tableAt(w, 127), 127);
  EXPECT_EQ(tableAt(w, -26), -128);
}

TEST(ISiLU, TheReferenceLooksEveryElementUpInTheTable) {
  auto out = runReference(siluCase(ints(DType::Int8, {2, 3}, {0, 127, -128, 20, -26, 10})));
  EXPECT_EQ(out[0].dtype(), DType::Int8);
  EXPECT_EQ(out[0].shape(), (Shape{2, 3}));
  EXPECT_EQ(out[0].toInts(), (std::vector<int64_t>{0, 127, -1, 37, -14, 16}));
}

TEST(ISiLU, RejectsBadScalesAndInputsOtherThanInt8) {
  NodeCase c = siluCase(ints(DType::Int8, {2}, {1, 2}));
  c.attrs.set("scale_in", 0.0);
  expectErrorMentioning(c, "'scale_in' must be a positive finite float, got 0");
  c.attrs = scales(0.05, -0.5);
  expectErrorMentioning(c, "'scale_out' must be a positive finite float, got -0.5");
  c.attrs = scales(0.05, std::numeric_limits<double>::infinity());
  expectErrorMentioning(c, "'scale_out' must be a positive finite float");
  c.attrs.erase("scale_out");
  expectErrorMentioning(c, "missing attribute 'scale_out'");
  c.attrs = scales(0.05, 0.02);
  for (DType type : {DType::UInt8, DType::Int16, DType::Int32}) {
    c.inputs[0].value = ints(type, {2}, {1, 2});
    expectErrorMentioning(c, "input 0 must be int8, got " + std::string(dtypeName(type)));
  }
}

CompiledModel compileFor(const NodeCase& c, const Platform& platform, int cores) {
  CompiledModel model;
  model.platform = platform;
  model.cores = cores;
  model.graph = makeSingleNodeGraph(c);
  model.inputs = runtimeInputs(c);
  compileGraph(model, "iSiLU test");
  return model;
}

Platform siracusaWithL1(int64_t bytes) {
  Platform p = builtinPlatform("siracusa");
  overrideLevelSize(p, "L1", bytes);
  return p;
}

TEST(ISiLU, GeneratedCLooksUpTheNetworksTableOnOneAndFourCores) {
  const NodeCase c = siluCase(randomInt8({4, 9, 43}, 7), scales(0.03, 0.025));
  const TensorData want = runReference(c)[0];
  for (int cores : {1, 4}) {
    CompiledModel model = compileFor(c, hostPlatform(), cores);
    const std::string& source = model.network.source;
    EXPECT_NE(source.find("static const int8_t network_c0_isilu_table[256]"), std::string::npos);
    EXPECT_NE(source.find("dp_lut_s8("), std::string::npos);
    EXPECT_EQ(source.find("dp_parallel(") != std::string::npos, cores > 1) << cores << " cores";
    EXPECT_TRUE(runOnHost(model)[0] == want) << cores << " cores";
  }
}

TEST(ISiLU, TiledForSiracusaInSeveralTiles) {
  const NodeCase c = siluCase(randomInt8({4, 9, 43}, 8));
  const TensorData want = runReference(c)[0];
  for (int cores : {1, 4}) {
    for (int64_t l1 : {2000, 900}) {
      CompiledModel model = compileFor(c, siracusaWithL1(l1), cores);
      ASSERT_EQ(model.network.tiledNodes.size(), 1u);
      EXPECT_GT(model.network.tiledNodes[0].tiles, 1u) << cores << " cores, L1 " << l1;
      EXPECT_LE(model.network.l1ArenaBytes, static_cast<size_t>(l1));
      EXPECT_TRUE(runOnHost(model)[0] == want) << cores << " cores, L1 " << l1;
    }
  }
}

// x -> RequantShift -> q -> iSiLU -> y: the iSiLU runs in the RequantShift's tiles, on its L1 buffer.
Graph requantThenSiLU() {
  Graph g;
  TensorId x = g.addTensor({.name = "x", .dtype = DType::Int32, .shape = {6, 80}});
  TensorId q = g.addTensor({.name = "q", .dtype = DType::Int8, .shape = {6, 80}});
  TensorId y = g.addTensor({.name = "y", .dtype = DType::Int8, .shape = {6, 80}});
  TensorId mul = g.addConstant("mul", TensorData::scalarInt(DType::Int32, 3));
  TensorId add = g.addConstant("add", TensorData::scalarInt(DType::Int32, 5));
  g.inputs = {x};
  g.outputs = {y};
  g.nodes.push_back({"rq", "RequantShift", "", {x, mul, add}, {q}, attributes({{"div", 64}, {"n_levels", 256}, {"signed", 1}})});
  g.nodes.push_back({"silu", "iSiLU", "", {q}, {y}, scales(0.04, 0.03)});
  return g;
}

TEST(ISiLU, RunsInTheTilesOfTheRequantShiftBeforeIt) {
  for (int cores : {1, 4}) {
    CompiledModel model;
    model.platform = siracusaWithL1(3000);
    model.cores = cores;
    model.graph = requantThenSiLU();
    model.inputs = {pattern(DType::Int32, {6, 80}, -5000, 5000, 3)};
    compileGraph(model, "iSiLU follower test");
    ASSERT_EQ(model.network.tiledNodes.size(), 1u) << cores << " cores";
    EXPECT_EQ(model.network.tiledNodes[0].follower, "silu");
    EXPECT_GT(model.network.tiledNodes[0].tiles, 1u);
    Graph reference = requantThenSiLU();
    runMidend(reference);
    EXPECT_TRUE(runOnHost(model)[0] == interpretGraph(reference, model.inputs)[0]) << cores << " cores";
  }
}

TEST(ISiLU, EveryCutReassemblesTheWholeNode) { expectEveryCutReassemblesWhole(siluCase(randomInt8({3, 4, 5}, 9))); }

}  // namespace
}  // namespace deeploy
