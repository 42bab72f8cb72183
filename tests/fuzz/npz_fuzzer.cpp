// The npz reader, and the npy parser on the same bytes. Every array read must write and read back with
// its shape.
#include "frontend/npz.h"
#include "tests/fuzz/fuzz_input.h"

namespace {

void requireRoundTrip(const deeploy::TensorData& array) {
  if (deeploy::parseNpy(deeploy::serializeNpy(array), "round trip").shape() != array.shape()) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string bytes = deeploy::fuzz::bytesOf(data, size);
  deeploy::fuzz::acceptOrReject([&] {
    for (const auto& [name, array] : deeploy::parseNpz(bytes, "fuzz.npz")) requireRoundTrip(array);
  });
  deeploy::fuzz::acceptOrReject([&] { requireRoundTrip(deeploy::parseNpy(bytes, "fuzz.npy")); });
  return 0;
}
