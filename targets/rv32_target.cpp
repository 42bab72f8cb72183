#include "targets/rv32_target.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <sstream>

#include "ir/error.h"
#include "targets/build_support.h"
#include "targets/host_target.h"
#include "targets/process.h"

namespace fs = std::filesystem;

namespace deeploy {

namespace {

const char* kCompiler = "riscv64-unknown-elf-gcc";

std::vector<std::string> compileFlags(const Rv32BuildOptions& options) {
  return {options.floatUnit ? "-march=rv32imafc" : "-march=rv32imac", options.floatUnit ? "-mabi=ilp32f" : "-mabi=ilp32",
          "--specs=picolibc.specs", "-std=c99", "-O2", "-Wall", "-Wextra", "-Werror", "-I", runtimeSourceDir(),
          "-DDP_STACK_BYTES=16384", "-Wa,-march=" + std::string(options.floatUnit ? "rv32imafc" : "rv32imac") + "_zicsr"};
}

// QEMU virt's RAM starts at 0x80000000, where every hart starts: the cluster entry (runtime/rv32/entry.S)
// goes there, code and constants ("flash") follow up to 64 MiB, then 64 MiB of data, heap and stacks.
// Semihosting carries files and the exit status.
std::vector<std::string> linkFlags() {
  return {"--oslib=semihost", "--crt0=semihost", "-Wl,--section-start=.dp_entry=0x80000000", "-Wl,--entry=dp_entry",
          "-Wl,--defsym=__flash=0x80000100", "-Wl,--defsym=__flash_size=0x3ffff00", "-Wl,--defsym=__ram=0x84000000",
          "-Wl,--defsym=__ram_size=0x4000000", "-Wl,--no-warn-rwx-segments"};
}

// The harness prints "DP_PROFILE node <k> <hart 0> <hart 1> ..." per node and "DP_PROFILE total ...".
std::vector<uint64_t> countsAfter(std::istringstream& fields) {
  std::vector<uint64_t> counts;
  uint64_t v = 0;
  while (fields >> v) counts.push_back(v);
  return counts;
}

InstructionProfile parseProfile(const std::string& output, size_t nodes, int cores) {
  InstructionProfile profile;
  profile.perNode.assign(nodes, {});
  std::istringstream lines(output);
  std::string line;
  size_t seen = 0;
  while (std::getline(lines, line)) {
    std::istringstream fields(line);
    std::string tag, kind;
    fields >> tag >> kind;
    if (tag != "DP_PROFILE") continue;
    if (kind == "total") {
      profile.perCore = countsAfter(fields);
      continue;
    }
    size_t node = 0;
    if (kind != "node" || !(fields >> node) || node >= nodes) continue;
    profile.perNode[node] = countsAfter(fields);
    seen += profile.perNode[node].size() == static_cast<size_t>(cores);
  }
  if (seen != nodes || profile.perCore.size() != static_cast<size_t>(cores)) {
    throw Error("the rv32 program printed no complete instruction profile:\n" + output);
  }
  return profile;
}

}  // namespace

bool needsFloatUnit(const Graph& graph) {
  for (const Tensor& t : graph.tensors) {
    if (isFloat(t.dtype)) return true;
  }
  return false;
}

std::string buildRv32Program(const std::string& dir, const Rv32BuildOptions& options) {
  const std::vector<std::string> flags = compileFlags(options);
  if (options.cores < 1 || options.cores > 8) throw Error("the rv32 cluster has 1 to 8 cores, not " + std::to_string(options.cores));
  std::vector<std::string> objects;
  // The cluster has its own DMA (rv32/dma.c: copies deferred to the wait and shared among the harts).
  for (const auto& entry : fs::directory_iterator(fs::path(runtimeSourceDir()) / "kernels")) {
    if (entry.path().extension() == ".c" && entry.path().filename() != "dma.c") {
      objects.push_back(cachedObject(entry.path().string(), kCompiler, flags, "rv32"));
    }
  }
  for (const char* file : {"entry.S", "cluster.c", "dma.c"}) {
    objects.push_back(cachedObject((fs::path(runtimeSourceDir()) / "rv32" / file).string(), kCompiler, flags, "rv32"));
  }
  const std::string elf = (fs::path(dir) / "network_rv32.elf").string();
  std::vector<std::string> cmd = {kCompiler};
  cmd.insert(cmd.end(), flags.begin(), flags.end());
  const std::string ioDir = fs::absolute(dir).string() + "/";
  if (options.profile) cmd.push_back("-DDP_PROFILE");
  cmd.push_back("-DDP_CORES=" + std::to_string(options.cores));
  cmd.insert(cmd.end(), {"-DDP_IO_DIR=\"" + ioDir + "\"", "-I", dir, (fs::path(dir) / "network.c").string(),
                         options.harness.empty() ? (fs::path(runtimeSourceDir()) / "rv32" / "harness.c").string()
                                                 : options.harness});
  cmd.insert(cmd.end(), objects.begin(), objects.end());
  const std::vector<std::string> link = linkFlags();
  cmd.insert(cmd.end(), link.begin(), link.end());
  cmd.insert(cmd.end(), {"-lm", "-o", elf});
  ProcessResult r = runProcess(cmd, 600);
  if (r.exitCode != 0) throw Error("compiling the generated C for rv32 failed: " + joinCommand(cmd) + "\n" + r.output);
  return elf;
}

std::vector<std::string> qemuCommand(const std::string& elf, int cores, bool countInstructions) {
  std::vector<std::string> cmd = {"qemu-system-riscv32", "-M", "virt", "-m", "128M", "-display", "none", "-monitor",
                                  "none", "-serial", "none", "-bios", "none", "-semihosting-config",
                                  "enable=on,target=native", "-smp", std::to_string(cores), "-kernel", elf};
  // Exact retired-instruction counts in minstret.
  if (countInstructions) cmd.insert(cmd.end(), {"-icount", "shift=0"});
  return cmd;
}

std::vector<TensorData> runRv32Program(const std::string& elf, const Graph& graph, const std::vector<TensorData>& inputs,
                                       double timeoutSeconds, int cores, InstructionProfile* profile) {
  const std::string dir = fs::path(elf).parent_path().string();
  writeInputFiles(dir, inputs);
  std::vector<std::string> cmd = qemuCommand(elf, cores, profile != nullptr);
  ProcessResult r = runProcess(cmd, timeoutSeconds);
  if (r.timedOut) throw Error("the rv32 program did not finish within " + std::to_string(timeoutSeconds) + " s under QEMU");
  if (r.exitCode != 0) {
    throw Error("the rv32 program failed under QEMU (exit " + std::to_string(r.exitCode) + "):\n" + r.output);
  }
  if (profile) *profile = parseProfile(r.output, graph.nodes.size(), cores);
  return readOutputFiles(dir, graph);
}

}  // namespace deeploy
