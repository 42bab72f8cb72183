#include "targets/host_target.h"

#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <sstream>

#include "ir/error.h"
#include "targets/process.h"

namespace fs = std::filesystem;

namespace deeploy {

namespace {

std::string readFile(const fs::path& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw Error("cannot read '" + path.string() + "'");
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

void writeFile(const fs::path& path, const std::string& content) {
  std::ofstream f(path, std::ios::binary);
  f << content;
  if (!f) throw Error("cannot write '" + path.string() + "'");
}

fs::path cacheDir() {
  if (const char* env = std::getenv("DEEPLOY_CACHE_DIR")) return env;
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::temp_directory_path() / "deeploy-cache" : self.parent_path() / "runtime-cache";
}

std::vector<std::string> commonFlags(const HostBuildOptions& options) {
  std::vector<std::string> flags = {"-std=c99", "-O2", "-Wall", "-Wextra", "-Werror", "-I", runtimeSourceDir()};
  flags.insert(flags.end(), options.extraFlags.begin(), options.extraFlags.end());
  return flags;
}

// Compiles one kernel source unless an object for the same source text and flags is cached.
fs::path cachedObject(const fs::path& source, const HostBuildOptions& options) {
  static std::mutex compileMutex;  // test threads of one process share the cache
  std::lock_guard lock(compileMutex);
  std::vector<std::string> flags = commonFlags(options);
  std::string key = readFile(source) + options.compiler + joinCommand(flags);
  std::ostringstream name;
  name << source.stem().string() << "-" << std::hex << std::hash<std::string>{}(key) << ".o";
  fs::path dir = cacheDir() / "host";
  fs::create_directories(dir);
  fs::path object = dir / name.str();
  if (fs::exists(object)) return object;
  fs::path temp = dir / (name.str() + ".tmp" + std::to_string(getpid()));
  std::vector<std::string> cmd = {options.compiler};
  cmd.insert(cmd.end(), flags.begin(), flags.end());
  cmd.insert(cmd.end(), {"-c", source.string(), "-o", temp.string()});
  ProcessResult r = runProcess(cmd, 300);
  if (r.exitCode != 0) throw Error("compiling the kernel library failed: " + joinCommand(cmd) + "\n" + r.output);
  fs::rename(temp, object);
  return object;
}

}  // namespace

std::string runtimeSourceDir() {
  if (const char* env = std::getenv("DEEPLOY_RUNTIME_DIR")) return env;
  return std::string(DEEPLOY_SOURCE_DIR) + "/runtime";
}

void writeNetworkSources(const std::string& dir, const GeneratedNetwork& network) {
  fs::create_directories(dir);
  writeFile(fs::path(dir) / "network.h", network.header);
  writeFile(fs::path(dir) / "network.c", network.source);
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
    if (entry.path().extension() == ".c") objects.push_back(cachedObject(entry.path(), options).string());
  }
  std::string exe = (fs::path(dir) / "network_host").string();
  std::vector<std::string> cmd = {options.compiler};
  auto flags = commonFlags(options);
  cmd.insert(cmd.end(), flags.begin(), flags.end());
  cmd.insert(cmd.end(), {"-I", dir, (fs::path(dir) / "network.c").string(),
                         (fs::path(runtimeSourceDir()) / "host" / "harness.c").string()});
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
  for (size_t i = 0; i < inputs.size(); ++i) {
    fs::path file = dir / ("input_" + std::to_string(i) + ".bin");
    writeFile(file, std::string(reinterpret_cast<const char*>(inputs[i].data()), inputs[i].byteSize()));
    cmd.push_back(file.string());
  }
  for (size_t i = 0; i < graph.outputs.size(); ++i) cmd.push_back((dir / ("output_" + std::to_string(i) + ".bin")).string());
  ProcessResult r = runProcess(cmd, timeoutSeconds);
  if (r.timedOut) throw Error("the network program did not finish within " + std::to_string(timeoutSeconds) + " s");
  if (r.exitCode != 0) throw Error("the network program failed (exit " + std::to_string(r.exitCode) + "):\n" + r.output);
  std::vector<TensorData> outputs;
  for (size_t i = 0; i < graph.outputs.size(); ++i) {
    const Tensor& t = graph.tensor(graph.outputs[i]);
    TensorData value(t.dtype, t.shape);
    std::string bytes = readFile(dir / ("output_" + std::to_string(i) + ".bin"));
    if (bytes.size() != value.byteSize()) throw Error("output " + std::to_string(i) + " has a wrong byte count");
    if (!bytes.empty()) std::memcpy(value.data(), bytes.data(), bytes.size());
    outputs.push_back(std::move(value));
  }
  return outputs;
}

}  // namespace deeploy
