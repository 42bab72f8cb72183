// The ONNX loader and type inference (with its constant folding) on arbitrary model bytes.
#include "frontend/input_binding.h"
#include "frontend/onnx_loader.h"
#include "passes/type_inference.h"
#include "tests/fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  deeploy::fuzz::acceptOrReject([&] {
    deeploy::Graph graph = deeploy::parseOnnxModel(deeploy::fuzz::bytesOf(data, size), "fuzz input");
    deeploy::typeInputsFromDeclarations(graph);
    deeploy::inferTypes(graph);
  });
  return 0;
}
