#include "tools/step_program.h"

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

#include "ir/error.h"
#include "targets/host_target.h"
#include "targets/rv32_target.h"
#include "tools/progress.h"

namespace fs = std::filesystem;

namespace deeploy {

StepSource loadStepSource(const std::string& path) {
  fs::path model(path);
  StepSource step{fs::is_directory(model) ? (model / "network.onnx").string() : model.string(), std::nullopt};
  if (!fs::exists(step.onnx)) throw Error("no step network at '" + step.onnx + "'");
  fs::path inputs = fs::path(step.onnx).parent_path() / "inputs.npz";
  if (fs::exists(inputs)) step.typingInputs = readNpz(inputs.string());
  return step;
}

std::optional<fs::path> besideStep(const fs::path& stepDir, const std::string& name) {
  for (const fs::path& folder : {stepDir, stepDir.parent_path()}) {
    if (fs::exists(folder / name)) return folder / name;
  }
  return std::nullopt;
}

double logitScale(const std::optional<std::string>& generationJson, bool floatLogits, const std::string& why) {
  if (generationJson) {
    std::ifstream f(*generationJson);
    const nlohmann::json settings = nlohmann::json::parse(f, nullptr, false);
    if (settings.is_discarded()) throw Error("'" + *generationJson + "' is not JSON");
    if (settings.contains("logit_scale")) return settings.at("logit_scale").get<double>();
  }
  if (floatLogits) return 1.0;
  throw Error(why + " needs the size of an integer logit in nats: no generation.json with a logit_scale beside the step");
}

namespace {

std::string inputMacros(const std::string& step, const StepInterface& i) {
  return "#define DP_GEN_" + step + "_TOKEN_INPUT " + std::to_string(i.token) + "\n#define DP_GEN_" + step +
         "_POSITION_INPUT " + std::to_string(i.position) + "\n#define DP_GEN_" + step + "_MASK_INPUT " +
         std::to_string(i.mask) + "\n";
}

CompiledModel compileStep(const StepSource& step, std::optional<int64_t> context, const Platform& platform, int cores) {
  return compileKVCacheModel(step.onnx, step.typingInputs, context, false, platform, cores, tilingProgressOnStderr());
}

}  // namespace

size_t inputNamed(const Graph& graph, const std::string& name) {
  for (size_t i = 0; i < graph.inputs.size(); ++i) {
    if (graph.tensor(graph.inputs[i]).name == name) return i;
  }
  throw Error("deeploy generate and score need a step network with inputs 'token', 'position' and 'mask' (as "
              "models/fortunes/export.py writes); this one has no '" + name + "'");
}

StepInterface stepInterface(const CompiledModel& model, const std::string& step) {
  const Graph& g = model.graph;
  if (g.outputs.size() != 1) throw Error("the " + step + " step must return only its logits besides the caches");
  const Tensor& logits = g.tensor(g.outputs[0]);
  if (logits.dtype != DType::Int32 && logits.dtype != DType::Float32) {
    throw Error("the " + step + " step's logits must be int32 or float32");
  }
  StepInterface i{inputNamed(g, "token"), inputNamed(g, "position"), inputNamed(g, "mask"), model.kvCache->newRows,
                  logits.shape.back(), logits.dtype == DType::Float32};
  if (logits.elementCount() != i.rows * i.vocab) {
    throw Error("the " + step + " step reads " + std::to_string(i.rows) + " tokens but its logits are " +
                shapeToString(logits.shape));
  }
  return i;
}

StepsProgram compileStepsProgram(const StepSource& decode, const std::optional<StepSource>& prefill,
                                 std::optional<int64_t> context, const Platform& platform, int cores) {
  CompiledModel decodeModel = compileStep(decode, context, platform, cores);
  const int64_t rows = decodeModel.graph.kvCache->maxRows;
  const StepInterface decodeInterface = stepInterface(decodeModel, "decode");
  if (decodeInterface.rows != 1) {
    throw Error("the decode step must read one token; this one reads " + std::to_string(decodeInterface.rows));
  }
  StepsProgram p{rows, std::move(decodeModel), std::nullopt, decodeInterface, std::nullopt, {}};
  std::vector<ProgramStep> steps = {{"decode", &p.decode.graph}};
  if (prefill) {
    p.prefill = compileStep(*prefill, rows, platform, cores);
    p.prefillInterface = stepInterface(*p.prefill, "prefill");
    if (p.prefillInterface->vocab != decodeInterface.vocab || p.prefillInterface->floatLogits != decodeInterface.floatLogits) {
      throw Error("the prefill and decode steps have different logits (vocabulary or type)");
    }
    steps.push_back({"prefill", &p.prefill->graph});
  }
  p.program = generateProgram(steps, codegenOptionsFor(p.decode, graphDescription(p.decode.graph)));
  return p;
}

std::string stepMacros(const StepsProgram& steps) {
  const StepInterface& decode = steps.decodeInterface;
  return "#define DP_GEN_VOCAB " + std::to_string(decode.vocab) + "\n#define DP_GEN_FLOAT_LOGITS " +
         std::to_string(decode.floatLogits ? 1 : 0) + "\n" + inputMacros("DECODE", decode) +
         (steps.prefillInterface ? inputMacros("PREFILL", *steps.prefillInterface) : std::string());
}

TargetProgram buildDeviceLoop(const std::string& dir, const StepsProgram& steps, const std::string& config,
                              const std::string& target, const Platform& platform, int cores) {
  writeNetworkSources(dir, steps.program);
  std::ofstream(fs::path(dir) / "generate_config.h") << config;
  const std::string loop = (fs::path(runtimeSourceDir()) / "generate" / "generate.c").string();
  return buildProgramWithHarness(target, dir, platform, loop, cores, needsFloatUnit(steps.decode.graph));
}

void printElfSizes(const TargetProgram& program) {
  const ElfSizes sizes = elfSizesOf(program);
  std::printf("program (ELF): text %llu B (code and constants), data %llu B, bss %llu B (arena, KV caches, stacks)\n",
              static_cast<unsigned long long>(sizes.text), static_cast<unsigned long long>(sizes.data),
              static_cast<unsigned long long>(sizes.bss));
}

}  // namespace deeploy
