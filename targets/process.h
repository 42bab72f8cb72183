// Running external programs (compilers, the built network, emulators) with a time limit.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace deeploy {

struct ProcessResult {
  int exitCode = -1;        // -1 when killed by a signal or the time limit
  bool timedOut = false;
  std::string output;       // stdout and stderr, interleaved
};

// `onLine`, when given, sees each complete output line as the program prints it.
ProcessResult runProcess(const std::vector<std::string>& argv, double timeoutSeconds,
                         const std::function<void(const std::string&)>& onLine = nullptr);
std::string joinCommand(const std::vector<std::string>& argv);

}  // namespace deeploy
