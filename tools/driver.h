// The compile flow shared by the CLI commands: load, type, run the midend, generate C.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "codegen/c_codegen.h"
#include "frontend/npz.h"
#include "ir/graph.h"
#include "passes/pipeline.h"

namespace deeploy {

struct CompiledModel {
  Graph graph;
  std::vector<TensorData> inputs;  // typed input values, when an npz was given
  PassLog passLog;
  GeneratedNetwork network;
  double compileSeconds = 0;
};

// Loads `modelPath`, types its inputs from `inputArrays` when given (else from the declarations),
// runs the midend and generates C.
CompiledModel compileModel(const std::string& modelPath, const std::optional<NamedArrays>& inputArrays);
// Runs the midend and generates C for a graph whose inputs are already typed.
void compileGraph(CompiledModel& model, const std::string& description);

// Human-readable memory summary and the same as JSON.
std::string memoryReportText(const CompiledModel& model);
std::string memoryReportJson(const CompiledModel& model);

}  // namespace deeploy
