// The HTML report: one rectangle per buffer of every map, names escaped, the profile only after a profiled
// run, and nothing of where the model came from.
#include "tools/html_report.h"

#include <gtest/gtest.h>

#include "tests/support/graph_builder.h"
#include "tests/support/tensors.h"

namespace deeploy {
namespace {

using testing::pattern;

size_t occurrences(const std::string& text, const std::string& part) {
  size_t count = 0;
  for (size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++count;
  return count;
}

// An int8 MatMul named with markup characters, then a Transpose of its output, tiled for Siracusa into an
// L1 small enough to cut the MatMul into several tiles.
CompiledModel tiledModel(const std::string& matMulName, const std::string& description) {
  testing::GraphBuilder b;
  TensorId x = b.input("x", pattern(DType::Int8, {32, 64}, -128, 127, 1));
  TensorId w = b.constant("w", pattern(DType::Int8, {64, 32}, -128, 127, 2));
  TensorId product = b.node("MatMul", {x, w});
  b.output(b.node("Transpose", {product}));
  b.graph.nodes[0].name = matMulName;
  CompiledModel model;
  model.platform = builtinPlatform("siracusa");
  overrideLevelSize(model.platform, "L1", 4000);
  model.graph = b.graph;
  model.inputs = b.values;
  compileGraph(model, description);
  return model;
}

TEST(HtmlReport, EscapesTheCharactersMarkupGivesAMeaning) {
  EXPECT_EQ(escapeHtml("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&#39;");
  EXPECT_EQ(escapeHtml("plain"), "plain");
}

TEST(HtmlReport, DrawsOneRectanglePerArenaBufferAndPerTileBuffer) {
  const CompiledModel model = tiledModel("matmul", "unit test");
  const std::string html = htmlReport(model);
  ASSERT_GE(model.network.memory.allocations.size(), 2u);
  EXPECT_EQ(occurrences(html, "<rect class=\"arena "), model.network.memory.allocations.size());
  size_t tileBuffers = 0;
  for (const NodeTilingReport& r : model.network.tiledNodes) tileBuffers += r.l1Buffers.size();
  ASSERT_GT(model.network.tiledNodes.at(0).tiles, 1u);
  EXPECT_GT(tileBuffers, 2u);
  EXPECT_EQ(occurrences(html, "<rect class=\"tile "), tileBuffers);
  EXPECT_EQ(occurrences(html, "<svg id=\"map-L2\""), 1u);
  EXPECT_EQ(occurrences(html, "<svg id=\"map-L1\""), 1u);
  EXPECT_EQ(occurrences(html, "<script"), 0u);
}

TEST(HtmlReport, EscapesNodeNamesEverywhere) {
  const std::string html = htmlReport(tiledModel("mm<&>\"1", "unit test"));
  EXPECT_EQ(html.find("mm<&>"), std::string::npos);
  // In the tiling table, the node table and the hover titles of the tile buffers and of the steps.
  EXPECT_GE(occurrences(html, "mm&lt;&amp;&gt;&quot;1"), 4u);
}

TEST(HtmlReport, NamesNeitherTheModelsPathNorItsCompileTime) {
  CompiledModel model = tiledModel("matmul", "/home/someone/models/secret_name.onnx");
  model.compileSeconds = 12.345;
  const std::string html = htmlReport(model);
  EXPECT_EQ(html.find("secret_name"), std::string::npos);
  EXPECT_EQ(html.find("12.345"), std::string::npos);
  EXPECT_EQ(html, htmlReport(tiledModel("matmul", "elsewhere/other.onnx")));
}

TEST(HtmlReport, ChartsAProfileOnlyWhenOneRan) {
  const CompiledModel model = tiledModel("matmul", "unit test");
  EXPECT_EQ(htmlReport(model).find("Profile of the run"), std::string::npos);
  InstructionProfile profile;
  profile.perNode = {{123456, 7}, {2000, 1000}};
  profile.perCore = {125456, 1007};
  const std::string html = htmlReport(model, &profile);
  EXPECT_NE(html.find("Profile of the run"), std::string::npos);
  EXPECT_EQ(occurrences(html, "<svg id=\"instructions\""), 1u);
  EXPECT_EQ(occurrences(html, "<rect class=\"bar cores\""), 2u);
  EXPECT_NE(html.find("123,456 instructions (busiest core, measured)"), std::string::npos);
  EXPECT_NE(html.find("the busiest core executed 125,456 instructions"), std::string::npos);
  // No stall counts: no cycle estimate, which is never passed off as a count.
  EXPECT_EQ(html.find("<svg id=\"cycles\""), std::string::npos);
}

}  // namespace
}  // namespace deeploy
