// The compile flow shared by the CLI commands: load, type, run the midend, generate C.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "codegen/c_codegen.h"
#include "frontend/npz.h"
#include "ir/graph.h"
#include "passes/engine_mapping.h"
#include "passes/kv_cache.h"
#include "passes/pipeline.h"
#include "targets/memory_levels.h"
#include "targets/platform.h"

namespace deeploy {

struct CompiledModel {
  Platform platform = hostPlatform();  // set before compileGraph to compile for another platform
  int cores = 1;                       // set before compileGraph to split nodes among cores
  Graph graph;
  std::vector<TensorData> inputs;  // typed input values, when an npz was given
  PassLog passLog;
  GeneratedNetwork network;
  MemoryLevelPlacement memoryLevels;
  double compileSeconds = 0;
  TilingProgress tilingProgress;  // set before compiling to hear how tile solving goes
  std::optional<KVCacheSignature> kvCache;  // set when compiled as a step over persistent KV caches
  std::vector<EngineDecision> engineDecisions;  // the nodes the NPU could run, and which engine got them
};

// --platform, --l1, --l2, --int8-weights, --int16-weights: the platform to compile for, size overrides
// of its L1 and L2, and whether constant int8 weights are stored widened to int16.
struct PlatformChoice {
  std::string fileOrName;  // empty: the target's platform (targets/run_target.h)
  std::optional<int64_t> l1Bytes;
  std::optional<int64_t> l2Bytes;
  // --int16-weights / --int8-weights: replaces the platform's "int16_weights".
  std::optional<bool> int16Weights;
  // --untiled: the engines compute from the activation level (nothing is tiled, no DMA).
  bool untiled = false;
  // --npu off|auto|all: which nodes the platform's NPU runs; --npu-node: nodes it runs in any case.
  NpuPolicy npu = NpuPolicy::Auto;
  std::vector<std::string> npuNodes;
};

// Loads the chosen platform, or without one the platform `target` implies, and applies the overrides.
// Throws Error on a bad file, name or size.
Platform resolvePlatform(const PlatformChoice& choice, const std::string& target = "host");

// Loads `modelPath` and types its inputs from `inputArrays` when given (their values, converted, go to
// `typedInputs`), else from the declarations.
Graph loadTypedModel(const std::string& modelPath, const std::optional<NamedArrays>& inputArrays,
                     std::vector<TensorData>* typedInputs = nullptr);

// Loads `modelPath`, types its inputs from `inputArrays` when given (else from the declarations),
// runs the midend, generates C and places it in the platform's memory levels.
CompiledModel compileModel(const std::string& modelPath, const std::optional<NamedArrays>& inputArrays,
                           const Platform& platform = hostPlatform(), int cores = 1,
                           const TilingProgress& progress = {});
// Compiles `modelPath`, a decode or prefill step with its KV caches as inputs and outputs
// (passes/kv_cache.h), as a step over persistent caches of `maxRows` rows (without it, the rows the step's
// caches hold once it ran: its cached rows plus its new rows). Inputs are typed from
// `inputArrays` when given (their cache rows do not matter). With `exposeState` the caches stay graph
// inputs and outputs at full capacity (for checks against fixed-length networks).
CompiledModel compileKVCacheModel(const std::string& modelPath, const std::optional<NamedArrays>& inputArrays,
                                  std::optional<int64_t> maxRows, bool exposeState, const Platform& platform = hostPlatform(),
                                  int cores = 1, const TilingProgress& progress = {});
// The fixed-length network of a KV-cache step at `cachedRows` cached rows, from the typed model
// (loadTypedModel) through the midend: the reference a lowered step is checked against.
Graph fixedLengthGraph(const Graph& typed, const KVCacheSignature& signature, int64_t cachedRows);

// The inputs of the lowered step for the inputs of the fixed-length network (graph-input order): caches
// and masks padded to the capacity, cache_length appended. And the fixed-length outputs from the step's.
std::vector<TensorData> kvStepInputs(const CompiledModel& model, const std::vector<TensorData>& fixedInputs);
std::vector<TensorData> fixedLengthOutputs(const CompiledModel& model, const std::vector<TensorData>& stepOutputs);

// Runs the midend, generates C and places it in model.platform's memory levels for a graph whose
// inputs are already typed. Throws Error when a level cannot hold what is placed in it.
void compileGraph(CompiledModel& model, const std::string& description);

// How the generated files name their model: by the ONNX graph's own name, never its path, so the same
// model gives the same C wherever it lies.
std::string graphDescription(const Graph& graph);

// How model's platform and cores shape its C (the file banner names `description`).
CodegenOptions codegenOptionsFor(const CompiledModel& model, const std::string& description);

// Human-readable memory summary (with per-level usage) and the same as JSON.
std::string memoryReportText(const CompiledModel& model);
std::string memoryReportJson(const CompiledModel& model);

}  // namespace deeploy
