// `deeploy score`: the mean negative log-likelihood of token sequences under KV-cache steps compiled for a
// target, each sequence read with its own tokens (teacher forcing) by the device loop
// (runtime/generate/generate.c), to compare a model's variants (float, integer) on the same text.
#pragma once

#include <optional>
#include <string>

#include "tools/driver.h"

namespace deeploy {

struct ScoreCommand {
  std::string model;                   // the decode step (file or folder)
  std::optional<std::string> prefill;  // a prefill step over the same caches
  std::string tokens;                  // .npz: int32 [sequences, length], BOS first, -1 after the end
  std::optional<int> first, last;      // score only the first / last this many sequences
  std::optional<int64_t> context;      // cache capacity (default: the sequences' length)
  std::string target = "host";
  int cores = 1;
  PlatformChoice platform;
};

struct ScoreResult {
  int64_t predicted = 0;              // tokens scored
  double negativeLogLikelihood = 0;  // their sum, nats
  double mean() const { return negativeLogLikelihood / static_cast<double>(predicted); }
};

// Compiles, builds and runs; prints each sequence's mean NLL as it comes.
ScoreResult scoreSequences(const ScoreCommand& cmd);

// scoreSequences, then "mean NLL X nats/token over N tokens".
int runScore(const ScoreCommand& cmd);

}  // namespace deeploy
