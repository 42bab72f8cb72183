// Gemm and RQGemm with a leading batch axis (Deeploy's exporter: A [batch, M, K], B [batch, K, N] or
// [K, N], transA/transB, alpha/beta, C broadcast): the reference against products computed here, the
// generated C (one kernel call per batch) against the reference, and the tiles against the whole node.
#include <gtest/gtest.h>

#include "tests/support/single_node.h"
#include "tests/support/tensors.h"
#include "tests/support/tiling_check.h"

namespace deeploy {
namespace {

using namespace testing;

// Element (i, j) of op(X) for batch slice `bi` of X (a matrix shared by every batch when 2-D).
double opElement(const TensorData& x, bool trans, int64_t bi, int64_t i, int64_t j) {
  const Shape& s = x.shape();
  const int64_t rows = s[s.size() - 2], cols = s.back(), slice = s.size() == 3 && s[0] > 1 ? bi : 0;
  return x.getDouble(slice * rows * cols + (trans ? j * cols + i : i * cols + j));
}

// alpha * op(A) op(B) + beta * C with C of shape [N] (the values are chosen to be exact in float).
std::vector<double> expectedGemm(const TensorData& a, const TensorData& b, const TensorData& c, bool transA, bool transB,
                                 double alpha, double beta, int64_t batch, int64_t m, int64_t n, int64_t k) {
  std::vector<double> y;
  for (int64_t bi = 0; bi < batch; ++bi) {
    for (int64_t i = 0; i < m; ++i) {
      for (int64_t j = 0; j < n; ++j) {
        double sum = 0;
        for (int64_t t = 0; t < k; ++t) sum += opElement(a, transA, bi, i, t) * opElement(b, transB, bi, t, j);
        y.push_back(alpha * sum + beta * c.getDouble(j));
      }
    }
  }
  return y;
}

TEST(BatchedGemm, ReferenceComputesOneProductPerBatch) {
  const TensorData a = ints(DType::Int8, {2, 2, 3}, {1, 2, 3, 4, 5, 6, -1, 0, 2, 3, -2, 1});
  const TensorData b = ints(DType::Int8, {2, 3, 2}, {1, 0, 0, 1, 1, 1, 2, -1, 1, 3, 0, 2});
  const TensorData c = ints(DType::Int32, {2}, {10, -10});
  NodeCase gemm{"Gemm", attributes({{"alpha", 2.0}, {"beta", 3.0}}), {{a}, {b, true}, {c, true}}};
  auto y = runReference(gemm)[0];
  EXPECT_EQ(y.shape(), (Shape{2, 2, 2}));
  EXPECT_EQ(y.toDoubles(), expectedGemm(a, b, c, false, false, 2, 3, 2, 2, 2, 3));
  EXPECT_EQ(runGeneratedC(gemm)[0], y);
}

TEST(BatchedGemm, TransposedOperandsAndASharedWeightMatrix) {
  // A [2, K=3, M=4] transposed at run time (per batch, in scratch), B [N=5, K=3] shared and transposed.
  const TensorData a = floatPattern({2, 3, 4}, 1), b = floatPattern({5, 3}, 2), c = floatPattern({5}, 3);
  NodeCase gemm{"Gemm", attributes({{"transA", int64_t{1}}, {"transB", int64_t{1}}, {"alpha", 0.5}, {"beta", 2.0}}),
                {{a}, {b, true}, {c, true}}};
  auto y = runReference(gemm)[0];
  EXPECT_EQ(y.shape(), (Shape{2, 4, 5}));
  expectNear(y, floats({2, 4, 5}, expectedGemm(a, b, c, true, true, 0.5, 2, 2, 4, 5, 3)), 1e-9);
  expectNear(runGeneratedC(gemm)[0], y, 1e-5);
}

TEST(BatchedGemm, RuntimeBatchedBAndBatchedC) {
  NodeCase gemm{"Gemm", attributes({{"transB", int64_t{1}}}),
                {{floatPattern({3, 2, 4}, 1)}, {floatPattern({3, 5, 4}, 2)}, {floatPattern({3, 1, 5}, 3), true}}};
  expectNear(runGeneratedC(gemm)[0], runReference(gemm)[0], 1e-5);
}

TEST(BatchedGemm, IncompatibleBatchesAndHigherRanksAreErrors) {
  expectErrorMentioning({"Gemm", {}, {{floatPattern({2, 2, 3})}, {floatPattern({3, 3, 2})}}}, "batch dimensions");
  expectErrorMentioning({"Gemm", {}, {{floatPattern({1, 2, 2, 3})}, {floatPattern({3, 2})}}}, "batches of matrices");
  expectErrorMentioning({"Gemm", {}, {{floatPattern({2, 2, 3})}, {floatPattern({3, 2})}, {floatPattern({3, 2, 2}), true}}},
                        "does not broadcast");
}

TEST(BatchedRQGemm, GeneratedCMatchesReference) {
  Attributes attrs = attributes({{"transB", int64_t{1}}, {"div", int64_t{512}}, {"n_levels", int64_t{256}}, {"signed", int64_t{1}}});
  NodeCase rq{"RQGemm", attrs,
              {{pattern(DType::Int8, {3, 4, 9}, -128, 127)}, {pattern(DType::Int8, {6, 9}, -128, 127, 2), true},
               {pattern(DType::Int32, {6}, 1, 9, 3), true}, {pattern(DType::Int32, {3, 1, 6}, -500, 500, 4), true}}};
  auto y = runReference(rq)[0];
  EXPECT_EQ(y.shape(), (Shape{3, 4, 6}));
  EXPECT_EQ(runGeneratedC(rq)[0], y);
}

TEST(BatchedGemm, TilesReassembleTheWholeNode) {
  expectEveryCutReassemblesWhole({"Gemm", attributes({{"transA", int64_t{1}}}),
                                  {{floatPattern({2, 3, 4}, 1)}, {floatPattern({2, 3, 5}, 2)}, {floatPattern({5}, 3), true}}});
  expectEveryCutReassemblesWhole({"Gemm", {}, {{floatPattern({3, 2, 4}, 1)}, {floatPattern({4, 5}, 2), true}}});
}

}  // namespace
}  // namespace deeploy
