// Constant int8 weights widened to int16 lane pairs at compile time (KernelChoices::int16Weights, the
// "nt16" kernels of runtime/kernels/matmul_nt16.h): generated C on the host, through the plain-C tiles of
// the layout, equals the reference on shapes that exercise every part of it (K tails, a lone last column,
// one and two leftover rows, K longer than a panel chunk, batches, uint8 A, requantized outputs), and the
// weights cost twice their bytes.
#include <gtest/gtest.h>

#include "tests/support/single_node.h"
#include "tests/support/tensors.h"

namespace deeploy {
namespace {

using namespace testing;

Platform hostWithInt16Weights(bool on) {
  Platform p = hostPlatform();
  p.int16Weights = on;
  return p;
}

// Runs c with int16 weights, checks it against the reference and returns the compiled model.
CompiledModel expectWidenedMatchesReference(const NodeCase& c) {
  CompiledModel model;
  const std::vector<TensorData> outputs = runGeneratedCOn(c, hostWithInt16Weights(true), &model);
  EXPECT_EQ(outputs[0], runReference(c)[0]) << c.op;
  return model;
}

NodeCase product(const std::string& op, DType aType, int64_t m, int64_t n, int64_t k, Attributes attrs = {}) {
  const int64_t aLow = aType == DType::Int8 ? -128 : 0, aHigh = aType == DType::Int8 ? 127 : 255;
  return {op, std::move(attrs), {{pattern(aType, {m, k}, aLow, aHigh)}, {pattern(DType::Int8, {k, n}, -128, 127, 2), true}}};
}

Attributes requant(int64_t div) {
  Attributes a;
  a.set("div", div);
  a.set("n_levels", int64_t{256});
  a.set("signed", int64_t{1});
  return a;
}

TEST(Int16Weights, MatMulShapesMatchTheReference) {
  // (m, n, k): K tails of 1 to 3, odd n (a lone column), m of 1, 2, 4, 5 (leftover rows beside 3-row
  // blocks), n not a multiple of the four-column groups, K over one panel chunk (256) and over a
  // single row's (768), n over a tile (64 columns).
  const std::vector<std::array<int64_t, 3>> shapes = {{1, 1, 1},  {3, 2, 4},   {5, 7, 9},   {4, 13, 6},
                                                      {2, 6, 3},  {1, 5, 301}, {7, 70, 11}, {3, 3, 517},
                                                      {1, 9, 1030}, {6, 130, 5}};
  for (const auto& [m, n, k] : shapes) {
    SCOPED_TRACE("m " + std::to_string(m) + " n " + std::to_string(n) + " k " + std::to_string(k));
    for (DType a : {DType::Int8, DType::UInt8}) {
      CompiledModel model = expectWidenedMatchesReference(product("MatMul", a, m, n, k));
      EXPECT_NE(model.network.source.find("dp_matmul_nt16_"), std::string::npos);
    }
  }
}

TEST(Int16Weights, BatchesGemmAndRequantizedProductsMatchTheReference) {
  NodeCase batched{"MatMul", {}, {{pattern(DType::Int8, {2, 1, 3, 7}, -128, 127)}, {pattern(DType::Int8, {3, 7, 5}, -128, 127, 2), true}}};
  NodeCase gemm = product("Gemm", DType::Int8, 5, 9, 10);
  gemm.inputs.push_back({pattern(DType::Int32, {9}, -1000, 1000, 3), true});
  NodeCase gemmTransposed{"Gemm", attributes({{"transB", int64_t{1}}}),
                          {{pattern(DType::UInt8, {4, 7}, 0, 255)}, {pattern(DType::Int8, {11, 7}, -128, 127, 2), true}}};
  NodeCase rq = product("RQMatMul", DType::Int8, 7, 11, 13, requant(8192));
  rq.inputs.push_back({pattern(DType::Int32, {11}, 1, 20, 3), true});
  rq.inputs.push_back({pattern(DType::Int32, {7, 1}, -3000, 3000, 4), true});
  NodeCase rqGemm = product("RQGemm", DType::UInt8, 2, 65, 70, requant(16384));
  rqGemm.inputs.push_back({pattern(DType::Int32, {1}, 3, 3), true});
  rqGemm.inputs.push_back({pattern(DType::Int32, {65}, -3000, 3000, 4), true});
  for (const NodeCase* c : {&batched, &gemm, &gemmTransposed, &rq, &rqGemm}) {
    CompiledModel model = expectWidenedMatchesReference(*c);
    EXPECT_NE(model.network.source.find("_nt16_"), std::string::npos) << c->op;
  }
}

TEST(Int16Weights, WeightsCostTwiceTheirBytesAndOnlyConstantInt8WeightsAreWidened) {
  NodeCase c = product("MatMul", DType::Int8, 4, 8, 16);
  CompiledModel narrow, wide;
  EXPECT_EQ(runGeneratedCOn(c, hostWithInt16Weights(false), &narrow)[0], runGeneratedCOn(c, hostWithInt16Weights(true), &wide)[0]);
  EXPECT_EQ(wide.network.constantBytes - narrow.network.constantBytes, 8u * 16u);
  EXPECT_EQ(narrow.network.source.find("_nt16_"), std::string::npos);
  // A runtime B and 16-bit weights keep their kernels.
  NodeCase runtimeB{"MatMul", {}, {{pattern(DType::Int8, {3, 5}, -128, 127)}, {pattern(DType::Int8, {5, 4}, -128, 127, 2)}}};
  NodeCase int16B{"MatMul", {}, {{pattern(DType::Int8, {3, 5}, -128, 127)}, {pattern(DType::Int16, {5, 4}, -900, 900, 2), true}}};
  for (const NodeCase* other : {&runtimeB, &int16B}) {
    CompiledModel model = expectWidenedMatchesReference(*other);
    EXPECT_EQ(model.network.source.find("_nt16_"), std::string::npos);
  }
}

}  // namespace
}  // namespace deeploy
