// What `deeploy generate` and `deeploy score` share: KV-cache steps (a decode step and an optional prefill
// step) compiled for the same persistent caches into one program, the inputs the device loop
// (runtime/generate/generate.c) sets, and that loop built for a target.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "codegen/c_codegen.h"
#include "frontend/npz.h"
#include "targets/run_target.h"
#include "tools/driver.h"

namespace deeploy {

// A step's network file and the example inputs beside it that type it (read once: the compile and the
// reference replay both type the step with them).
struct StepSource {
  std::string onnx;
  std::optional<NamedArrays> typingInputs;
};

// A step given as a file or a folder holding network.onnx.
StepSource loadStepSource(const std::string& path);

// A file of this name in the step's folder, else in its parent (the model's folder).
std::optional<std::filesystem::path> besideStep(const std::filesystem::path& stepDir, const std::string& name);

// Nats per logit unit: generation.json's logit_scale, else 1 for float logits; an error naming `why`
// for integer logits without one.
double logitScale(const std::optional<std::string>& generationJson, bool floatLogits, const std::string& why);

// The position of the graph input of this name among the inputs; an error when there is none.
size_t inputNamed(const Graph& graph, const std::string& name);

// Where a step's token, position and mask inputs are, how many tokens it reads and its logits.
struct StepInterface {
  size_t token, position, mask;
  int64_t rows, vocab;
  bool floatLogits;
};
StepInterface stepInterface(const CompiledModel& model, const std::string& step);

struct StepsProgram {
  int64_t context;  // rows the caches hold
  CompiledModel decode;
  std::optional<CompiledModel> prefill;
  StepInterface decodeInterface;
  std::optional<StepInterface> prefillInterface;
  GeneratedProgram program;
};
// The decode step (reading one token) and the prefill step over caches of `context` rows (default: the
// decode step's cached rows + 1).
StepsProgram compileStepsProgram(const StepSource& decode, const std::optional<StepSource>& prefill,
                                 std::optional<int64_t> context, const Platform& platform, int cores);

// The macros of generate_config.h that describe the steps.
std::string stepMacros(const StepsProgram& steps);

// generate.c with the program and `config` (generate_config.h) in `dir`, built for the target.
TargetProgram buildDeviceLoop(const std::string& dir, const StepsProgram& steps, const std::string& config,
                              const std::string& target, const Platform& platform, int cores);

void printElfSizes(const TargetProgram& program);

}  // namespace deeploy
