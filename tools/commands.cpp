#include "tools/commands.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <thread>

#include "codegen/tiled_node.h"
#include "frontend/npz.h"
#include "ir/error.h"
#include "ops/interpreter.h"
#include "targets/host_target.h"
#include "targets/run_target.h"
#include "tools/compare.h"
#include "tools/driver.h"
#include "tools/html_report.h"
#include "tools/progress.h"
#include "tools/work_dir.h"

namespace fs = std::filesystem;

namespace deeploy {

namespace {

constexpr double kRunTimeoutSeconds = 120;

std::vector<TensorData> execute(const CompiledModel& model, Engine engine, const std::string& target,
                                const std::string& dir, const TargetRunOptions& options,
                                InstructionProfile* profile = nullptr) {
  if (engine == Engine::Reference) return interpretGraph(model.graph, model.inputs);
  writeNetworkSources(dir, model.network);
  return buildAndRunOnTarget(target, dir, model.graph, model.platform, model.inputs, options, profile);
}

TargetRunOptions runOptions(int cores, bool profile = false) {
  TargetRunOptions options;
  options.cores = cores;
  options.profile = profile;
  options.timeoutSeconds = kRunTimeoutSeconds;
  return options;
}

void writeTextFile(const fs::path& path, const std::string& text) {
  std::ofstream f(path);
  f << text;
  if (!f) throw Error("cannot write '" + path.string() + "'");
}

bool isHtml(const fs::path& path) { return path.extension() == ".html"; }

// The JSON report at `path` and the text table beside it (.txt); returns what it wrote, for the log.
std::string writeJsonAndTextReports(const CompiledModel& model, const fs::path& path) {
  const fs::path table = fs::path(path).replace_extension(".txt");
  writeTextFile(path, memoryReportJson(model));
  writeTextFile(table, memoryReportText(model));
  return path.string() + " and " + table.string();
}

}  // namespace

int runCompile(const CompileCommand& cmd) {
  checkTargetOptions(cmd.target, runOptions(cmd.cores));
  Platform platform = resolvePlatform(cmd.platform, cmd.target);
  std::optional<NamedArrays> arrays;
  if (cmd.inputsNpz) arrays = readNpz(*cmd.inputsNpz);
  CompiledModel model =
      cmd.context ? compileKVCacheModel(cmd.model, arrays, *cmd.context, false, platform, cmd.cores, tilingProgressOnStderr())
                  : compileModel(cmd.model, arrays, platform, cmd.cores, tilingProgressOnStderr());
  writeNetworkSources(cmd.outputDir, model.network);
  copyRuntimeInto(cmd.outputDir);
  // An .html --report is the page; the JSON and text reports then go to their default place.
  const bool html = cmd.reportPath && isHtml(*cmd.reportPath);
  std::string written = writeJsonAndTextReports(
      model, cmd.reportPath && !html ? fs::path(*cmd.reportPath) : fs::path(cmd.outputDir) / "report.json");
  if (html) {
    writeTextFile(*cmd.reportPath, htmlReport(model));
    written += " and " + *cmd.reportPath;
  }
  std::cout << memoryReportText(model) << "compile time: " << model.compileSeconds << " s\n"
            << "wrote " << cmd.outputDir << "/network.h, network.c, runtime/; reports " << written << "\n";
  return 0;
}

namespace {

// A device's work over the run, its modelled cycles and hart 0's modelled sleep waiting for it.
void printDeviceTotals(const char* device, uint64_t amount, const char* what, uint64_t cycles,
                       const std::vector<uint64_t>& waitPerNode, const char* model) {
  uint64_t slept = 0;
  for (uint64_t w : waitPerNode) slept += w;
  std::printf("%s: %llu %s %llu modelled cycles; hart 0 slept %llu modelled cycles waiting for it (estimates from the "
              "platform's %s model, not measurements)\n",
              device, static_cast<unsigned long long>(amount), what, static_cast<unsigned long long>(cycles),
              static_cast<unsigned long long>(slept), model);
}

// The run's estimated cycles and, when the platform has an energy model, time and energy.
void printCycleEstimate(uint64_t cycles, uint64_t npuMacs, const Platform& platform) {
  std::printf("estimated cycles: %llu (a model: per node the slowest core's instructions plus the CV32E40P stalls the "
              "emulator's timing model counts, plus hart 0's modelled sleep for the DMA and the NPU; memory single-cycle)\n",
              static_cast<unsigned long long>(cycles));
  if (!platform.energy) return;
  const EnergyModel& e = *platform.energy;
  std::printf("estimated time and energy: %.1f us, %.2f uJ at %s (the platform file's model: %s)\n", e.seconds(cycles) * 1e6,
              e.microjoules(cycles, npuMacs), e.figures().c_str(), e.source.c_str());
}

// Instructions per node (busiest core, then every core) and per inference; on a target with a cluster
// DMA also its modelled cycles per node, in a column of their own (a model, not a count), and when nodes
// ran on the NPU, each node's engine and the NPU's modelled cycles.
void printProfile(const CompiledModel& model, const InstructionProfile& profile) {
  const Graph& graph = model.graph;
  const bool dma = !profile.dmaCyclesPerNode.empty();
  const bool npu = !profile.npuCyclesPerNode.empty() &&
                   std::any_of(graph.nodes.begin(), graph.nodes.end(), [](const Node& n) { return n.engine == NodeEngine::Npu; });
  const bool cycles = profile.hasCycleEstimate();
  const std::string dmaHeader = std::string(cycles ? "  cycles (model)" : "") +
                                (npu ? "  engine  NPU cycles (model)  NPU stall (model)" : "") +
                                (dma ? "  DMA cycles (model)  DMA stall (model)" : "");
  std::printf("%-40s %-16s %14s%s  %s\n", "node", "op", "busiest core", dmaHeader.c_str(), "per core");
  for (size_t n = 0; n < graph.nodes.size(); ++n) {
    const std::string name = graph.nodes[n].name.substr(0, 40), op = graph.nodes[n].op.substr(0, 16);
    char dmaCycles[128] = "";
    int used = 0;
    if (cycles) {
      used = std::snprintf(dmaCycles, sizeof dmaCycles, "  %14llu", static_cast<unsigned long long>(profile.estimatedCycles(n)));
    }
    if (npu) {
      used += std::snprintf(dmaCycles + used, sizeof dmaCycles - static_cast<size_t>(used), "  %6s  %18llu  %17llu", graph.nodes[n].engine == NodeEngine::Npu ? "npu" : "cores",
                           static_cast<unsigned long long>(profile.npuCyclesPerNode[n]),
                           static_cast<unsigned long long>(profile.npuWaitPerNode[n]));
    }
    if (dma) {
      std::snprintf(dmaCycles + used, sizeof dmaCycles - static_cast<size_t>(used), "  %19llu  %17llu",
                    static_cast<unsigned long long>(profile.dmaCyclesPerNode[n]),
                    static_cast<unsigned long long>(profile.dmaWaitPerNode[n]));
    }
    const int job = model.network.computedInJobOf.empty() ? -1 : model.network.computedInJobOf[n];
    if (job >= 0) {
      std::printf("%-40s %-16s %14s%s  in the job of node %d (%s)\n", name.c_str(), op.c_str(), "-", dmaCycles, job,
                  graph.nodes[static_cast<size_t>(job)].name.c_str());
      continue;
    }
    const auto& harts = profile.perNode[n];
    std::string each;
    for (uint64_t v : harts) each += (each.empty() ? "" : " ") + std::to_string(v);
    std::printf("%-40s %-16s %14llu%s  %s\n", name.c_str(), op.c_str(),
                static_cast<unsigned long long>(*std::max_element(harts.begin(), harts.end())), dmaCycles,
                each.c_str());
  }
  std::string each;
  for (uint64_t v : profile.perCore) each += (each.empty() ? "" : " ") + std::to_string(v);
  std::printf("per inference: busiest core %llu instructions (per core: %s), waiting excluded\n",
              static_cast<unsigned long long>(profile.busiestCore()), each.c_str());
  if (npu) printDeviceTotals("NPU", profile.npuMacs, "MACs in", profile.npuCycles, profile.npuWaitPerNode, "NPU");
  if (dma) printDeviceTotals("cluster DMA", profile.dmaBytes, "bytes moved in", profile.dmaCycles, profile.dmaWaitPerNode, "DMA");
  if (cycles) printCycleEstimate(profile.estimatedCycles(), profile.npuMacs, model.platform);
}

}  // namespace

int runRun(const RunCommand& cmd) {
  if (cmd.profile && cmd.engine != Engine::C) throw Error("--profile counts the generated C's instructions, not the reference's");
  const TargetRunOptions options = runOptions(cmd.cores, cmd.profile);
  checkTargetOptions(cmd.target, options);
  CompiledModel model =
      compileModel(cmd.model, readNpz(cmd.inputsNpz), resolvePlatform(cmd.platform, cmd.target), cmd.cores, tilingProgressOnStderr());
  WorkDir dir(cmd.keepDir);
  InstructionProfile profile;
  std::vector<TensorData> outputs = execute(model, cmd.engine, cmd.target, dir.path(), options, &profile);
  if (cmd.profile) printProfile(model, profile);
  if (cmd.reportPath && isHtml(*cmd.reportPath)) {
    writeTextFile(*cmd.reportPath, htmlReport(model, cmd.profile ? &profile : nullptr));
    std::cout << "wrote the report " << *cmd.reportPath << "\n";
  } else if (cmd.reportPath) {
    std::cout << "wrote the reports " << writeJsonAndTextReports(model, *cmd.reportPath) << "\n";
  }
  NamedArrays named;
  for (size_t i = 0; i < outputs.size(); ++i) {
    const Tensor& t = model.graph.tensor(model.graph.outputs[i]);
    named.emplace_back(t.name, outputs[i]);
    std::cout << "output " << i << " '" << t.name << "': " << dtypeName(t.dtype) << " " << shapeToString(t.shape) << "\n";
  }
  if (cmd.outputsNpz) writeNpz(*cmd.outputsNpz, named);
  return 0;
}

namespace {

std::vector<fs::path> findTests(const std::vector<std::string>& roots, const std::vector<std::string>& excludes) {
  std::vector<fs::path> tests;
  for (const auto& root : roots) {
    if (!fs::is_directory(root)) throw Error("'" + root + "' is not a directory");
    if (fs::exists(fs::path(root) / "network.onnx")) tests.emplace_back(root);
    for (const auto& entry : fs::recursive_directory_iterator(root)) {
      if (entry.is_directory() && fs::exists(entry.path() / "network.onnx")) tests.push_back(entry.path());
    }
  }
  std::sort(tests.begin(), tests.end());
  tests.erase(std::unique(tests.begin(), tests.end()), tests.end());
  std::erase_if(tests, [&](const fs::path& p) {
    return std::any_of(excludes.begin(), excludes.end(), [&](const std::string& x) { return p.string().find(x) != std::string::npos; });
  });
  return tests;
}

// Names the first plan whose size exceeds `maxRatio` times its lower bound, or returns "".
std::string loosePlan(const CompiledModel& model, double maxRatio) {
  auto check = [&](const std::string& what, size_t planned, size_t bound) {
    if (static_cast<double>(planned) <= maxRatio * static_cast<double>(bound)) return std::string();
    return what + " is " + std::to_string(planned) + " B, more than " + std::to_string(maxRatio) + " x its lower bound of " +
           std::to_string(bound) + " B";
  };
  std::string loose = check("the activation arena", model.network.memory.plan.arenaSize, model.network.memory.lowerBound);
  if (loose.empty()) loose = check("the tile buffers", model.network.l1ArenaBytes, model.network.l1LowerBound);
  return loose;
}

TargetRunOptions testRunOptions(const TestCommand& cmd) {
  TargetRunOptions options = runOptions(cmd.cores);
  if (cmd.sanitize) options.hostFlags = {"-fsanitize=address,undefined", "-fno-sanitize-recover=all", "-g"};
  return options;
}

Comparison runOneTest(const fs::path& dir, const TestCommand& cmd, const Platform& platform) {
  for (const char* file : {"network.onnx", "inputs.npz", "outputs.npz"}) {
    if (!fs::exists(dir / file)) return {false, std::string("missing ") + file};
  }
  try {
    const std::string network = (dir / "network.onnx").string();
    const NamedArrays inputs = readNpz((dir / "inputs.npz").string());
    if (cmd.context && cmd.engine == Engine::Reference) {
      throw Error("--context runs generated C; the reference interpreter runs the fixed-length network");
    }
    CompiledModel model = cmd.context ? compileKVCacheModel(network, inputs, *cmd.context, true, platform, cmd.cores)
                                      : compileModel(network, inputs, platform, cmd.cores);
    if (cmd.context) model.inputs = kvStepInputs(model, model.inputs);
    if (cmd.maxPlanRatio) {
      std::string loose = loosePlan(model, *cmd.maxPlanRatio);
      if (!loose.empty()) return {false, loose, false};
    }
    WorkDir work(std::nullopt);
    std::vector<TensorData> outputs = execute(model, cmd.engine, cmd.target, work.path(), testRunOptions(cmd));
    if (cmd.context) {
      outputs = fixedLengthOutputs(model, outputs);
      for (size_t o = 0; o < outputs.size(); ++o) model.graph.tensor(model.graph.outputs[o]).shape = outputs[o].shape();
    }
    return compareOutputs(model.graph, outputs, readNpz((dir / "outputs.npz").string()), {cmd.relativeTolerance, cmd.integerTolerance});
  } catch (const TilingDoesNotFit& e) {
    Comparison tooSmall{false, e.what(), false};
    tooSmall.didNotFit = cmd.allowInfeasible;
    return tooSmall;
  } catch (const Error& e) {
    return {false, e.what()};
  } catch (const std::exception& e) {
    return {false, std::string("internal error: ") + e.what()};
  }
}

// "12/133 done, about 1 min 5 s left": the time left assumes the remaining tests take as long as the done ones.
std::string progressText(size_t done, size_t total, std::chrono::steady_clock::duration elapsed) {
  const double perTest = std::chrono::duration<double>(elapsed).count() / static_cast<double>(done);
  const auto left = static_cast<long>(std::lround(perTest * static_cast<double>(total - done)));
  std::string text = std::to_string(done) + "/" + std::to_string(total) + " done";
  if (done == total) return text;
  text += ", about ";
  if (left >= 60) text += std::to_string(left / 60) + " min ";
  return text + std::to_string(left % 60) + " s left";
}

}  // namespace

int runTest(const TestCommand& cmd) {
  checkTargetOptions(cmd.target, testRunOptions(cmd));
  const Platform platform = resolvePlatform(cmd.platform, cmd.target);
  std::vector<fs::path> tests = findTests(cmd.paths, cmd.excludes);
  if (tests.empty()) throw Error("no test folders (with network.onnx) found");
  std::atomic<size_t> next{0};
  std::atomic<int> passed{0}, failed{0}, didNotFit{0};
  std::mutex printMutex;
  size_t done = 0;
  const auto suiteStart = std::chrono::steady_clock::now();
  auto worker = [&] {
    for (size_t i = next++; i < tests.size(); i = next++) {
      auto start = std::chrono::steady_clock::now();
      Comparison result = runOneTest(tests[i], cmd, platform);
      double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      (result.passed ? passed : result.didNotFit ? didNotFit : failed)++;
      const char* verdict = result.passed ? "PASS" : result.didNotFit ? "TOO SMALL" : "FAIL";
      std::lock_guard lock(printMutex);
      ++done;
      const std::string progress = progressText(done, tests.size(), std::chrono::steady_clock::now() - suiteStart);
      std::printf("%s %s (%.2f s; %s)%s%s\n", verdict, tests[i].string().c_str(), seconds, progress.c_str(),
                  result.passed ? "" : ": ", result.message.c_str());
      std::fflush(stdout);
    }
  };
  int jobs = cmd.jobs > 0 ? cmd.jobs : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  std::vector<std::thread> threads;
  for (int j = 0; j < std::min<int>(jobs, static_cast<int>(tests.size())); ++j) threads.emplace_back(worker);
  for (auto& th : threads) th.join();
  std::printf("%d passed, %d failed", passed.load(), failed.load());
  if (didNotFit > 0) std::printf(", %d did not fit (tiling needs a larger L1)", didNotFit.load());
  std::printf("\n");
  return failed > 0 ? 1 : 0;
}

}  // namespace deeploy
