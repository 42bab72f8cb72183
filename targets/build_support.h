// What building and running a generated program needs on every target: cached kernel objects and the
// raw input and output files the test harnesses exchange.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ir/graph.h"

namespace deeploy {

std::string readFile(const std::string& path);
// "0x" and the hexadecimal digits of `value`, as linker scripts and generated C write addresses.
std::string hexNumber(uint64_t value);
void writeFile(const std::string& path, const std::string& content);

// Compiles one kernel source with `compiler` and `flags` unless an object for the same source text,
// compiler and flags is cached (per target, beside the deeploy executable). Returns the object's path.
std::string cachedObject(const std::string& source, const std::string& compiler, const std::vector<std::string>& flags,
                         const std::string& targetName);

// Writes inputs as dir/input_<i>.bin and returns the paths.
std::vector<std::string> writeInputFiles(const std::string& dir, const std::vector<TensorData>& inputs);
std::string outputFile(const std::string& dir, size_t index);
// Reads dir/output_<i>.bin for every graph output, checking each byte count.
std::vector<TensorData> readOutputFiles(const std::string& dir, const Graph& graph);

}  // namespace deeploy
