// The host target: builds generated C with the machine's C compiler and runs it as a process.
#pragma once

#include <string>
#include <vector>

#include "codegen/c_codegen.h"
#include "ir/graph.h"

namespace deeploy {

// Where the C kernel library's sources live (runtime/ of the source tree, or DEEPLOY_RUNTIME_DIR).
std::string runtimeSourceDir();

// Writes network.h and network.c into `dir`.
void writeNetworkSources(const std::string& dir, const GeneratedSources& network);
// Copies the runtime headers and sources the network uses into `dir`/runtime (a self-contained tree).
void copyRuntimeInto(const std::string& dir);

struct HostBuildOptions {
  std::string compiler = "cc";
  std::vector<std::string> extraFlags;  // e.g. sanitizers
  std::string harness;                  // the C file with main(); empty: runtime/host/harness.c
};

// Compiles `dir`/network.c with the test harness and the kernel library (objects cached across
// builds) into `dir`/network_host and returns its path. Throws Error with the compiler's output.
std::string buildHostProgram(const std::string& dir, const HostBuildOptions& options);

// Runs the program on typed inputs (graph-input order) and returns the outputs (graph-output order).
std::vector<TensorData> runHostProgram(const std::string& executable, const Graph& graph,
                                       const std::vector<TensorData>& inputs, double timeoutSeconds);

}  // namespace deeploy
