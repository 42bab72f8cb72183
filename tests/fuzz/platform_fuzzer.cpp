// Platform descriptions: any JSON document is a valid platform or rejected, and a valid one gives its
// tiling target or rejects it.
#include <nlohmann/json.hpp>

#include "targets/platform.h"
#include "tests/fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // Text that is not JSON is the JSON library's to reject; its exceptions are not the compiler's.
  const nlohmann::json description = nlohmann::json::parse(data, data + size, nullptr, false);
  if (description.is_discarded()) return 0;
  deeploy::fuzz::acceptOrReject([&] {
    const deeploy::Platform platform = deeploy::parsePlatform(description, "fuzz.json");
    deeploy::tilingTargetOf(platform);
  });
  return 0;
}
