#include "passes/pad_folding.h"

#include <algorithm>

#include "ops/data_movement.h"
#include "ops/op_schema.h"
#include "passes/sole_reader.h"

namespace deeploy {

namespace {

// The Pad's amounts on the spatial axes (from axis 2 on) when it is a float32 zero fill with
// non-negative pads that leave N and C alone.
std::optional<PadAmounts> spatialZeroPads(const Graph& graph, const Node& pad) {
  if (graph.tensor(pad.inputs[0]).dtype != DType::Float32) return std::nullopt;
  auto amounts = zeroFillPadAmounts(graph, pad);
  if (!amounts || amounts->begin.size() < 3) return std::nullopt;
  for (size_t d = 0; d < amounts->begin.size(); ++d) {
    const int64_t begin = amounts->begin[d], end = amounts->end[d];
    if (begin < 0 || end < 0 || (d < 2 && (begin != 0 || end != 0))) return std::nullopt;
  }
  amounts->begin.erase(amounts->begin.begin(), amounts->begin.begin() + 2);
  amounts->end.erase(amounts->end.begin(), amounts->end.begin() + 2);
  return amounts;
}

// Whether the window operator's own padding equals zeros added to its input: Conv sums products with
// them; AveragePool counts them when count_include_pad is set and, without ceil_mode, no window reaches
// past its padding (where the count would shrink). MaxPool pads with -inf, not 0.
bool padsLikeZeros(const Node& reader) {
  if (reader.attrs.getString("auto_pad", "NOTSET") != "NOTSET") return false;
  if (reader.op == "Conv") return true;
  return reader.op == "AveragePool" && reader.attrs.getInt("count_include_pad", 0) != 0 && reader.attrs.getInt("ceil_mode", 0) == 0;
}

void addPads(Node& reader, const PadAmounts& spatial) {
  const size_t rank = spatial.begin.size();
  std::vector<int64_t> pads = reader.attrs.getInts("pads", std::vector<int64_t>(2 * rank, 0));
  for (size_t d = 0; d < rank; ++d) {
    pads[d] += spatial.begin[d];
    pads[rank + d] += spatial.end[d];
  }
  reader.attrs.set("pads", pads);
}

}  // namespace

int foldPadIntoWindows(Graph& graph) {
  auto consumers = graph.consumers();
  std::vector<bool> remove(graph.nodes.size(), false);
  int folded = 0;
  for (size_t n = 0; n < graph.nodes.size(); ++n) {
    const Node& pad = graph.nodes[n];
    if (pad.op != "Pad" || pad.outputs.size() != 1 || pad.inputs.empty()) continue;
    const int reader = soleReader(graph, consumers, pad.outputs[0]);
    if (reader < 0) continue;
    Node& window = graph.nodes[static_cast<size_t>(reader)];
    if (window.inputs[0] != pad.outputs[0] || !padsLikeZeros(window)) continue;
    const auto spatial = spatialZeroPads(graph, pad);
    const size_t windowRank = graph.tensor(window.inputs[0]).shape.size() - 2;
    if (!spatial || window.attrs.getInts("pads", std::vector<int64_t>(2 * windowRank, 0)).size() != 2 * windowRank) continue;
    addPads(window, *spatial);
    window.inputs[0] = pad.inputs[0];
    InferContext ctx(graph, window);
    OpRegistry::instance().get(window).infer(ctx);
    remove[n] = true;
    ++folded;
  }
  graph.removeNodes(remove);
  return folded;
}

}  // namespace deeploy
