#include <gtest/gtest.h>

#include "tests/support/tensors.h"
#include "tests/support/tiling_check.h"
#include "tiling/geometry.h"

namespace deeploy {
namespace {

TEST(TilingGeometry, WindowRangesClipAtTheBordersAndReportTheHalo) {
  AxisMap conv{0, 2, -1, 3};  // stride 2, pad 1, kernel 3
  AxisClip clip;
  EXPECT_EQ(operandRange(conv, {0, 2}, 8, &clip), (Range{0, 4}));
  EXPECT_EQ(clip.before, 1);
  EXPECT_EQ(clip.after, 0);
  EXPECT_EQ(operandRange(conv, {3, 4}, 7, &clip), (Range{5, 7}));
  EXPECT_EQ(clip.after, 1);
  EXPECT_EQ(operandRange(AxisMap::whole(), {1, 2}, 8, &clip), (Range{0, 8}));
}

TEST(TilingGeometry, SliceAndInsertRoundTrip) {
  TensorData whole = testing::pattern(DType::Int16, {3, 4, 5}, -1000, 1000);
  Box region{{1, 3}, {0, 4}, {2, 4}};
  TensorData part = sliceRegion(whole, region);
  ASSERT_EQ(part.shape(), (Shape{2, 4, 2}));
  EXPECT_EQ(part.getInt(0), whole.getInt(1 * 20 + 0 * 5 + 2));
  EXPECT_EQ(part.getInt(15), whole.getInt(2 * 20 + 3 * 5 + 3));
  TensorData rebuilt(DType::Int16, whole.shape());
  insertRegion(rebuilt, region, part);
  EXPECT_EQ(rebuilt.getInt(2 * 20 + 3 * 5 + 3), whole.getInt(2 * 20 + 3 * 5 + 3));
  EXPECT_EQ(rebuilt.getInt(0), 0);
}

TEST(TilingGeometry, OperatorsWithoutADeclarationRunWhole) {
  testing::NodeCase c{"Concat", {}, {}};
  c.attrs.set("axis", int64_t{0});
  c.inputs = {{testing::pattern(DType::Int8, {2, 3}, -5, 5)}, {testing::pattern(DType::Int8, {1, 3}, -5, 5)}};
  Graph g = testing::makeSingleNodeGraph(c);
  TilingGeometry geometry = wholeNodeGeometry(g, g.nodes[0]);
  EXPECT_EQ(testing::cutIterationSpace(geometry, {1, 1}).size(), 1u);
}

}  // namespace
}  // namespace deeploy
