// The deeploy command-line commands.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "tools/driver.h"

namespace deeploy {

enum class Engine { C, Reference };

struct CompileCommand {
  std::string model;
  std::string outputDir;
  std::string target = "host";
  PlatformChoice platform;
  std::optional<std::string> inputsNpz;
  // .html: the HTML page (tools/html_report.h), the JSON and text reports in outputDir; else the JSON report
  // here and the text table beside it (.txt).
  std::optional<std::string> reportPath;
  int cores = 1;  // cores the generated code splits nodes among
  std::optional<int64_t> context;         // compile as a step over persistent KV caches of this many rows
};

struct RunCommand {
  std::string model;
  std::string inputsNpz;
  std::optional<std::string> outputsNpz;
  std::string target = "host";
  PlatformChoice platform;
  Engine engine = Engine::C;
  std::optional<std::string> keepDir;
  bool profile = false;  // rv32: print retired instructions per node and per inference
  // .html: the HTML page (with the profile when there is one); else the JSON report and the text table beside it.
  std::optional<std::string> reportPath;
  int cores = 1;         // rv32: harts of the cluster
};

struct TestCommand {
  std::vector<std::string> paths;
  std::vector<std::string> excludes;
  std::string target = "host";
  PlatformChoice platform;
  Engine engine = Engine::C;
  int jobs = 0;  // 0: one per core
  bool sanitize = false;
  bool allowInfeasible = false;
  int cores = 1;  // rv32: harts of the cluster
  std::optional<double> maxPlanRatio;  // fail a network whose memory plan exceeds this x its lower bound
  // Compile each network as a step over persistent KV caches of this many rows and run it at the
  // test's own cache length (the inputs' caches preloaded, the outputs' caches read back).
  std::optional<int64_t> context;
  double relativeTolerance = 0;  // floats also pass within this fraction of the expected value
  int64_t integerTolerance = 0;  // integers pass within this distance of the expected value
};

int runCompile(const CompileCommand& cmd);
int runRun(const RunCommand& cmd);
int runTest(const TestCommand& cmd);

}  // namespace deeploy
