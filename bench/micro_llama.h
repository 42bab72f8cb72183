// The microLlama32 network of Deeploy's test suite, which the benchmarks compile, tile and plan.
#pragma once

#include <cstdint>

#include "tools/driver.h"

namespace deeploy::bench {

// Its network.onnx and inputs.npz (read once).
const std::string& microLlamaModelPath();
const NamedArrays& microLlamaInputs();

// Siracusa with its L1 replaced by `l1Bytes`; the host platform (nothing tiled) for 0.
Platform platformWithL1(int64_t l1Bytes);

// microLlama32 compiled once for Siracusa with a 10000 B L1.
constexpr int64_t kTiledL1Bytes = 10000;
const CompiledModel& tiledMicroLlama();

}  // namespace deeploy::bench
