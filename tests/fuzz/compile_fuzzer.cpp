// A whole compile for the host, as `deeploy compile` does it without input values: load, type the inputs
// from their declarations, run the midend, generate C and place it in the host's memory (nothing is run).
#include "frontend/input_binding.h"
#include "frontend/onnx_loader.h"
#include "tests/fuzz/fuzz_input.h"
#include "tools/driver.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  deeploy::fuzz::acceptOrReject([&] {
    deeploy::CompiledModel model;
    model.graph = deeploy::parseOnnxModel(deeploy::fuzz::bytesOf(data, size), "fuzz input");
    deeploy::typeInputsFromDeclarations(model.graph);
    deeploy::compileGraph(model, "fuzz input");
  });
  return 0;
}
