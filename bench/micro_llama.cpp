#include "bench/micro_llama.h"

namespace deeploy::bench {

const std::string& microLlamaModelPath() {
  static const std::string path = "/work/shared/deeploy-tests/Models/microLlama/INT8/microLlama32/network.onnx";
  return path;
}

const NamedArrays& microLlamaInputs() {
  static const NamedArrays inputs = readNpz("/work/shared/deeploy-tests/Models/microLlama/INT8/microLlama32/inputs.npz");
  return inputs;
}

Platform platformWithL1(int64_t l1Bytes) {
  if (l1Bytes == 0) return hostPlatform();
  Platform platform = builtinPlatform("siracusa");
  overrideLevelSize(platform, "L1", l1Bytes);
  return platform;
}

const CompiledModel& tiledMicroLlama() {
  static const CompiledModel model = compileModel(microLlamaModelPath(), microLlamaInputs(), platformWithL1(kTiledL1Bytes));
  return model;
}

}  // namespace deeploy::bench
