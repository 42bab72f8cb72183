// Engine mapping: gives every node the engine that runs it, its cores or its NPU (Node::engine), from a
// cost model: the NPU task's modelled cycles (emulator/NPU.md, with the platform's NPU parameters)
// against the cores' estimate (the platform's CoreCostModel). Code generation reads the decision.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "ops/npu_conv.h"
#include "targets/platform.h"

namespace deeploy {

// One node's choice, for reports.
struct EngineDecision {
  std::string node;  // its name
  NodeEngine engine = NodeEngine::Cores;
  uint64_t npuCycles = 0;    // modelled, when the NPU can run the node
  uint64_t coreCycles = 0;   // estimated, on `cores` cores
};

// The NPU model's cycles for one task (NPU.md, "Timing model"), bandwidths rounded to 1/256 byte per
// cycle as the device's registers hold them.
uint64_t npuTaskCycles(const NpuConvGeometry& geometry, const NpuModel& model, bool weightsInWeightMemory);
// Whether the NPU reads the weights from its weight memory: the platform keeps constants there.
bool npuWeightsInWeightMemory(const Platform& platform);

// Decides every node's engine by the platform's npuPolicy (off: all on the cores; auto: the NPU where its
// modelled cycles are fewer than the cores' estimate; all: every node the NPU can run); nodes the NPU cannot
// run stay on the cores. Then moves each NPU node up to just after the producers of its inputs (NPU nodes
// keep their order), so that the cores compute independent nodes while its task runs. Returns the
// decisions for the nodes the NPU could run. The platform's npuNodes go to the NPU whatever the policy.
// When the NPU reads its weights from the weight memory, nodes whose weights no longer fit there stay on
// the cores (auto). Throws Error for --npu all or npuNodes on a platform without an NPU, for an npuNodes
// name that is no node or a node the NPU cannot run, or naming the first node of all or npuNodes whose
// weights do not fit in the weight memory.
std::vector<EngineDecision> mapEngines(Graph& graph, const Platform& platform, int cores);

}  // namespace deeploy
