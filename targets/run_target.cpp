#include "targets/run_target.h"

#include <algorithm>
#include <sstream>

#include "ir/error.h"
#include "targets/cortex_m_target.h"
#include "targets/host_target.h"
#include "targets/process.h"
#include "targets/rv32_target.h"

namespace deeploy {

namespace {

struct TargetKind {
  std::string name;
  std::string defaultPlatform;
  int maxCores;
  bool countsInstructions;
  bool cortexM;
  bool rv32Machine;  // an RV32 machine of its platform file (siracusa), not the stock rv32 one
};

const std::vector<TargetKind>& targetKinds() {
  static const std::vector<TargetKind> kinds = {{"host", "host", 8, false, false, false},
                                                {"rv32", "host", 8, true, false, false},
                                                {"siracusa", "siracusa", 8, true, false, true},
                                                {"cortex-m4", "cortex-m4", 1, true, true, false},
                                                {"cortex-m55", "cortex-m55", 1, true, true, false}};
  return kinds;
}

const TargetKind& kindOf(const std::string& target) {
  for (const TargetKind& kind : targetKinds()) {
    if (kind.name == target) return kind;
  }
  std::string names;
  for (const std::string& name : targetNames()) names += (names.empty() ? "" : ", ") + name;
  throw Error("unknown target '" + target + "' (targets: " + names + ")");
}

}  // namespace

const std::vector<std::string>& targetNames() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> all;
    for (const TargetKind& kind : targetKinds()) all.push_back(kind.name);
    return all;
  }();
  return names;
}

std::string defaultPlatformOf(const std::string& target) { return kindOf(target).defaultPlatform; }

void checkTargetOptions(const std::string& target, const TargetRunOptions& options) {
  const TargetKind& kind = kindOf(target);
  if (options.cores < 1 || options.cores > kind.maxCores) {
    throw Error("--target " + target + " runs " +
                (kind.maxCores == 1 ? std::string("on one core") : "on 1 to " + std::to_string(kind.maxCores) + " cores") +
                ", not --cores " + std::to_string(options.cores));
  }
  if (options.profile && !kind.countsInstructions) {
    throw Error("--profile counts instructions on a bare-metal target (rv32, siracusa, cortex-m4, cortex-m55), not on " +
                target);
  }
  if (!options.hostFlags.empty() && target != "host") throw Error("--sanitize is for the host target only");
  if (options.genericKernels && !kind.cortexM) {
    throw Error("only the Cortex-M targets have Arm kernels to replace by the generic ones, not " + target);
  }
}

std::vector<TensorData> buildAndRunOnTarget(const std::string& target, const std::string& dir, const Graph& graph,
                                            const Platform& platform, const std::vector<TensorData>& inputs,
                                            const TargetRunOptions& options, InstructionProfile* profile) {
  checkTargetOptions(target, options);
  InstructionProfile* counted = options.profile ? profile : nullptr;
  if (kindOf(target).cortexM) {
    const std::string elf = buildCortexMProgram(dir, platform, {options.profile, "", options.genericKernels});
    return runCortexMProgram(elf, platform, graph, inputs, options.timeoutSeconds, counted);
  }
  if (target == "rv32" || kindOf(target).rv32Machine) {
    const Platform* machine = kindOf(target).rv32Machine ? &platform : nullptr;
    const std::string elf = buildRv32Program(dir, {needsFloatUnit(graph), options.profile, options.cores, "", machine});
    return runRv32Program(elf, graph, inputs, options.timeoutSeconds, options.cores, counted, machine);
  }
  HostBuildOptions build;
  build.extraFlags = options.hostFlags;
  return runHostProgram(buildHostProgram(dir, build), graph, inputs, options.timeoutSeconds);
}

TargetProgram buildProgramWithHarness(const std::string& target, const std::string& dir, const Platform& platform,
                                      const std::string& harness, int cores, bool floatUnit) {
  TargetRunOptions options;
  options.cores = cores;
  checkTargetOptions(target, options);
  TargetProgram program;
  if (kindOf(target).cortexM) {
    program.elf = buildCortexMProgram(dir, platform, {false, harness, false});
    program.sizeTool = "arm-none-eabi-size";
    program.marksFile = dir + "/instruction_marks.txt";
    program.command = cortexMQemuCommand(program.elf, platform, program.marksFile);
  } else if (target == "rv32" || kindOf(target).rv32Machine) {
    const Platform* machine = kindOf(target).rv32Machine ? &platform : nullptr;
    program.elf = buildRv32Program(dir, {floatUnit, false, cores, harness, machine});
    program.sizeTool = "riscv64-unknown-elf-size";
    program.command = qemuCommand(program.elf, cores, true, machine);
  } else {
    HostBuildOptions build;
    build.harness = harness;
    build.extraFlags = {"-O2"};
    program.command = {buildHostProgram(dir, build)};
  }
  return program;
}

ElfSizes elfSizesOf(const TargetProgram& program) {
  if (program.elf.empty()) throw Error("only the bare-metal targets build an ELF program to measure");
  ProcessResult r = runProcess({program.sizeTool, program.elf}, 60);
  std::istringstream lines(r.output);
  std::string header;
  std::getline(lines, header);
  ElfSizes sizes;
  if (r.exitCode != 0 || !(lines >> sizes.text >> sizes.data >> sizes.bss)) {
    throw Error("cannot read the sizes of " + program.elf + ":\n" + r.output);
  }
  return sizes;
}

}  // namespace deeploy
