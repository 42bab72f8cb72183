// What the fuzz targets share: the input as bytes, and the one outcome a bad input may have besides
// success, a deeploy::Error. Anything else (a crash, a sanitizer report, another exception escaping
// LLVMFuzzerTestOneInput) is a bug libFuzzer reports.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "ir/error.h"

namespace deeploy::fuzz {

inline std::string bytesOf(const uint8_t* data, size_t size) { return std::string(reinterpret_cast<const char*>(data), size); }

// Runs `use`; a deeploy::Error is the input rejected with a message, which is what bad input must get.
template <typename Use>
void acceptOrReject(Use&& use) {
  try {
    use();
  } catch (const Error&) {
  }
}

}  // namespace deeploy::fuzz
