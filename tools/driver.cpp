#include "tools/driver.h"

#include <chrono>
#include <nlohmann/json.hpp>
#include <sstream>

#include "frontend/input_binding.h"
#include "frontend/onnx_loader.h"

namespace deeploy {

CompiledModel compileModel(const std::string& modelPath, const std::optional<NamedArrays>& inputArrays) {
  auto start = std::chrono::steady_clock::now();
  CompiledModel model;
  model.graph = loadOnnxModel(modelPath);
  if (inputArrays) {
    model.inputs = bindInputs(model.graph, *inputArrays);
  } else {
    typeInputsFromDeclarations(model.graph);
  }
  compileGraph(model, modelPath);
  model.compileSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return model;
}

void compileGraph(CompiledModel& model, const std::string& description) {
  model.passLog = runMidend(model.graph);
  CodegenOptions options;
  options.sourceDescription = description;
  model.network = generateC(model.graph, options);
}

namespace {

nlohmann::json tensorJson(const Tensor& t) {
  return {{"name", t.name}, {"type", std::string(dtypeName(t.dtype))}, {"shape", t.shape}, {"bytes", t.byteSize()}};
}

}  // namespace

std::string memoryReportJson(const CompiledModel& model) {
  const ActivationMemory& mem = model.network.memory;
  nlohmann::json buffers = nlohmann::json::array();
  for (size_t b = 0; b < mem.allocations.size(); ++b) {
    buffers.push_back({{"holds", mem.bufferLabels[b]},
                       {"offset", mem.plan.offsets[b]},
                       {"bytes", mem.allocations[b].size},
                       {"first_step", mem.allocations[b].first},
                       {"last_step", mem.allocations[b].last}});
  }
  nlohmann::json inputs = nlohmann::json::array(), outputs = nlohmann::json::array();
  for (TensorId id : model.graph.inputs) inputs.push_back(tensorJson(model.graph.tensor(id)));
  for (TensorId id : model.graph.outputs) outputs.push_back(tensorJson(model.graph.tensor(id)));
  nlohmann::json report = {{"arena_bytes", mem.plan.arenaSize},
                           {"arena_lower_bound_bytes", mem.lowerBound},
                           {"alignment", mem.alignment},
                           {"constant_bytes", model.network.constantBytes},
                           {"nodes", model.graph.nodes.size()},
                           {"compile_seconds", model.compileSeconds},
                           {"inputs", inputs},
                           {"outputs", outputs},
                           {"buffers", buffers}};
  return report.dump(2) + "\n";
}

std::string memoryReportText(const CompiledModel& model) {
  const ActivationMemory& mem = model.network.memory;
  std::ostringstream s;
  double ratio = mem.lowerBound ? static_cast<double>(mem.plan.arenaSize) / static_cast<double>(mem.lowerBound) : 1.0;
  s << "nodes: " << model.graph.nodes.size() << "\n"
    << "activation arena: " << mem.plan.arenaSize << " B (lower bound " << mem.lowerBound << " B, ratio "
    << ratio << ", " << mem.allocations.size() << " buffers)\n"
    << "constants: " << model.network.constantBytes << " B\n";
  for (const auto& line : model.passLog.lines) s << "pass " << line << "\n";
  return s.str();
}

}  // namespace deeploy
