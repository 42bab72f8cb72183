// Emits C99 for a type-inferred, scheduled graph: network.h (the API) and network.c (constants,
// one static arena, and a run function calling runtime kernels).
#pragma once

#include <functional>
#include <optional>
#include <set>
#include <string>

#include "ir/graph.h"
#include "memory/activation_memory.h"
#include "ops/kernel_choices.h"
#include "tiling/tiling_target.h"

namespace deeploy {

// Told before each node's tiles are solved: how many nodes are done, of how many, and which is next.
using TilingProgress = std::function<void(size_t done, size_t total, const Node& next)>;

struct CodegenOptions {
  std::string prefix = "network";  // names the API: network_init, network_run, ...
  std::string sourceDescription;   // put in the file banner (never a path: the C must not depend on where the model is)
  size_t alignment = 8;
  // Set: every node computes tile by tile in the compute level, its operands moved there by DMA.
  std::optional<TilingTarget> tiling;
  // More than one: untiled nodes split their work among this many cores (fork/join jobs).
  int cores = 1;
  KernelChoices kernels;
  // Levels of the platform holding the constants and the activation arena (and KV caches): every such
  // array is tagged with its level's section (levelSection), which bare-metal builds that map the
  // levels to addresses place by linker script. Empty: untagged.
  std::string weightLevel;
  std::string activationLevel;
  // Nodes the engine mapping gave the NPU read their weights from its weight memory (CONF0).
  bool npuWeightsInWeightMemory = false;
  TilingProgress tilingProgress;  // may be empty
};

// " DP_IN_LEVEL(\".dp_level.<level>.const\")" (constants) or ".bss" (zero-initialized buffers) after
// an array's declarator; empty when `level` is. network.c defines DP_IN_LEVEL as a section attribute
// when built with DP_LEVEL_SECTIONS, as nothing otherwise.
std::string levelSection(const std::string& level, bool constant);

// The C files of a program.
struct GeneratedSources {
  std::string header;                   // network.h
  std::string source;                   // network.c
  std::set<std::string> kernelHeaders;  // runtime headers the source includes
};

struct GeneratedNetwork : GeneratedSources {
  ActivationMemory memory;
  size_t constantBytes = 0;
  std::vector<NodeTilingReport> tiledNodes;  // when tiling: per tiled node
  size_t l1ArenaBytes = 0;                   // when tiling: the compute-level arena (nodes take turns in it)
  size_t l1LowerBound = 0;                   // the largest per-node lower bound
  // Per node: the node whose fork/join job also computes it (the profile counts it there), or -1.
  std::vector<int> computedInJobOf;
};

// The activation arena of one step as code generation plans it: with tiling, the inputs of nodes that may
// compute the next node in their tiles are held through its step; without, those of NPU nodes (their tasks
// run beside the next nodes).
ActivationMemory planStepMemory(const Graph& graph, const CodegenOptions& options);

// Decides, when options.tiling is set, the tiles of every node computed in tiles (Node::tiling: the tile
// sizes and whether the next node shares them) over the arena `memory` (planStepMemory's) and marks the
// graph decided; code generation then only reads them. Throws Error (TilingDoesNotFit) naming the node no
// tiling fits and the compute level every node fits.
void decideTiling(Graph& graph, const ActivationMemory& memory, const CodegenOptions& options);

// `memory`: the graph's planStepMemory when the caller has it (else planned here). Graphs whose tiling was
// not decided (Graph::tilingDecided) are decided on a copy first.
GeneratedNetwork generateC(const Graph& graph, const CodegenOptions& options, const ActivationMemory* memory = nullptr);

// One step of a program of several: its API is named <prefix>_<name>_run, <PREFIX>_<NAME>_NUM_INPUTS, ...
struct ProgramStep {
  std::string name;
  const Graph* graph = nullptr;
  const ActivationMemory* memory = nullptr;  // its planStepMemory when already planned
};

// Several steps over the same KV caches (decode and prefill) in one network.h / network.c: constants,
// caches, kernel definitions and the activation arena (sized for the largest step) are shared;
// <prefix>_init prepares them all. `steps` holds each step's plan and reports (their sources empty).
struct GeneratedProgram : GeneratedSources {
  size_t constantBytes = 0;
  size_t arenaBytes = 0;
  std::vector<GeneratedNetwork> steps;
};

// Throws Error when steps disagree on their caches (names, types and shapes must match).
GeneratedProgram generateProgram(const std::vector<ProgramStep>& steps, const CodegenOptions& options);

}  // namespace deeploy
