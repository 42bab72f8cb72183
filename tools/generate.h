// `deeploy generate`: text from a KV-cache decode step (and optionally a prefill step) compiled for
// persistent caches into one program, generated on the host or on the emulated RV32 cluster by an
// on-device loop (runtime/generate/generate.c).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "tools/driver.h"

namespace deeploy {

struct GenerateCommand {
  std::string model;                    // the decode step's ONNX file, or a folder holding network.onnx
  std::optional<std::string> prefill;   // the prefill step's, read the prompt with it
  std::string prompt;
  int tokens = 40;
  std::string target = "host";
  int cores = 1;
  uint32_t seed = 1;
  std::optional<double> temperature;  // none: the largest logit
  std::optional<int64_t> context;     // cache capacity in tokens (default: the decode step's cached rows + 1)
  std::optional<std::string> tokenizer;
  bool ignoreEnd = false;       // go on past the end-of-text token
  bool checkReference = false;  // also generate with the reference interpreter and compare the tokens
  PlatformChoice platform;
};

int runGenerate(const GenerateCommand& cmd);

}  // namespace deeploy
