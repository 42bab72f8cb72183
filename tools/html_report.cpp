#include "tools/html_report.h"

#include <algorithm>
#include <cstdio>
#include <numeric>
#include <sstream>

namespace deeploy {

std::string escapeHtml(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

namespace {

// ---- Numbers as the page writes them ----

std::string groupDigits(uint64_t n) {
  std::string digits = std::to_string(n);
  for (int i = static_cast<int>(digits.size()) - 3; i > 0; i -= 3) digits.insert(static_cast<size_t>(i), ",");
  return digits;
}

std::string bytesText(uint64_t n) { return groupDigits(n) + " B"; }

std::string fixed(double value, int digits) {
  char text[64];
  std::snprintf(text, sizeof text, "%.*f", digits, value);
  return text;
}

// Axis labels: "512 B", "1.5 KiB", "2 MiB".
std::string shortBytes(double n) {
  auto scaled = [](double v, const char* unit) { return fixed(v, v == static_cast<double>(static_cast<uint64_t>(v)) ? 0 : 1) + unit; };
  if (n < 1024) return scaled(n, " B");
  if (n < 1024 * 1024) return scaled(n / 1024, " KiB");
  return scaled(n / (1024 * 1024), " MiB");
}

std::string percentOf(uint64_t part, uint64_t whole) {
  return whole ? fixed(100.0 * static_cast<double>(part) / static_cast<double>(whole), 1) + "%" : "-";
}

// Bytes tick at powers of two: the smallest giving at most `maxTicks` ticks over `range`.
double byteTickStep(double range, int maxTicks) {
  double step = 1;
  while (range / step > maxTicks) step *= 2;
  return step;
}

// 1, 2, 5, 10, 20, 50, ...: the smallest such step giving at most `maxTicks` ticks over `range`.
double tickStep(double range, int maxTicks) {
  double step = 1;
  for (int i = 0; range / step > maxTicks; ++i) step *= (i % 3 == 1) ? 2.5 : 2;
  return step;
}

std::string dimsText(const std::vector<int64_t>& dims) {
  std::string s;
  for (int64_t d : dims) s += (s.empty() ? "" : "×") + std::to_string(d);
  return s.empty() ? "-" : s;
}

// A table cell of a node or tensor name: clipped by the style when long (exporters' names run to 80
// characters), then whole in its hover title.
std::string nameCell(const std::string& name) {
  constexpr size_t kMaxUnclipped = 40;
  const std::string escaped = escapeHtml(name);
  const std::string title = name.size() > kMaxUnclipped ? " title=\"" + escaped + "\"" : "";
  return "<td class=\"name\"" + title + ">" + escaped + "</td>";
}

const char* engineName(NodeEngine engine) { return engine == NodeEngine::Npu ? "NPU" : "cores"; }

// ---- The schedule's steps, shared by every chart's x axis ----

// Step 0 copies the inputs in, node n runs at step n + 1, steps after the last node copy the outputs out.
struct StepAxis {
  static constexpr double kLeft = 78, kRight = 24;
  const Graph* graph = nullptr;
  int steps = 1;
  double pxPerStep = 1;

  double x(double step) const { return kLeft + step * pxPerStep; }
  double width() const { return x(steps) + kRight; }
  std::string stepText(int step) const {
    const int nodes = static_cast<int>(graph->nodes.size());
    if (step == 0) return "step 0 (inputs copied in)";
    if (step > nodes) return "step " + std::to_string(step) + " (outputs copied out)";
    const Node& n = graph->nodes[static_cast<size_t>(step - 1)];
    return "step " + std::to_string(step) + " (node " + n.name + ", " + n.op + ")";
  }
  std::string stepsText(int first, int last) const {
    return first == last ? stepText(first) : "from " + stepText(first) + "\nto " + stepText(last);
  }
};

// Wide enough to hover one step of a small network; the 669 nodes of a large one get 1.76 px a step.
StepAxis stepAxisOf(const CompiledModel& model) {
  int steps = static_cast<int>(model.graph.nodes.size()) + 2;
  for (const Allocation& a : model.network.memory.allocations) steps = std::max(steps, a.last + 1);
  return {&model.graph, steps, std::clamp(1180.0 / steps, 1.6, 56.0)};
}

// The x axis below a plot whose bottom is at `y`: ticks at round steps, labelled.
std::string stepTicks(const StepAxis& axis, double y) {
  std::ostringstream s;
  const int every = static_cast<int>(tickStep(axis.steps, 12));
  s << "<line class=\"axis\" x1=\"" << axis.x(0) << "\" y1=\"" << y << "\" x2=\"" << axis.x(axis.steps) << "\" y2=\"" << y
    << "\"/>";
  for (int step = 0; step < axis.steps; step += every) {
    const double x = axis.x(step + 0.5);
    s << "<line class=\"axis\" x1=\"" << x << "\" y1=\"" << y << "\" x2=\"" << x << "\" y2=\"" << y + 4 << "\"/>"
      << "<text class=\"tick\" x=\"" << x << "\" y=\"" << y + 16 << "\" text-anchor=\"middle\">" << step << "</text>";
  }
  s << "<text class=\"label\" x=\"" << axis.x(axis.steps) << "\" y=\"" << y + 30
    << "\" text-anchor=\"end\">schedule step (node n runs at step n + 1)</text>";
  return s.str();
}

std::string svgOpen(const std::string& id, double width, double height, const std::string& label) {
  std::ostringstream s;
  s << "<svg id=\"" << escapeHtml(id) << "\" width=\"" << fixed(width, 0) << "\" height=\"" << fixed(height, 0) << "\" viewBox=\"0 0 "
    << fixed(width, 0) << " " << fixed(height, 0) << "\" role=\"img\" aria-label=\"" << escapeHtml(label) << "\">";
  return s.str();
}

std::string rectText(const char* cssClass, double x, double y, double w, double h, const std::string& title) {
  std::ostringstream s;
  s << "<rect class=\"" << cssClass << "\" x=\"" << fixed(x, 2) << "\" y=\"" << fixed(y, 2) << "\" width=\""
    << fixed(std::max(w, 0.8), 2) << "\" height=\"" << fixed(std::max(h, 0.8), 2) << "\"><title>" << escapeHtml(title)
    << "</title></rect>";
  return s.str();
}

// ---- Memory maps ----

// One buffer of a level drawn over the steps it is live in (fractional steps: tiles within a node).
struct MapRect {
  double firstStep = 0, endStep = 0;
  uint64_t offset = 0, bytes = 0;
  const char* cssClass = "";
  std::string title;
};

// A horizontal mark across the map: a level's capacity or a lower bound.
struct MapLine {
  uint64_t offset = 0;
  std::string label;
  bool capacity = false;  // else a lower bound
};

struct LevelMap {
  std::string level;
  uint64_t capacity = 0;
  uint64_t extent = 0;  // the highest byte drawn
  std::vector<MapRect> rects;
  std::vector<MapLine> lines;
  std::vector<std::pair<const char*, std::string>> legend;  // css class, meaning
};

const char* arenaClass(const CompiledModel& model, size_t buffer) {
  static const char* kPalette[] = {"arena c0", "arena c1", "arena c2", "arena c3", "arena c4", "arena c5"};
  const ActivationMemory& mem = model.network.memory;
  auto holds = [&](const std::vector<TensorId>& ids) {
    return std::any_of(ids.begin(), ids.end(), [&](TensorId id) {
      return mem.bufferOfTensor[static_cast<size_t>(id)] == static_cast<int>(buffer);
    });
  };
  if (holds(model.graph.inputs) || holds(model.graph.outputs)) return "arena io";
  if (mem.bufferLabels[buffer].starts_with("scratch of ")) return "arena scratch";
  return kPalette[buffer % std::size(kPalette)];
}

void addArena(LevelMap& map, const CompiledModel& model, const StepAxis& axis) {
  const ActivationMemory& mem = model.network.memory;
  for (size_t b = 0; b < mem.allocations.size(); ++b) {
    const Allocation& a = mem.allocations[b];
    map.rects.push_back({static_cast<double>(a.first), static_cast<double>(a.last + 1), mem.plan.offsets[b], a.size,
                         arenaClass(model, b),
                         mem.bufferLabels[b] + "\n" + bytesText(a.size) + " at arena offset " + groupDigits(mem.plan.offsets[b]) +
                             "\n" + axis.stepsText(a.first, a.last)});
  }
  map.lines.push_back({mem.lowerBound, "arena lower bound " + shortBytes(static_cast<double>(mem.lowerBound))});
  map.legend.insert(map.legend.end(), {{"arena c0", "activations"}, {"arena io", "network inputs and outputs"},
                                       {"arena scratch", "kernel scratch"}});
}

// Constants and KV caches live through every step; the linker places them, so they are drawn stacked above
// whatever else the level holds, in no modelled order.
void addWholeSchedule(LevelMap& map, const StepAxis& axis, uint64_t& top, uint64_t bytes, const char* cssClass,
                      const std::string& what) {
  if (!bytes) return;
  map.rects.push_back({0, static_cast<double>(axis.steps), top, bytes, cssClass,
                       what + "\n" + bytesText(bytes) + ", live through every step (the linker places them: drawn "
                                                        "stacked, not at a planned offset)"});
  map.legend.emplace_back(cssClass, what);
  top += bytes;
}

const char* tileClass(TileBuffer::Kind kind) {
  switch (kind) {
    case TileBuffer::Kind::Input: return "tile in";
    case TileBuffer::Kind::Output: return "tile out";
    case TileBuffer::Kind::Constant: return "tile const";
    case TileBuffer::Kind::Scratch: return "tile scratch";
  }
  return "tile";
}

// Every tiled node's buffers in its own step, each over the fraction of the node's tiles it is live in.
void addTileBuffers(LevelMap& map, const CompiledModel& model, uint64_t base, size_t lowerBound) {
  for (const NodeTilingReport& r : model.network.tiledNodes) {
    const double step = static_cast<double>(r.nodeIndex + 1), tiles = static_cast<double>(r.tiles);
    for (const TileBuffer& b : r.l1Buffers) {
      map.rects.push_back({step + b.firstTile / tiles, step + (b.lastTile + 1) / tiles, base + b.offset, b.bytes,
                           tileClass(b.kind),
                           "node " + r.node + " (" + r.op + "): " + b.holds + "\n" + bytesText(b.bytes) + " at offset " +
                               groupDigits(b.offset) + "\ntiles " + std::to_string(b.firstTile + 1) + " to " +
                               std::to_string(b.lastTile + 1) + " of " + std::to_string(r.tiles)});
    }
  }
  map.lines.push_back({base + lowerBound, "tile buffers' lower bound " + shortBytes(static_cast<double>(lowerBound))});
  map.legend.insert(map.legend.end(), {{"tile in", "input tiles"}, {"tile out", "output tiles"},
                                       {"tile const", "constant data (weights, tables)"}, {"tile scratch", "kernel scratch"}});
}

LevelMap levelMap(const CompiledModel& model, const LevelUsage& u, const StepAxis& axis) {
  LevelMap map{u.level, u.capacityBytes, 0, {}, {}, {}};
  uint64_t top = 0;
  if (u.holdsArena) {
    addArena(map, model, axis);
    top = u.arenaBytes;
  }
  addWholeSchedule(map, axis, top, u.cacheBytes, "whole cache", "KV caches (persistent, at full context)");
  addWholeSchedule(map, axis, top, u.constantBytes, "whole const", "constants");
  if (u.tileBytes) {
    addTileBuffers(map, model, top, u.tileLowerBound);
    top += u.tileBytes;
  }
  map.extent = top;
  return map;
}

// The y axis spans the level's capacity when what is drawn fills at least half of it, else only what is drawn
// (the capacity is then named in the heading): small buffers must stay visible.
uint64_t yRangeOf(const LevelMap& map) {
  return map.capacity && map.capacity <= 2 * map.extent ? map.capacity : std::max<uint64_t>(map.extent, 1);
}

std::string mapLines(const LevelMap& map, const StepAxis& axis, uint64_t yRange, double top, double height) {
  std::ostringstream s;
  std::vector<MapLine> lines = map.lines;
  if (map.capacity <= yRange) lines.push_back({map.capacity, "capacity " + shortBytes(static_cast<double>(map.capacity)), true});
  for (const MapLine& line : lines) {
    if (line.offset > yRange) continue;
    const double y = top + height - static_cast<double>(line.offset) / static_cast<double>(yRange) * height;
    // Capacity labelled at the right, bounds at the left: the two are often only a few pixels apart.
    s << "<line class=\"" << (line.capacity ? "capacity" : "bound") << "\" x1=\"" << axis.x(0) << "\" y1=\"" << fixed(y, 2)
      << "\" x2=\"" << axis.x(axis.steps) << "\" y2=\"" << fixed(y, 2) << "\"/>"
      << "<text class=\"linelabel\" x=\"" << (line.capacity ? axis.x(axis.steps) - 4 : axis.x(0) + 4) << "\" y=\""
      << fixed(y - 4, 2) << "\" text-anchor=\"" << (line.capacity ? "end" : "start") << "\">" << escapeHtml(line.label)
      << "</text>";
  }
  return s.str();
}

std::string offsetTicks(const StepAxis& axis, uint64_t yRange, double top, double height) {
  std::ostringstream s;
  const double every = byteTickStep(static_cast<double>(yRange), std::max(2, static_cast<int>(height / 45)));
  s << "<line class=\"axis\" x1=\"" << axis.x(0) << "\" y1=\"" << top << "\" x2=\"" << axis.x(0) << "\" y2=\"" << top + height
    << "\"/>";
  for (double offset = 0; offset <= static_cast<double>(yRange); offset += every) {
    const double y = top + height - offset / static_cast<double>(yRange) * height;
    s << "<text class=\"tick\" x=\"" << axis.x(0) - 6 << "\" y=\"" << fixed(y + 4, 2) << "\" text-anchor=\"end\">"
      << shortBytes(offset) << "</text>";
  }
  s << "<text class=\"label\" transform=\"translate(14 " << top + height / 2 << ") rotate(-90)\" text-anchor=\"middle\">offset</text>";
  return s.str();
}

// A level holding only what lives through every step (constants, caches) gets a low map: it has no story over time.
std::string mapSvg(const LevelMap& map, const StepAxis& axis) {
  constexpr double kTop = 16;
  const bool overTime = std::any_of(map.rects.begin(), map.rects.end(),
                                    [&](const MapRect& r) { return r.firstStep > 0 || r.endStep < axis.steps; });
  const double height = overTime ? 300 : 64;
  const uint64_t yRange = yRangeOf(map);
  const double scale = height / static_cast<double>(yRange);
  std::ostringstream s;
  s << svgOpen("map-" + map.level, axis.width(), kTop + height + 40, "memory map of " + map.level)
    << "<rect class=\"plot\" x=\"" << axis.x(0) << "\" y=\"" << kTop << "\" width=\"" << axis.x(axis.steps) - axis.x(0)
    << "\" height=\"" << height << "\"/>";
  for (const MapRect& r : map.rects) {
    const double y = kTop + height - static_cast<double>(r.offset + r.bytes) * scale;
    s << rectText(r.cssClass, axis.x(r.firstStep), y, axis.x(r.endStep) - axis.x(r.firstStep),
                  static_cast<double>(r.bytes) * scale, r.title);
  }
  s << mapLines(map, axis, yRange, kTop, height) << offsetTicks(axis, yRange, kTop, height)
    << stepTicks(axis, kTop + height) << "</svg>";
  return s.str();
}

std::string legendHtml(const std::vector<std::pair<const char*, std::string>>& legend) {
  std::string html = "<p class=\"legend\">";
  for (const auto& [cssClass, meaning] : legend) {
    html += "<span><svg width=\"12\" height=\"12\"><rect class=\"swatch " + std::string(cssClass) +
            "\" width=\"12\" height=\"12\"/></svg> " + escapeHtml(meaning) + "</span>";
  }
  return html + "</p>\n";
}

std::string mapSection(const LevelMap& map, const LevelUsage& u, const StepAxis& axis) {
  std::string html = "<h3>" + escapeHtml(map.level) + ": " + bytesText(u.usedBytes()) + " of " + bytesText(u.capacityBytes) +
                     " (" + percentOf(u.usedBytes(), u.capacityBytes) + ")";
  if (map.capacity > yRangeOf(map)) html += ", the axis spans the contents only";
  html += "</h3>\n" + legendHtml(map.legend);
  return html + "<div class=\"scroll\">" + mapSvg(map, axis) + "</div>\n";
}

// ---- Sections ----

// No placement of what the level holds can use fewer bytes.
uint64_t lowerBoundOf(const LevelUsage& u) {
  return u.constantBytes + u.cacheBytes + (u.holdsArena ? u.arenaLowerBound : 0) + u.tileLowerBound;
}

// Use against capacity, with the lower bound as a tick.
std::string usageBar(const LevelUsage& u) {
  constexpr double kWidth = 180;
  const double capacity = static_cast<double>(std::max<uint64_t>(u.capacityBytes, 1));
  const double used = std::min(1.0, static_cast<double>(u.usedBytes()) / capacity) * kWidth;
  const double bound = std::min(1.0, static_cast<double>(lowerBoundOf(u)) / capacity) * kWidth;
  std::ostringstream s;
  s << "<svg class=\"usage\" width=\"" << kWidth << "\" height=\"14\"><rect class=\"free\" width=\"" << kWidth
    << "\" height=\"14\"/><rect class=\"used\" width=\"" << fixed(used, 1) << "\" height=\"14\"/><line class=\"boundtick\" x1=\""
    << fixed(bound, 1) << "\" x2=\"" << fixed(bound, 1) << "\" y1=\"0\" y2=\"14\"/><title>"
    << bytesText(u.usedBytes()) << " used of " << bytesText(u.capacityBytes) << "; lower bound "
    << bytesText(lowerBoundOf(u)) << "</title></svg>";
  return s.str();
}

std::string levelsTable(const CompiledModel& model) {
  std::string html = "<h2>Memory levels</h2>\n<table><tr><th>level</th><th>capacity</th><th>used</th><th>lower bound</th>"
                     "<th>use (tick: lower bound)</th><th>contents</th></tr>\n";
  for (const LevelUsage& u : model.memoryLevels.levels) {
    html += "<tr><td>" + escapeHtml(u.level) + "</td><td class=\"n\">" + bytesText(u.capacityBytes) + "</td><td class=\"n\">" +
            bytesText(u.usedBytes()) + " (" + percentOf(u.usedBytes(), u.capacityBytes) + ")</td><td class=\"n\">" +
            bytesText(lowerBoundOf(u)) + "</td><td>" + usageBar(u) + "</td><td>" + escapeHtml(describeLevelContents(u)) + "</td></tr>\n";
  }
  return html + "</table>\n";
}

std::string memoryMaps(const CompiledModel& model, const StepAxis& axis) {
  std::string html =
      "<h2>Memory maps over the schedule</h2>\n<p class=\"note\">Each rectangle is a buffer: across, the steps it is live "
      "in; up, its offset and size. Hover a rectangle for what it holds. Tile buffers are drawn in their node's step, "
      "across the share of the node's tiles they are live in.</p>\n";
  for (const LevelUsage& u : model.memoryLevels.levels) {
    LevelMap map = levelMap(model, u, axis);
    if (!map.rects.empty()) html += mapSection(map, u, axis);
  }
  return html;
}

// Long tables of large networks start folded, so that the charts after them stay near the top.
std::string foldable(const std::string& summary, const std::string& table, size_t rows) {
  constexpr size_t kRowsShownOpen = 40;
  return std::string("<details") + (rows <= kRowsShownOpen ? " open" : "") + "><summary>" + summary + "</summary>\n" + table +
         "</details>\n";
}

std::string tilingTable(const CompiledModel& model) {
  const std::vector<NodeTilingReport>& nodes = model.network.tiledNodes;
  if (nodes.empty()) return "";
  const std::string level = escapeHtml(tilingTargetOf(model.platform)->computeLevel);
  std::string table = "<table><tr><th>node</th><th>op</th><th>computes in its tiles</th><th>tile</th><th>tiles</th>"
                      "<th>DMA in</th><th>DMA out</th><th>cycles (model)</th><th>" + level + "</th><th>" + level +
                      " lower bound</th></tr>\n";
  uint64_t in = 0, out = 0;
  int64_t cycles = 0;
  for (const NodeTilingReport& r : nodes) {
    table += "<tr>" + nameCell(r.node) + "<td>" + escapeHtml(r.op) + "</td>" + nameCell(r.follower) + "<td>" +
             dimsText(r.tileSize) + "</td><td class=\"n\">" + groupDigits(r.tiles) + "</td><td class=\"n\">" +
             bytesText(r.dmaInBytes) + "</td><td class=\"n\">" + bytesText(r.dmaOutBytes) + "</td><td class=\"n\">" +
             groupDigits(static_cast<uint64_t>(r.modelledCycles)) + "</td><td class=\"n\">" + bytesText(r.l1Bytes) +
             "</td><td class=\"n\">" + bytesText(r.l1LowerBound) + "</td></tr>\n";
    in += r.dmaInBytes;
    out += r.dmaOutBytes;
    cycles += r.modelledCycles;
  }
  const std::string totals = bytesText(in) + " in, " + bytesText(out) + " out by DMA, " +
                             groupDigits(static_cast<uint64_t>(cycles)) + " modelled cycles";
  table += "<tr class=\"total\"><td>total</td><td></td><td></td><td></td><td></td><td class=\"n\">" + bytesText(in) +
           "</td><td class=\"n\">" + bytesText(out) + "</td><td class=\"n\">" + groupDigits(static_cast<uint64_t>(cycles)) +
           "</td><td class=\"n\">" + bytesText(model.network.l1ArenaBytes) + "</td><td class=\"n\">" +
           bytesText(model.network.l1LowerBound) + "</td></tr>\n</table>\n";
  return "<h2>Tiling</h2>\n<p class=\"note\">Nodes computed tile by tile in " + level +
         " with DMA. Their cycles are the tiling's model of its transfers and tiles, an estimate.</p>\n" +
         foldable(std::to_string(nodes.size()) + " tiled nodes: " + totals, table, nodes.size());
}

size_t nodesOnNpu(const Graph& graph) {
  return static_cast<size_t>(
      std::count_if(graph.nodes.begin(), graph.nodes.end(), [](const Node& n) { return n.engine == NodeEngine::Npu; }));
}

std::string engineSection(const CompiledModel& model) {
  const size_t onNpu = nodesOnNpu(model.graph);
  const std::string cores = " on the cores (" + std::to_string(model.cores) + " core" + (model.cores == 1 ? "" : "s") + ")";
  std::string html = "<h2>Engines</h2>\n<p>";
  html += model.platform.npuEngine() ? std::to_string(model.graph.nodes.size() - onNpu) + " nodes" + cores + ", " +
                                           std::to_string(onNpu) + " on the NPU.</p>\n"
                                     : "All " + std::to_string(model.graph.nodes.size()) + " nodes" + cores +
                                           "; the platform has no NPU.</p>\n";
  if (model.engineDecisions.empty()) return html;
  html += "<p class=\"note\">The nodes the NPU can run, and the engine each got. Both figures are models: the NPU's timing "
          "model and the cores' cost estimate.</p>\n<table><tr><th>node</th><th>NPU cycles (model)</th>"
          "<th>cores cycles (estimate)</th><th>engine</th></tr>\n";
  for (const EngineDecision& d : model.engineDecisions) {
    html += "<tr>" + nameCell(d.node) + "<td class=\"n\">" + groupDigits(d.npuCycles) +
            "</td><td class=\"n\">" + groupDigits(d.coreCycles) + "</td><td>" + engineName(d.engine) +
            "</td></tr>\n";
  }
  return html + "</table>\n";
}

// ---- The profile ----

bool inAnotherJob(const CompiledModel& model, size_t node) {
  return !model.network.computedInJobOf.empty() && model.network.computedInJobOf[node] >= 0;
}

uint64_t busiestCoreOf(const InstructionProfile& profile, size_t node) {
  const auto& harts = profile.perNode[node];
  return harts.empty() ? 0 : *std::max_element(harts.begin(), harts.end());
}

// One bar per node at its step, coloured by engine, with the node, its value and `unit` in the title.
std::string barChart(const std::string& id, const CompiledModel& model, const StepAxis& axis,
                     const std::vector<uint64_t>& values, const std::string& unit) {
  constexpr double kTop = 12, kHeight = 150;
  const double most = static_cast<double>(std::max<uint64_t>(*std::max_element(values.begin(), values.end()), 1));
  std::ostringstream s;
  s << svgOpen(id, axis.width(), kTop + kHeight + 40, unit + " per node") << "<rect class=\"plot\" x=\"" << axis.x(0)
    << "\" y=\"" << kTop << "\" width=\"" << axis.x(axis.steps) - axis.x(0) << "\" height=\"" << kHeight << "\"/>";
  const double barWidth = std::max(axis.pxPerStep * 0.8, 1.0);
  for (size_t n = 0; n < values.size(); ++n) {
    if (!values[n]) continue;
    const Node& node = model.graph.nodes[n];
    const double h = static_cast<double>(values[n]) / most * kHeight;
    s << rectText(node.engine == NodeEngine::Npu ? "bar npu" : "bar cores", axis.x(static_cast<double>(n + 1)), kTop + kHeight - h,
                  barWidth, h, node.name + " (" + node.op + ", on the " + engineName(node.engine) + ")\n" +
                                   groupDigits(values[n]) + " " + unit);
  }
  const double every = tickStep(most, 4);
  for (double v = 0; v <= most; v += every) {
    const double y = kTop + kHeight - v / most * kHeight;
    s << "<text class=\"tick\" x=\"" << axis.x(0) - 6 << "\" y=\"" << fixed(y + 4, 2) << "\" text-anchor=\"end\">"
      << groupDigits(static_cast<uint64_t>(v)) << "</text>";
  }
  s << stepTicks(axis, kTop + kHeight) << "</svg>";
  return "<div class=\"scroll\">" + s.str() + "</div>\n";
}

std::string perCoreText(const std::vector<uint64_t>& counts) {
  std::string text;
  for (uint64_t c : counts) text += (text.empty() ? "" : ", ") + groupDigits(c);
  return text;
}

// Per inference: the measured counts, then the models' figures, each called what it is.
std::string profileTotals(const CompiledModel& model, const InstructionProfile& profile) {
  std::string html = "<ul>\n<li><b>measured</b>: the busiest core executed " + groupDigits(profile.busiestCore()) +
                     " instructions per inference (per core: " + perCoreText(profile.perCore) +
                     "; counted under QEMU, waiting excluded)</li>\n";
  if (!profile.dmaCyclesPerNode.empty()) {
    html += "<li><b>model</b>: the cluster DMA moved " + bytesText(profile.dmaBytes) + " in " + groupDigits(profile.dmaCycles) +
            " modelled cycles (the platform's DMA model)</li>\n";
  }
  if (profile.npuMacs) {
    html += "<li><b>model</b>: the NPU computed " + groupDigits(profile.npuMacs) + " MACs in " +
            groupDigits(profile.npuCycles) + " modelled cycles (the platform's NPU model)</li>\n";
  }
  if (profile.hasCycleEstimate()) {
    html += "<li><b>estimate</b>: " + groupDigits(profile.estimatedCycles()) +
            " cycles (per node the slowest core's instructions plus the stalls of the emulator's CV32E40P timing model, "
            "plus hart 0's modelled sleep for the DMA and the NPU; memory single-cycle)</li>\n";
    if (model.platform.energy) {
      const EnergyModel& e = *model.platform.energy;
      const uint64_t cycles = profile.estimatedCycles();
      html += "<li><b>estimate</b>: " + fixed(e.seconds(cycles) * 1e6, 1) + " µs and " +
              fixed(e.microjoules(cycles, profile.npuMacs), 2) + " µJ per inference at " + escapeHtml(e.figures()) +
              " (the platform's energy model: " + escapeHtml(e.source) + ")</li>\n";
    }
  }
  return html + "</ul>\n";
}

// The nodes with the most instructions, with their share of the busiest core's total.
std::string heaviestNodes(const CompiledModel& model, const std::vector<uint64_t>& instructions) {
  constexpr size_t kShown = 12;
  std::vector<size_t> order(instructions.size());
  std::iota(order.begin(), order.end(), 0);
  // Most first, earlier first among equals.
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return instructions[a] != instructions[b] ? instructions[a] > instructions[b] : a < b;
  });
  order.resize(std::min(kShown, order.size()));
  const uint64_t total = std::accumulate(instructions.begin(), instructions.end(), uint64_t{0});
  std::string html = "<h3>The nodes with the most instructions</h3>\n<table><tr><th>step</th><th>node</th><th>op</th>"
                     "<th>engine</th><th>instructions (busiest core)</th><th>share of all nodes</th></tr>\n";
  for (size_t n : order) {
    const Node& node = model.graph.nodes[n];
    html += "<tr><td class=\"n\">" + std::to_string(n + 1) + "</td>" + nameCell(node.name) + "<td>" +
            escapeHtml(node.op) + "</td><td>" + engineName(node.engine) + "</td><td class=\"n\">" + groupDigits(instructions[n]) +
            "</td><td class=\"n\">" + percentOf(instructions[n], total) + "</td></tr>\n";
  }
  return html + "</table>\n";
}

std::string profileSection(const CompiledModel& model, const InstructionProfile& profile, const StepAxis& axis) {
  std::vector<uint64_t> instructions(model.graph.nodes.size(), 0);
  for (size_t n = 0; n < instructions.size(); ++n) {
    if (!inAnotherJob(model, n)) instructions[n] = busiestCoreOf(profile, n);
  }
  std::string html = "<h2>Profile of the run</h2>\n" + profileTotals(model, profile) +
                     "<h3>Instructions per node, busiest core (measured under QEMU)</h3>\n" +
                     (nodesOnNpu(model.graph) ? legendHtml({{"bar cores", "on the cores"},
                                                            {"bar npu", "on the NPU (the cores program it and wait)"}})
                                              : "") +
                     barChart("instructions", model, axis, instructions, "instructions (busiest core, measured)");
  if (profile.hasCycleEstimate()) {
    std::vector<uint64_t> cycles(model.graph.nodes.size(), 0);
    for (size_t n = 0; n < cycles.size(); ++n) cycles[n] = profile.estimatedCycles(n);
    html += "<h3>Cycles per node (an estimate: instructions plus the timing model's stalls and the modelled waits for "
            "the DMA and the NPU)</h3>\n" +
            barChart("cycles", model, axis, cycles, "cycles (estimate)");
  }
  return html + heaviestNodes(model, instructions);
}

// Every node: its step, engine, tiles and, after a profiled run, its counts; folded, since networks run to
// hundreds of nodes.
std::string nodeTable(const CompiledModel& model, const InstructionProfile* profile) {
  std::vector<const NodeTilingReport*> tilingOf(model.graph.nodes.size(), nullptr);
  for (const NodeTilingReport& r : model.network.tiledNodes) tilingOf[r.nodeIndex] = &r;
  const bool cycles = profile && profile->hasCycleEstimate();
  std::string html = "<details><summary>All " + std::to_string(model.graph.nodes.size()) +
                     " nodes, in schedule order</summary>\n<table><tr><th>step</th><th>node</th><th>op</th><th>engine</th><th>tiles</th>";
  if (profile) html += "<th>instructions (busiest core)</th>";
  if (cycles) html += "<th>cycles (estimate)</th>";
  html += "</tr>\n";
  for (size_t n = 0; n < model.graph.nodes.size(); ++n) {
    const Node& node = model.graph.nodes[n];
    html += "<tr><td class=\"n\">" + std::to_string(n + 1) + "</td>" + nameCell(node.name) + "<td>" +
            escapeHtml(node.op) + "</td><td>" + engineName(node.engine) + "</td><td class=\"n\">" +
            (tilingOf[n] ? groupDigits(tilingOf[n]->tiles) : "-") + "</td>";
    if (profile) {
      html += inAnotherJob(model, n) ? "<td>in the job of step " + std::to_string(model.network.computedInJobOf[n] + 1) + "</td>"
                                     : "<td class=\"n\">" + groupDigits(busiestCoreOf(*profile, n)) + "</td>";
    }
    if (cycles) html += "<td class=\"n\">" + groupDigits(profile->estimatedCycles(n)) + "</td>";
    html += "</tr>\n";
  }
  return html + "</table>\n</details>\n";
}

std::string summary(const CompiledModel& model) {
  const ActivationMemory& mem = model.network.memory;
  return "<p class=\"summary\">Platform <b>" + escapeHtml(model.platform.name) + "</b>, " +
         std::to_string(model.graph.nodes.size()) + " nodes, " + std::to_string(model.cores) + " core" +
         (model.cores == 1 ? "" : "s") + ". Activation arena " + bytesText(mem.plan.arenaSize) + " (lower bound " +
         bytesText(mem.lowerBound) + ", " + std::to_string(mem.allocations.size()) + " buffers); constants " +
         bytesText(model.network.constantBytes) + (model.network.tiledNodes.empty() ? "" : "; tile buffers " +
         bytesText(model.network.l1ArenaBytes)) + ".</p>\n";
}

constexpr const char* kStyle = R"(
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1d2330; margin: 24px 32px; background: #fff; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 28px 0 8px; border-bottom: 1px solid #d5dae3; padding-bottom: 4px; }
h3 { font-size: 15px; margin: 18px 0 6px; }
.note, .legend { color: #4a5262; margin: 4px 0 8px; }
.legend span { margin-right: 16px; white-space: nowrap; }
.legend svg { vertical-align: -1px; }
table { border-collapse: collapse; margin: 6px 0 12px; }
th, td { padding: 3px 10px; border-bottom: 1px solid #e6e9ef; text-align: left; vertical-align: top; }
th { background: #f2f4f8; font-weight: 600; }
td.name { max-width: 30em; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
td.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.total td { font-weight: 600; border-top: 2px solid #c5ccd8; }
.scroll { overflow-x: auto; }
svg text { font: 11px system-ui, sans-serif; fill: #3b4252; }
svg text.label { font-size: 12px; fill: #4a5262; }
svg text.linelabel { font-size: 11px; fill: #2e3440; paint-order: stroke; stroke: #fff; stroke-width: 3px; }
.plot { fill: #f8f9fb; stroke: #d5dae3; }
.axis { stroke: #7b8494; }
.capacity { stroke: #c0392b; stroke-width: 1.5; }
.bound { stroke: #2c3e50; stroke-dasharray: 5 3; }
rect.arena, rect.whole, rect.tile { stroke: #fff; stroke-width: 0.4; }
rect.c0 { fill: #4e79a7; } rect.c1 { fill: #59a14f; } rect.c2 { fill: #76b7b2; }
rect.c3 { fill: #9c755f; } rect.c4 { fill: #b07aa1; } rect.c5 { fill: #6b8fd6; }
rect.io { fill: #f28e2b; } rect.scratch { fill: #bab0ac; }
rect.whole.const { fill: #d4d9e2; } rect.whole.cache { fill: #edc948; }
rect.tile.in { fill: #4e79a7; } rect.tile.out { fill: #e15759; } rect.tile.const { fill: #8cd17d; } rect.tile.scratch { fill: #bab0ac; }
rect:hover { opacity: 0.75; }
rect.bar.cores { fill: #4e79a7; } rect.bar.npu { fill: #f28e2b; }
svg.usage .free { fill: #e6e9ef; } svg.usage .used { fill: #4e79a7; } svg.usage .boundtick { stroke: #1d2330; stroke-width: 2; }
details summary { cursor: pointer; font-weight: 600; margin: 18px 0 6px; }
.key { color: #4a5262; font-size: 13px; }
)";

}  // namespace

std::string htmlReport(const CompiledModel& model, const InstructionProfile* profile) {
  const StepAxis axis = stepAxisOf(model);
  const std::string title = "deeploy report: " + escapeHtml(model.graph.name);
  std::string html = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" + title +
                     "</title>\n<style>" + kStyle + "</style>\n</head>\n<body>\n<h1>" + title + "</h1>\n" + summary(model) +
                     "<p class=\"key\">Figures called measured are counted by the emulator; those called a model or an "
                     "estimate are computed from the platform's models, not measured.</p>\n";
  html += levelsTable(model) + memoryMaps(model, axis);
  if (profile) html += profileSection(model, *profile, axis);
  html += engineSection(model) + tilingTable(model) + nodeTable(model, profile) + "</body>\n</html>\n";
  return html;
}

}  // namespace deeploy
