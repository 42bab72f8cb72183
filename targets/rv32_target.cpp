#include "targets/rv32_target.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <sstream>

#include "codegen/network_writer.h"
#include "ir/error.h"
#include "targets/build_support.h"
#include "targets/host_target.h"
#include "targets/process.h"

namespace fs = std::filesystem;

namespace deeploy {

namespace {

const char* kGcc = "riscv64-unknown-elf-gcc";
const char* kClang = "clang-19";
const char* kPicolibcInclude = "/usr/lib/picolibc/riscv64-unknown-elf/include";
constexpr uint64_t kHart0StackBytes = 0x10000;  // hart 0's stack on a machine's platform (the others: cluster.c)

bool onPath(const std::string& program) {
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path ? path : "");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    if (!dir.empty() && fs::exists(fs::path(dir) / program)) return true;
  }
  return false;
}

const MachineDescription& riscvMachine(const Platform& platform) {
  if (!platform.machine || !platform.machine->codeRegion || !platform.machine->systemRegion) {
    throw Error("platform '" + platform.name +
                "' describes no RISC-V machine (code_region, system_region, compiler flags): use --platform siracusa");
  }
  return *platform.machine;
}

// How objects are compiled for one machine.
struct Toolchain {
  std::string compiler;
  std::vector<std::string> flags;
  std::string cacheTag;  // kernel objects are cached per machine
};

Toolchain toolchainFor(const Rv32BuildOptions& options) {
  const std::vector<std::string> common = {"-std=c99", "-O2", "-Wall", "-Wextra", "-Werror", "-I", runtimeSourceDir(),
                                           "-DDP_STACK_BYTES=16384"};
  if (!options.machine) {
    std::vector<std::string> flags = {options.floatUnit ? "-march=rv32imafc" : "-march=rv32imac",
                                      options.floatUnit ? "-mabi=ilp32f" : "-mabi=ilp32", "--specs=picolibc.specs",
                                      "-Wa,-march=" + std::string(options.floatUnit ? "rv32imafc" : "rv32imac") + "_zicsr"};
    flags.insert(flags.end(), common.begin(), common.end());
    return {kGcc, flags, "rv32"};
  }
  const MachineDescription& machine = riscvMachine(*options.machine);
  if (!onPath(kClang)) throw Error(std::string(kClang) + " is not installed: run scripts/setup");
  // The levels' sections (codegen's levelSection) and the cluster DMA device's driver.
  std::vector<std::string> flags = {"--target=riscv32-unknown-elf", "-isystem", kPicolibcInclude, "-DDP_LEVEL_SECTIONS",
                                    "-DDP_CLUSTER_DMA"};
  const auto& isa = options.floatUnit && !machine.floatCompilerFlags.empty() ? machine.floatCompilerFlags : machine.compilerFlags;
  flags.insert(flags.end(), isa.begin(), isa.end());
  flags.insert(flags.end(), common.begin(), common.end());
  return {kClang, flags, options.machine->name};
}

// QEMU virt's RAM starts at 0x80000000, where every hart starts: the cluster entry (runtime/rv32/entry.S)
// goes there, code and constants ("flash") follow up to 64 MiB, then 64 MiB of data, heap and stacks.
// Semihosting carries files and the exit status. A machine's platform has a linker script of its own
// (rv32MachineLinkerScript): its code and system regions and its levels at their addresses.
std::vector<std::string> linkFlags(const Rv32BuildOptions& options, const std::string& dir) {
  const std::string multilib = options.floatUnit ? "rv32imafc" : "rv32imac";
  std::vector<std::string> flags = {"-march=" + multilib, options.floatUnit ? "-mabi=ilp32f" : "-mabi=ilp32",
                                    "--specs=picolibc.specs", "--oslib=semihost", "--crt0=semihost",
                                    "-Wl,--entry=dp_entry", "-Wl,--no-warn-rwx-segments"};
  if (!options.machine) {
    flags.insert(flags.end(), {"-Wl,--section-start=.dp_entry=0x80000000", "-Wl,--defsym=__flash=0x80000100",
                               "-Wl,--defsym=__flash_size=0x3ffff00", "-Wl,--defsym=__ram=0x84000000",
                               "-Wl,--defsym=__ram_size=0x4000000"});
    return flags;
  }
  const std::string script = (fs::path(dir) / "machine.ld").string();
  writeFile(script, rv32MachineLinkerScript(*options.machine));
  flags.insert(flags.end(), {"-T", script});
  return flags;
}

// The NPU's timing model (emulator/NPU.md) from the platform's NPU engine, its weight memory's range.
std::string npuConfiguration(const NpuModel& npu, const Platform& platform) {
  const MemoryLevel* memory = npu.weightMemory.empty() ? nullptr : platform.findLevel(npu.weightMemory);
  std::ostringstream c;
  c << "static const dp_npu_timing dp_machine_npu = {" << npu.setupCycles << "u, {" << npu.stepCycles1x1 << "u, "
    << npu.stepCycles3x3 << "u, " << npu.stepCyclesDepthwise << "u}, " << bytesPerCycleQ8(npu.streamBytesPerCycle) << "u, "
    << bytesPerCycleQ8(npu.weightBytesPerCycle) << "u, "
    << (memory ? bytesPerCycleQ8(npu.weightMemoryBytesPerCycle) : 256u) << "u, "
    << (memory ? hexNumber(*memory->baseAddress) : std::string("0x0")) << "u, " << (memory ? memory->sizeBytes : 0u) << "u};\n\n";
  return c.str();
}

// Configures the cluster DMA's timing model before main (a constructor: the test harness and the
// generation loop both get it): a window per level with a DMA link to the compute level, at the link's
// bandwidth (a transfer moves at the slowest window it touches), the fastest of them elsewhere; and the
// NPU's, when the platform has one.
std::string machineSource(const Platform& platform) {
  const std::string compute = platform.engines.empty() ? std::string() : platform.engines.front().computesFrom;
  std::ostringstream windows;
  int count = 0;
  uint32_t fastest = 256;
  for (const MemoryLevel& level : platform.levels) {
    for (const DmaLink& link : level.neighbours) {
      if (link.level != compute) continue;
      const uint32_t q8 = bytesPerCycleQ8(link.bytesPerCycle);
      fastest = std::max(fastest, q8);
      windows << "  {" << hexNumber(*level.baseAddress) << "u, " << level.sizeBytes << "u, " << q8 << "u}, /* " << level.name
              << " */\n";
      ++count;
    }
  }
  if (count == 0) windows << "  {0u, 0u, 256u}\n";
  const ComputeEngine* npu = platform.npuEngine();
  std::ostringstream c;
  c << "/* Generated by deeploy from platform '" << platform.name << "': the timing models of the cluster DMA"
    << (npu ? " and the NPU" : "") << ". */\n"
    << "#include \"siracusa/dma_device.h\"\n" << (npu ? "#include \"siracusa/npu_device.h\"\n" : "") << "\n"
    << "static const dp_dma_window dp_machine_windows[] = {\n" << windows.str() << "};\n\n"
    << (npu ? npuConfiguration(*npu->npu, platform) : std::string())
    << "__attribute__((constructor)) static void dp_machine_configure(void) {\n"
    << "  dp_dma_configure(dp_machine_windows, " << count << ", " << platform.machine->dmaSetupCycles << "u, " << fastest
    << "u);\n" << (npu ? "  dp_npu_configure(&dp_machine_npu);\n" : "") << "}\n";
  return c.str();
}

// Bytes of RAM the machine needs: up to the end of its highest region.
uint64_t ramBytes(const Platform& platform) {
  const MachineDescription& machine = riscvMachine(platform);
  uint64_t end = machine.systemRegion->baseAddress + machine.systemRegion->sizeBytes;
  end = std::max(end, machine.codeRegion->baseAddress + machine.codeRegion->sizeBytes);
  for (const MemoryLevel& level : platform.levels) end = std::max(end, *level.baseAddress + level.sizeBytes);
  constexpr uint64_t kRamBase = 0x80000000, kMiB = 1 << 20;
  if (machine.codeRegion->baseAddress != kRamBase) throw Error("platform '" + platform.name + "': QEMU virt's RAM starts at 0x80000000, where its code_region must start");
  return (end - kRamBase + kMiB - 1) / kMiB * kMiB;
}

// The harness prints "DP_PROFILE node <k> <hart 0> <hart 1> ..." per node and "DP_PROFILE total ...", on
// siracusa also "DP_STALL node <k> <hart 0> ..." (the timing model's stall cycles).
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
  size_t seen = 0, seenStalls = 0;
  while (std::getline(lines, line)) {
    std::istringstream fields(line);
    std::string tag, kind;
    fields >> tag >> kind;
    if (tag == "DP_DMA" || tag == "DP_NPU") {
      const bool dma = tag == "DP_DMA";
      uint64_t cycles = 0, amount = 0;  // amount: bytes (DMA) or MACs (NPU)
      size_t node = 0;
      if (kind == "total" && fields >> cycles >> amount) {
        (dma ? profile.dmaCycles : profile.npuCycles) = cycles;
        (dma ? profile.dmaBytes : profile.npuMacs) = amount;
      } else if (uint64_t waited = 0; kind == "node" && fields >> node >> cycles >> waited && node < nodes) {
        std::vector<uint64_t>& perNode = dma ? profile.dmaCyclesPerNode : profile.npuCyclesPerNode;
        std::vector<uint64_t>& waits = dma ? profile.dmaWaitPerNode : profile.npuWaitPerNode;
        perNode.resize(nodes);
        waits.resize(nodes);
        perNode[node] = cycles;
        waits[node] = waited;
      }
      continue;
    }
    if (tag != "DP_PROFILE" && tag != "DP_STALL") continue;
    if (tag == "DP_PROFILE" && kind == "total") {
      profile.perCore = countsAfter(fields);
      continue;
    }
    size_t node = 0;
    if (kind != "node" || !(fields >> node) || node >= nodes) continue;
    if (tag == "DP_STALL") {
      profile.stallsPerNode.resize(nodes);
      profile.stallsPerNode[node] = countsAfter(fields);
      seenStalls += profile.stallsPerNode[node].size() == static_cast<size_t>(cores);
      continue;
    }
    profile.perNode[node] = countsAfter(fields);
    seen += profile.perNode[node].size() == static_cast<size_t>(cores);
  }
  if (seen != nodes || profile.perCore.size() != static_cast<size_t>(cores) ||
      (!profile.stallsPerNode.empty() && seenStalls != nodes)) {
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

std::string xpulpQemuPath() {
  if (const char* env = std::getenv("DEEPLOY_XPULP_QEMU")) return env;
  return DEEPLOY_XPULP_QEMU;
}

std::string rv32MachineLinkerScript(const Platform& platform) {
  const MachineDescription& machine = riscvMachine(platform);
  if (machine.bootAddress != machine.codeRegion->baseAddress) {
    throw Error("platform '" + platform.name + "': every hart starts at boot_address, which must start the code_region");
  }
  std::ostringstream memory, levels;
  memory << "  CODE (rx) : ORIGIN = " << hexNumber(machine.codeRegion->baseAddress) << ", LENGTH = " << hexNumber(machine.codeRegion->sizeBytes)
         << "\n  SYSTEM (rw) : ORIGIN = " << hexNumber(machine.systemRegion->baseAddress)
         << ", LENGTH = " << hexNumber(machine.systemRegion->sizeBytes) << "\n";
  for (const MemoryLevel& level : platform.levels) {
    const std::string id = cIdentifier(level.name);
    memory << "  LEVEL_" << id << " (rw) : ORIGIN = " << hexNumber(*level.baseAddress) << ", LENGTH = " << hexNumber(level.sizeBytes) << "\n";
    levels << "  .dp_level_" << id << " : { *(.dp_level." << id << ".const) } > LEVEL_" << id << "\n"
           << "  .dp_level_" << id << "_bss (NOLOAD) : { . = ALIGN(8); *(.dp_level." << id << ".bss) } > LEVEL_" << id << "\n";
  }
  std::ostringstream s;
  s << "/* Generated by deeploy from platform '" << platform.name << "'. CODE holds the cluster entry (where every\n"
    << "   hart starts), code, the C library's constants and the initial data; SYSTEM the C library's and the\n"
    << "   harness's data, hart 0's stack and the heap; one region per memory level holds the arrays the\n"
    << "   generated code tags with that level (constants loaded with the program, buffers written by the\n"
    << "   network before it reads them). The symbols are those picolibc's start-up code reads. */\n"
    << "MEMORY\n{\n" << memory.str() << "}\n\nENTRY(dp_entry)\n\nSECTIONS\n{\n"
    << "  .dp_entry : { KEEP(*(.dp_entry)) } > CODE\n"
    << "  .text : {\n"
    << "    KEEP(*(.text.init.enter)) KEEP(*(SORT_BY_NAME(.init) SORT_BY_NAME(.init.*)))\n"
    << "    *(.text.unlikely .text.unlikely.*) *(.text.startup .text.startup.*) *(.text .text.*)\n"
    << "    KEEP(*(.fini .fini.*))\n"
    << "  } > CODE\n"
    << "  .rodata : {\n"
    << "    *(.rodata .rodata.* .srodata .srodata.*) *(.data.rel.ro .data.rel.ro.*)\n"
    << "    . = ALIGN(8);\n"
    << "    PROVIDE_HIDDEN(__preinit_array_start = .); KEEP(*(.preinit_array)) PROVIDE_HIDDEN(__preinit_array_end = .);\n"
    << "    PROVIDE_HIDDEN(__init_array_start = .); KEEP(*(SORT_BY_INIT_PRIORITY(.init_array.*))) KEEP(*(.init_array))\n"
    << "    PROVIDE_HIDDEN(__init_array_end = .);\n"
    << "    PROVIDE_HIDDEN(__fini_array_start = .); KEEP(*(SORT_BY_INIT_PRIORITY(.fini_array.*))) KEEP(*(.fini_array))\n"
    << "    PROVIDE_HIDDEN(__fini_array_end = .);\n"
    << "  } > CODE\n"
    << "  /* .data and .tdata are copied from CODE by one memcpy at start-up, .tbss and .bss cleared by one memset. */\n"
    << "  .data : { . = ALIGN(8); *(.data .data.*) . = ALIGN(8); PROVIDE(__global_pointer$ = . + 0x800);\n"
    << "            *(.sdata .sdata.* .sdata2.*) } > SYSTEM AT> CODE\n"
    << "  .tdata : { . = ALIGN(8); *(.tdata .tdata.*) . = ALIGN(8); } > SYSTEM AT> CODE\n"
    << "  __data_start = ADDR(.data);\n  __data_source = LOADADDR(.data);\n"
    << "  __data_size = ADDR(.tdata) + SIZEOF(.tdata) - ADDR(.data);\n"
    << "  __tls_base = ADDR(.tdata);\n  __tdata_source = LOADADDR(.tdata);\n  __tdata_size = SIZEOF(.tdata);\n"
    << "  .tbss (NOLOAD) : { *(.tbss .tbss.*) *(.tcommon) } > SYSTEM\n"
    << "  __tbss_size = SIZEOF(.tbss);\n  __tbss_offset = ADDR(.tbss) - ADDR(.tdata);\n"
    << "  /* The linker does not advance the location over .tbss: make room for it. */\n"
    << "  .tbss_space (NOLOAD) : { . = ADDR(.tbss) + SIZEOF(.tbss); } > SYSTEM\n"
    << "  .bss (NOLOAD) : { *(.sbss .sbss.*) *(.bss .bss.*) *(COMMON) . = ALIGN(8); __bss_end = .; } > SYSTEM\n"
    << "  __bss_start = ADDR(.tbss);\n  __bss_size = __bss_end - __bss_start;\n"
    << "  /* The heap grows from the end of .bss up to hart 0's stack, at the top of SYSTEM. */\n"
    << "  __stack = ORIGIN(SYSTEM) + LENGTH(SYSTEM);\n  __heap_start = __bss_end;\n  end = __bss_end;\n"
    << "  __heap_end = __stack - " << hexNumber(kHart0StackBytes) << ";\n"
    << "  ASSERT(__heap_end > __heap_start, \"SYSTEM has no room for the heap and hart 0's stack\")\n"
    << levels.str() << "}\n";
  return s.str();
}

std::string buildRv32Program(const std::string& dir, const Rv32BuildOptions& options) {
  if (options.cores < 1 || options.cores > 8) throw Error("the rv32 cluster has 1 to 8 cores, not " + std::to_string(options.cores));
  const Toolchain tools = toolchainFor(options);
  const fs::path runtime = runtimeSourceDir();
  std::vector<std::string> objects;
  // The cluster has its own DMA: the cores' copies (rv32/dma.c) or the cluster DMA device (siracusa/dma.c).
  for (const auto& entry : fs::directory_iterator(runtime / "kernels")) {
    if (entry.path().extension() == ".c" && entry.path().filename() != "dma.c") {
      objects.push_back(cachedObject(entry.path().string(), tools.compiler, tools.flags, tools.cacheTag));
    }
  }
  std::vector<fs::path> files = {runtime / "rv32" / "entry.S", runtime / "rv32" / "cluster.c"};
  if (options.machine) {
    files.insert(files.end(), {runtime / "siracusa" / "dma.c", runtime / "siracusa" / "npu.c"});
  } else {
    files.push_back(runtime / "rv32" / "dma.c");
  }
  for (const fs::path& file : files) objects.push_back(cachedObject(file.string(), tools.compiler, tools.flags, tools.cacheTag));
  std::vector<std::string> sources = {(fs::path(dir) / "network.c").string(),
                                      options.harness.empty() ? (runtime / "rv32" / "harness.c").string() : options.harness};
  if (options.machine) {
    sources.push_back((fs::path(dir) / "dp_machine.c").string());
    writeFile(sources.back(), machineSource(*options.machine));
  }
  const std::string elf = (fs::path(dir) / "network_rv32.elf").string();
  std::vector<std::string> compile = {tools.compiler};
  compile.insert(compile.end(), tools.flags.begin(), tools.flags.end());
  if (options.profile) compile.push_back("-DDP_PROFILE");
  compile.push_back("-DDP_CORES=" + std::to_string(options.cores));
  const std::string ioDir = fs::absolute(dir).string() + "/";
  compile.insert(compile.end(), {"-DDP_IO_DIR=\"" + ioDir + "\"", "-I", dir});
  for (const std::string& source : sources) {
    std::vector<std::string> cmd = compile;
    const std::string object = (fs::path(dir) / fs::path(source).stem()).string() + ".o";
    cmd.insert(cmd.end(), {"-c", source, "-o", object});
    ProcessResult r = runProcess(cmd, 600);
    if (r.exitCode != 0) throw Error("compiling the generated C for " + tools.cacheTag + " failed: " + joinCommand(cmd) + "\n" + r.output);
    objects.push_back(object);
  }
  std::vector<std::string> link = {kGcc};
  const std::vector<std::string> linking = linkFlags(options, dir);
  link.insert(link.end(), linking.begin(), linking.end());
  link.insert(link.end(), objects.begin(), objects.end());
  link.insert(link.end(), {"-lm", "-o", elf});
  ProcessResult r = runProcess(link, 600);
  if (r.exitCode != 0) throw Error("linking the generated program for " + tools.cacheTag + " failed: " + joinCommand(link) + "\n" + r.output);
  return elf;
}

std::vector<std::string> qemuCommand(const std::string& elf, int cores, bool countInstructions, const Platform* machine) {
  std::vector<std::string> cmd = {"qemu-system-riscv32", "-M", "virt", "-m", "128M"};
  if (machine) {
    const std::string qemu = xpulpQemuPath();
    if (!fs::exists(qemu)) throw Error("the emulated Siracusa cluster (" + qemu + ") is not built: run scripts/setup");
    cmd = {qemu, "-M", riscvMachine(*machine).qemuMachine, "-m", std::to_string(ramBytes(*machine) >> 20) + "M"};
    if (!machine->machine->qemuCpu.empty()) cmd.insert(cmd.end(), {"-cpu", machine->machine->qemuCpu});
  }
  cmd.insert(cmd.end(), {"-display", "none", "-monitor", "none", "-serial", "none", "-bios", "none", "-semihosting-config",
                         "enable=on,target=native", "-smp", std::to_string(cores), "-kernel", elf});
  // Exact retired-instruction counts in minstret. With the cluster DMA hart 0 sleeps for transfers;
  // sleep=off jumps the virtual clock to their modelled completion instead of letting host time pass, so
  // the counts stay deterministic.
  if (countInstructions) cmd.insert(cmd.end(), {"-icount", machine ? "shift=0,sleep=off" : "shift=0"});
  return cmd;
}

std::vector<TensorData> runRv32Program(const std::string& elf, const Graph& graph, const std::vector<TensorData>& inputs,
                                       double timeoutSeconds, int cores, InstructionProfile* profile,
                                       const Platform* machine) {
  const std::string dir = fs::path(elf).parent_path().string();
  writeInputFiles(dir, inputs);
  std::vector<std::string> cmd = qemuCommand(elf, cores, profile != nullptr, machine);
  ProcessResult r = runProcess(cmd, timeoutSeconds);
  if (r.timedOut) throw Error("the rv32 program did not finish within " + std::to_string(timeoutSeconds) + " s under QEMU");
  if (r.exitCode != 0) {
    throw Error("the rv32 program failed under QEMU (exit " + std::to_string(r.exitCode) + "):\n" + r.output);
  }
  if (profile) *profile = parseProfile(r.output, graph.nodes.size(), cores);
  return readOutputFiles(dir, graph);
}

}  // namespace deeploy
