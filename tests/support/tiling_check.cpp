#include "tests/support/tiling_check.h"

#include <gtest/gtest.h>

#include "ops/interpreter.h"
#include "passes/pipeline.h"

namespace deeploy::testing {

namespace {

std::vector<Range> cutAxis(int64_t extent, int64_t tile) {
  std::vector<Range> pieces;
  if (tile <= 0 || tile >= extent) return {{0, extent}};
  for (int64_t lo = 0; lo < extent; lo += tile) pieces.push_back({lo, std::min(extent, lo + tile)});
  return pieces;
}

std::string sizesText(const std::vector<int64_t>& sizes) {
  std::string s;
  for (int64_t v : sizes) s += (s.empty() ? "" : "x") + std::to_string(v);
  return s;
}

}  // namespace

std::vector<Box> cutIterationSpace(const TilingGeometry& g, const std::vector<int64_t>& tileSizes) {
  std::vector<std::vector<Range>> axes;
  for (size_t a = 0; a < g.iteration.size(); ++a) {
    const int64_t tile = a < tileSizes.size() && g.splittable[a] ? tileSizes[a] : 0;
    axes.push_back(cutAxis(g.iteration[a], tile));
  }
  std::vector<Box> tiles{Box{}};
  for (const auto& pieces : axes) {
    std::vector<Box> next;
    for (const Box& prefix : tiles) {
      for (const Range& r : pieces) {
        next.push_back(prefix);
        next.back().push_back(r);
      }
    }
    tiles = std::move(next);
  }
  return tiles;
}

void expectTilesReassembleWhole(const NodeCase& c, const std::vector<int64_t>& tileSizes) {
  Graph graph = makeSingleNodeGraph(c);
  runMidend(graph);
  ASSERT_EQ(graph.nodes.size(), 1u) << "the midend turned the " << c.op << " case into several nodes";
  const Node& node = graph.nodes[0];
  const std::vector<TensorData> inputs = runtimeInputs(c);
  const std::vector<TensorData> whole = interpretGraph(graph, inputs);

  std::vector<std::optional<TensorData>> valueOf(graph.tensors.size());
  for (size_t i = 0; i < graph.inputs.size(); ++i) valueOf[static_cast<size_t>(graph.inputs[i])] = inputs[i];
  std::vector<TensorData> stitched;
  for (TensorId out : graph.outputs) stitched.emplace_back(graph.tensor(out).dtype, graph.tensor(out).shape);

  const TilingGeometry geometry = geometryOf(graph, node);
  for (const Box& iter : cutIterationSpace(geometry, tileSizes)) {
    TileInstance tile = instantiateTile(graph, node, geometry, iter);
    Graph sub = tileGraph(graph, node, tile);
    std::vector<TensorData> tileInputs;
    for (size_t i = 0; i < node.inputs.size(); ++i) {
      TensorId id = node.inputs[i];
      if (id == kNoTensor || graph.tensor(id).isConstant()) continue;
      tileInputs.push_back(sliceRegion(*valueOf[static_cast<size_t>(id)], tile.inputRegions[i]));
    }
    std::vector<TensorData> parts = interpretGraph(sub, tileInputs);
    for (size_t o = 0; o < node.outputs.size(); ++o) {
      for (size_t g = 0; g < graph.outputs.size(); ++g) {
        if (graph.outputs[g] == node.outputs[o]) insertRegion(stitched[g], tile.outputRegions[o], parts[o]);
      }
    }
  }
  for (size_t o = 0; o < whole.size(); ++o) {
    EXPECT_TRUE(stitched[o] == whole[o]) << c.op << ": output " << o << " differs when cut into tiles of "
                                         << sizesText(tileSizes);
  }
}

void expectEveryCutReassemblesWhole(const NodeCase& c, bool expectSplittable) {
  Graph graph = makeSingleNodeGraph(c);
  runMidend(graph);
  ASSERT_EQ(graph.nodes.size(), 1u) << "the midend turned the " << c.op << " case into several nodes";
  const TilingGeometry geometry = geometryOf(graph, graph.nodes[0]);
  const size_t rank = geometry.iteration.size();
  bool anySplittable = false;
  std::vector<int64_t> halves(rank, 0);
  for (size_t a = 0; a < rank; ++a) {
    if (!geometry.splittable[a] || geometry.iteration[a] < 2) continue;
    anySplittable = true;
    halves[a] = (geometry.iteration[a] + 1) / 2;
    for (int64_t size : {int64_t{1}, int64_t{2}, geometry.iteration[a] - 1}) {
      std::vector<int64_t> sizes(rank, 0);
      sizes[a] = size;
      expectTilesReassembleWhole(c, sizes);
    }
  }
  expectTilesReassembleWhole(c, halves);
  if (expectSplittable) {
    EXPECT_TRUE(anySplittable) << c.op << ": no axis of the tiling geometry can be split";
  }
}

}  // namespace deeploy::testing
