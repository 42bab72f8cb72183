// Reading and writing NumPy .npy arrays and .npz archives (zip, stored or deflated members).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "ir/tensor_data.h"

namespace deeploy {

// Arrays in archive order, keyed by member name without the ".npy" suffix.
using NamedArrays = std::vector<std::pair<std::string, TensorData>>;

// Throws deeploy::Error naming the file and the problem (not a zip, truncated, corrupt, unsupported
// dtype such as float16, object or complex arrays, a member that is not .npy). Big-endian and
// Fortran-order arrays are converted to native byte order and row-major layout.
NamedArrays readNpz(const std::string& path);
// The same for an archive's bytes; `origin` names them in error messages.
NamedArrays parseNpz(const std::string& archive, const std::string& origin);
// Writes a zip archive with deflated members. Bool, all integer types, float32 and float64 are
// written as such; bfloat16 is written as float32 (NumPy has no bfloat16).
void writeNpz(const std::string& path, const NamedArrays& arrays);

// Single .npy payloads (the member format), exposed for tests.
TensorData parseNpy(const std::string& bytes, const std::string& context);
std::string serializeNpy(const TensorData& array);

}  // namespace deeploy
