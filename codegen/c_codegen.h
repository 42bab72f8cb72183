// Emits C99 for a type-inferred, scheduled graph: network.h (the API) and network.c (constants,
// one static arena, and a run function calling runtime kernels).
#pragma once

#include <set>
#include <string>

#include "ir/graph.h"
#include "memory/activation_memory.h"

namespace deeploy {

struct CodegenOptions {
  std::string prefix = "network";  // names the API: network_init, network_run, ...
  std::string sourceDescription;   // put in the file banner (the model path)
  size_t alignment = 8;
};

struct GeneratedNetwork {
  std::string header;             // network.h
  std::string source;             // network.c
  std::set<std::string> kernelHeaders;  // runtime headers the source includes
  ActivationMemory memory;
  size_t constantBytes = 0;
};

GeneratedNetwork generateC(const Graph& graph, const CodegenOptions& options);

}  // namespace deeploy
