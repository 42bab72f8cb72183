#include "targets/build_support.h"

#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <sstream>

#include "ir/error.h"
#include "targets/host_target.h"
#include "targets/process.h"

namespace fs = std::filesystem;

namespace deeploy {

namespace {

fs::path cacheDir() {
  if (const char* env = std::getenv("DEEPLOY_CACHE_DIR")) return env;
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::temp_directory_path() / "deeploy-cache" : self.parent_path() / "runtime-cache";
}

}  // namespace

std::string hexNumber(uint64_t value) {
  std::ostringstream s;
  s << "0x" << std::hex << value;
  return s.str();
}

std::string readFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw Error("cannot read '" + path + "'");
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

void writeFile(const std::string& path, const std::string& content) {
  std::ofstream f(path, std::ios::binary);
  f << content;
  if (!f) throw Error("cannot write '" + path + "'");
}

// Every header of the runtime, in a fixed order: a kernel object depends on whichever it includes.
static const std::string& runtimeHeaders() {
  static const std::string contents = [] {
    std::vector<fs::path> headers;
    for (const auto& entry : fs::recursive_directory_iterator(runtimeSourceDir())) {
      if (entry.path().extension() == ".h") headers.push_back(entry.path());
    }
    std::sort(headers.begin(), headers.end());
    std::string all;
    for (const fs::path& h : headers) all += h.string() + "\n" + readFile(h.string());
    return all;
  }();
  return contents;
}

std::string cachedObject(const std::string& source, const std::string& compiler, const std::vector<std::string>& flags,
                         const std::string& targetName) {
  static std::mutex compileMutex;  // test threads of one process share the cache
  std::lock_guard lock(compileMutex);
  std::string key = readFile(source) + runtimeHeaders() + compiler + joinCommand(flags);
  std::ostringstream name;
  name << fs::path(source).stem().string() << "-" << std::hex << std::hash<std::string>{}(key) << ".o";
  fs::path dir = cacheDir() / targetName;
  fs::create_directories(dir);
  fs::path object = dir / name.str();
  if (fs::exists(object)) return object.string();
  fs::path temp = dir / (name.str() + ".tmp" + std::to_string(getpid()));
  std::vector<std::string> cmd = {compiler};
  cmd.insert(cmd.end(), flags.begin(), flags.end());
  cmd.insert(cmd.end(), {"-c", source, "-o", temp.string()});
  ProcessResult r = runProcess(cmd, 300);
  if (r.exitCode != 0) throw Error("compiling the kernel library failed: " + joinCommand(cmd) + "\n" + r.output);
  fs::rename(temp, object);
  return object.string();
}

std::vector<std::string> writeInputFiles(const std::string& dir, const std::vector<TensorData>& inputs) {
  std::vector<std::string> files;
  for (size_t i = 0; i < inputs.size(); ++i) {
    files.push_back((fs::path(dir) / ("input_" + std::to_string(i) + ".bin")).string());
    writeFile(files.back(), std::string(reinterpret_cast<const char*>(inputs[i].data()), inputs[i].byteSize()));
  }
  return files;
}

std::string outputFile(const std::string& dir, size_t index) {
  return (fs::path(dir) / ("output_" + std::to_string(index) + ".bin")).string();
}

std::vector<TensorData> readOutputFiles(const std::string& dir, const Graph& graph) {
  std::vector<TensorData> outputs;
  for (size_t i = 0; i < graph.outputs.size(); ++i) {
    const Tensor& t = graph.tensor(graph.outputs[i]);
    TensorData value(t.dtype, t.shape);
    std::string bytes = readFile(outputFile(dir, i));
    if (bytes.size() != value.byteSize()) throw Error("output " + std::to_string(i) + " has a wrong byte count");
    if (!bytes.empty()) std::memcpy(value.data(), bytes.data(), bytes.size());
    outputs.push_back(std::move(value));
  }
  return outputs;
}

}  // namespace deeploy
