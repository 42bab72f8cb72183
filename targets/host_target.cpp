#include "targets/host_target.h"

#include <filesystem>

#include "ir/error.h"
#include "targets/build_support.h"
#include "targets/process.h"

namespace fs = std::filesystem;

namespace deeploy {

namespace {

std::vector<std::string> commonFlags(const HostBuildOptions& options) {
  std::vector<std::string> flags = {"-std=c99", "-O2", "-Wall", "-Wextra", "-Werror", "-I", runtimeSourceDir()};
  flags.insert(flags.end(), options.extraFlags.begin(), options.extraFlags.end());
  return flags;
}

}  // namespace

std::string runtimeSourceDir() {
  if (const char* env = std::getenv("DEEPLOY_RUNTIME_DIR")) return env;
  return std::string(DEEPLOY_SOURCE_DIR) + "/runtime";
}

void writeNetworkSources(const std::string& dir, const GeneratedSources& network) {
  fs::create_directories(dir);
  writeFile((fs::path(dir) / "network.h").string(), network.header);
  writeFile((fs::path(dir) / "network.c").string(), network.source);
}

void copyRuntimeInto(const std::string& dir) {
  fs::path target = fs::path(dir) / "runtime";
  fs::create_directories(target / "kernels");
  for (const auto& entry : fs::directory_iterator(fs::path(runtimeSourceDir()) / "kernels")) {
    fs::copy_file(entry.path(), target / "kernels" / entry.path().filename(), fs::copy_options::overwrite_existing);
  }
}

std::string buildHostProgram(const std::string& dir, const HostBuildOptions& options) {
  std::vector<std::string> objects;
  for (const auto& entry : fs::directory_iterator(fs::path(runtimeSourceDir()) / "kernels")) {
    if (entry.path().extension() == ".c") objects.push_back(cachedObject(entry.path().string(), options.compiler, commonFlags(options), "host"));
  }
  std::string exe = (fs::path(dir) / "network_host").string();
  std::vector<std::string> cmd = {options.compiler};
  auto flags = commonFlags(options);
  cmd.insert(cmd.end(), flags.begin(), flags.end());
  cmd.insert(cmd.end(), {"-I", dir, (fs::path(dir) / "network.c").string(),
                         options.harness.empty() ? (fs::path(runtimeSourceDir()) / "host" / "harness.c").string()
                                                 : options.harness});
  cmd.insert(cmd.end(), objects.begin(), objects.end());
  cmd.insert(cmd.end(), {"-lm", "-o", exe});
  ProcessResult r = runProcess(cmd, 600);
  if (r.exitCode != 0) throw Error("compiling the generated C failed: " + joinCommand(cmd) + "\n" + r.output);
  return exe;
}

std::vector<TensorData> runHostProgram(const std::string& executable, const Graph& graph,
                                       const std::vector<TensorData>& inputs, double timeoutSeconds) {
  fs::path dir = fs::path(executable).parent_path();
  std::vector<std::string> cmd = {executable};
  for (const std::string& file : writeInputFiles(dir.string(), inputs)) cmd.push_back(file);
  for (size_t i = 0; i < graph.outputs.size(); ++i) cmd.push_back(outputFile(dir.string(), i));
  ProcessResult r = runProcess(cmd, timeoutSeconds);
  if (r.timedOut) throw Error("the network program did not finish within " + std::to_string(timeoutSeconds) + " s");
  if (r.exitCode != 0) throw Error("the network program failed (exit " + std::to_string(r.exitCode) + "):\n" + r.output);
  return readOutputFiles(dir.string(), graph);
}

}  // namespace deeploy
