// Running external programs (compilers, the built network, emulators) with a time limit.
#pragma once

#include <string>
#include <vector>

namespace deeploy {

struct ProcessResult {
  int exitCode = -1;        // -1 when killed by a signal or the time limit
  bool timedOut = false;
  std::string output;       // stdout and stderr, interleaved
};

ProcessResult runProcess(const std::vector<std::string>& argv, double timeoutSeconds);
std::string joinCommand(const std::vector<std::string>& argv);

}  // namespace deeploy
