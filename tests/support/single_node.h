// Test support: one-node graphs run through the reference interpreter and through generated C.
#pragma once

#include <string>
#include <vector>

#include "ir/error.h"
#include "ir/graph.h"
#include "tests/support/single_node_graph.h"
#include "targets/platform.h"
#include "tools/driver.h"

namespace deeploy::testing {

// Infers types and evaluates with the reference interpreter.
std::vector<TensorData> runReference(const NodeCase& c);
// Compiles to C, builds with the host compiler and runs it.
std::vector<TensorData> runGeneratedC(const NodeCase& c);
// The same, compiled for `platform` (tiled when it computes from its own level); `model` (optional)
// receives the compiled model.
std::vector<TensorData> runGeneratedCOn(const NodeCase& c, const Platform& platform, CompiledModel* model = nullptr);
// Builds a compiled model's C with the host compiler in a temporary folder and runs it on its inputs
// (the jobs of split nodes run one after another).
std::vector<TensorData> runOnHost(const CompiledModel& model);

// The reference interpreter rejects the case with a deeploy::Error naming the node and mentioning `text`.
void expectErrorMentioning(const NodeCase& c, const std::string& text);
// The generated C computes exactly the reference's outputs.
void expectGeneratedCMatchesReference(const NodeCase& c);

}  // namespace deeploy::testing
