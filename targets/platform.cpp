#include "targets/platform.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "ir/error.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace deeploy {

namespace {

constexpr double kMaxDmaBytesPerCycle = 4096;
constexpr int kMaxCores = 1024;
constexpr uint64_t kMaxAlignment = 4096;
constexpr double kMaxModelCycles = 1e9;
constexpr double kMaxClockHz = 1e11, kMaxPowerMilliwatts = 1e6, kMaxPicojoulesPerMac = 1e6;  // beyond these: typos
constexpr uint64_t kMaxNpuRegister = 0xffffffff;  // the NPU device's timing registers are 32 bits

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

// Reads the fields of one JSON object, naming the object (e.g. "memory level 'L1'") in every error.
class ObjectReader {
 public:
  ObjectReader(const json& object, std::string where, const std::string& origin)
      : object_(object), where_(std::move(where)), origin_(origin) {
    if (!object_.is_object()) fail("must be a JSON object");
  }

  [[noreturn]] void fail(const std::string& problem) const { throw Error(origin_ + ": " + where_ + ": " + problem); }

  // Rejects fields outside `known` so that a misspelt optional field is not silently ignored.
  void allowOnly(const std::vector<std::string>& known) const {
    for (const auto& [key, value] : object_.items()) {
      if (std::find(known.begin(), known.end(), key) == known.end()) {
        fail("unknown field '" + key + "' (expected " + joined(known) + ")");
      }
    }
  }

  const json& field(const std::string& key) const {
    auto it = object_.find(key);
    if (it == object_.end()) fail("missing field '" + key + "'");
    return *it;
  }
  bool has(const std::string& key) const { return object_.contains(key); }

  std::string string(const std::string& key) const {
    const json& value = field(key);
    if (!value.is_string()) fail("'" + key + "' must be a string");
    return value.get<std::string>();
  }
  std::string optionalString(const std::string& key) const { return has(key) ? string(key) : std::string(); }
  std::string name(const std::string& key) const {
    std::string text = string(key);
    if (text.empty()) fail("'" + key + "' must not be empty");
    return text;
  }

  uint64_t wholeNumber(const std::string& key, uint64_t min, uint64_t max) const {
    const json& value = field(key);
    std::string range = " between " + std::to_string(min) + " and " + std::to_string(max);
    if (!value.is_number_integer()) fail("'" + key + "' must be a whole number" + range + ", got " + value.dump());
    // Parsed files hold non-negative integers as unsigned, descriptions built in code as signed.
    bool negative = !value.is_number_unsigned() && value.get<int64_t>() < 0;
    uint64_t number = negative ? 0 : value.get<uint64_t>();
    if (negative || number < min || number > max) fail("'" + key + "' must be" + range + ", got " + value.dump());
    return number;
  }

  double positiveNumber(const std::string& key, double max) const {
    const json& value = field(key);
    if (!value.is_number() || !(value.get<double>() > 0) || value.get<double>() > max) {
      std::ostringstream s;
      s << "'" << key << "' must be a number above 0 and at most " << max << ", got " << value.dump();
      fail(s.str());
    }
    return value.get<double>();
  }

  bool optionalBoolean(const std::string& key, bool absent) const {
    if (!has(key)) return absent;
    const json& value = field(key);
    if (!value.is_boolean()) fail("'" + key + "' must be true or false, got " + value.dump());
    return value.get<bool>();
  }

  const json& array(const std::string& key, bool nonEmpty) const {
    const json& value = field(key);
    if (!value.is_array()) fail("'" + key + "' must be an array");
    if (nonEmpty && value.empty()) fail("'" + key + "' must not be empty");
    return value;
  }

  // An address: a whole number, or a string of hexadecimal digits after "0x" (as board manuals write them).
  uint64_t address(const std::string& key) const {
    const json& value = field(key);
    if (value.is_number_integer()) return wholeNumber(key, 0, kAddressSpaceBytes - 1);
    const std::string text = value.is_string() ? value.get<std::string>() : std::string();
    const bool hex = text.size() > 2 && text.size() <= 10 && text.rfind("0x", 0) == 0 &&
                     text.find_first_not_of("0123456789abcdefABCDEF", 2) == std::string::npos;
    if (!hex) {
      fail("'" + key + "' must be a 32-bit address: a whole number or \"0x\" and up to 8 hex digits, got " +
           value.dump());
    }
    return std::stoull(text.substr(2), nullptr, 16);
  }

  std::vector<std::string> strings(const std::string& key) const {
    std::vector<std::string> out;
    for (const json& item : array(key, false)) {
      if (!item.is_string()) fail("'" + key + "' must hold strings, got " + item.dump());
      out.push_back(item.get<std::string>());
    }
    return out;
  }

 private:
  const json& object_;
  std::string where_;
  const std::string& origin_;
};

std::string itemName(const json& item, const std::string& kind, size_t index) {
  if (item.is_object() && item.contains("name") && item["name"].is_string()) {
    return kind + " '" + item["name"].get<std::string>() + "'";
  }
  return kind + " #" + std::to_string(index + 1);
}

MemoryLevel parseLevel(const json& item, size_t index, const std::string& origin) {
  ObjectReader r(item, itemName(item, "memory level", index), origin);
  r.allowOnly({"name", "description", "size_bytes", "base_address", "neighbours"});
  MemoryLevel level;
  level.name = r.name("name");
  level.description = r.optionalString("description");
  level.sizeBytes = r.wholeNumber("size_bytes", 1, kMaxLevelBytes);
  if (r.has("base_address")) level.baseAddress = r.address("base_address");
  for (const json& link : r.array("neighbours", false)) {
    ObjectReader l(link, "memory level '" + level.name + "': neighbour", origin);
    l.allowOnly({"level", "dma_bytes_per_cycle"});
    level.neighbours.push_back({l.name("level"), l.positiveNumber("dma_bytes_per_cycle", kMaxDmaBytesPerCycle)});
  }
  return level;
}

CoreCostModel parseCostModel(const json& item, const std::string& engine, const std::string& origin) {
  ObjectReader r(item, "compute engine '" + engine + "': cost_model", origin);
  r.allowOnly({"int8_mac_cycles", "node_cycles", "source"});
  return {r.positiveNumber("int8_mac_cycles", kMaxModelCycles), r.positiveNumber("node_cycles", kMaxModelCycles),
          r.name("source")};
}

NpuModel parseNpu(const json& item, const std::string& engine, const std::string& origin) {
  ObjectReader r(item, "compute engine '" + engine + "': npu", origin);
  r.allowOnly({"setup_cycles", "step_cycles_1x1", "step_cycles_3x3", "step_cycles_depthwise", "stream_bytes_per_cycle",
               "weight_bytes_per_cycle", "weight_memory", "weight_memory_bytes_per_cycle", "source"});
  NpuModel npu;
  npu.setupCycles = r.wholeNumber("setup_cycles", 0, kMaxNpuRegister);
  npu.stepCycles1x1 = r.wholeNumber("step_cycles_1x1", 1, kMaxNpuRegister);
  npu.stepCycles3x3 = r.wholeNumber("step_cycles_3x3", 1, kMaxNpuRegister);
  npu.stepCyclesDepthwise = r.wholeNumber("step_cycles_depthwise", 1, kMaxNpuRegister);
  npu.streamBytesPerCycle = r.positiveNumber("stream_bytes_per_cycle", kMaxDmaBytesPerCycle);
  npu.weightBytesPerCycle = r.positiveNumber("weight_bytes_per_cycle", kMaxDmaBytesPerCycle);
  npu.weightMemory = r.optionalString("weight_memory");
  if (!npu.weightMemory.empty()) {
    npu.weightMemoryBytesPerCycle = r.positiveNumber("weight_memory_bytes_per_cycle", kMaxDmaBytesPerCycle);
  }
  npu.source = r.name("source");
  return npu;
}

ComputeEngine parseEngine(const json& item, size_t index, const std::string& origin) {
  ObjectReader r(item, itemName(item, "compute engine", index), origin);
  r.allowOnly({"name", "cores", "isa", "computes_from", "cost_model", "npu"});
  ComputeEngine engine;
  engine.name = r.name("name");
  engine.cores = static_cast<int>(r.wholeNumber("cores", 1, kMaxCores));
  engine.isaFeatures = r.strings("isa");
  engine.computesFrom = r.name("computes_from");
  if (r.has("cost_model")) engine.costModel = parseCostModel(r.field("cost_model"), engine.name, origin);
  if (r.has("npu")) engine.npu = parseNpu(r.field("npu"), engine.name, origin);
  return engine;
}

EnergyModel parseEnergyModel(const json& item, const std::string& origin) {
  ObjectReader r(item, "energy_model", origin);
  r.allowOnly({"clock_hz", "power_mw", "npu_pj_per_mac", "source"});
  EnergyModel e;
  e.clockHz = r.positiveNumber("clock_hz", kMaxClockHz);
  e.powerMilliwatts = r.positiveNumber("power_mw", kMaxPowerMilliwatts);
  if (r.has("npu_pj_per_mac")) e.npuPicojoulesPerMac = r.positiveNumber("npu_pj_per_mac", kMaxPicojoulesPerMac);
  e.source = r.name("source");
  return e;
}

AddressRegion parseRegion(const json& item, const std::string& key, const std::string& origin) {
  ObjectReader r(item, "machine: " + key, origin);
  r.allowOnly({"base_address", "size_bytes"});
  AddressRegion region{r.address("base_address"), r.wholeNumber("size_bytes", 1, kAddressSpaceBytes)};
  if (region.baseAddress + region.sizeBytes > kAddressSpaceBytes) r.fail("the region ends beyond the 32-bit address space");
  return region;
}

MachineDescription parseMachine(const json& item, const std::string& origin) {
  ObjectReader r(item, "machine", origin);
  r.allowOnly({"description", "qemu_machine", "qemu_cpu", "compiler_flags", "float_compiler_flags", "boot_address",
               "code_level", "stack_level", "code_region", "system_region", "dma_setup_cycles"});
  MachineDescription machine;
  machine.qemuMachine = r.name("qemu_machine");
  machine.qemuCpu = r.optionalString("qemu_cpu");
  machine.compilerFlags = r.strings("compiler_flags");
  if (r.has("float_compiler_flags")) machine.floatCompilerFlags = r.strings("float_compiler_flags");
  machine.bootAddress = r.address("boot_address");
  // Code and stack each live in a level or in a region of their own, not both.
  if (r.has("code_region") == r.has("code_level")) r.fail("give either 'code_level' or 'code_region'");
  if (r.has("system_region") == r.has("stack_level")) r.fail("give either 'stack_level' or 'system_region'");
  if (r.has("code_level")) machine.codeLevel = r.name("code_level");
  if (r.has("stack_level")) machine.stackLevel = r.name("stack_level");
  if (r.has("code_region")) machine.codeRegion = parseRegion(r.field("code_region"), "code_region", origin);
  if (r.has("system_region")) machine.systemRegion = parseRegion(r.field("system_region"), "system_region", origin);
  if (r.has("dma_setup_cycles")) machine.dmaSetupCycles = r.wholeNumber("dma_setup_cycles", 0, 1000000);
  return machine;
}

// A machine's levels are regions of one 32-bit address map: each has a base, none overlap, and the
// vector table at the boot address either starts a level or lies outside all of them.
void checkAddressMap(const Platform& p, const std::string& origin) {
  auto fail = [&](const std::string& problem) { throw Error(origin + ": " + problem); };
  for (const MemoryLevel& level : p.levels) {
    if (!level.baseAddress) fail("memory level '" + level.name + "' needs a 'base_address' on a platform with a machine");
    if (*level.baseAddress + level.sizeBytes > kAddressSpaceBytes) {
      fail("memory level '" + level.name + "' ends beyond the 32-bit address space");
    }
  }
  struct NamedRange {
    std::string name;
    uint64_t base, size;
  };
  std::vector<NamedRange> ranges;
  for (const MemoryLevel& level : p.levels) ranges.push_back({"memory level '" + level.name + "'", *level.baseAddress, level.sizeBytes});
  if (p.machine->codeRegion) ranges.push_back({"machine: code_region", p.machine->codeRegion->baseAddress, p.machine->codeRegion->sizeBytes});
  if (p.machine->systemRegion) {
    ranges.push_back({"machine: system_region", p.machine->systemRegion->baseAddress, p.machine->systemRegion->sizeBytes});
  }
  for (size_t a = 0; a < ranges.size(); ++a) {
    for (size_t b = a + 1; b < ranges.size(); ++b) {
      const NamedRange &x = ranges[a], &y = ranges[b];
      if (x.base < y.base + y.size && y.base < x.base + x.size) fail(x.name + " and " + y.name + " overlap");
    }
  }
  const uint64_t boot = p.machine->bootAddress;
  for (const MemoryLevel& level : p.levels) {
    if (boot > *level.baseAddress && boot < *level.baseAddress + level.sizeBytes) {
      fail("machine: 'boot_address' lies inside memory level '" + level.name + "' but not at its start");
    }
  }
}

// Cross-references: unique names; neighbours, engine levels and default levels that exist.
void checkReferences(const Platform& p, const std::string& origin) {
  auto fail = [&](const std::string& problem) { throw Error(origin + ": " + problem); };
  std::vector<std::string> levelNames;
  for (const auto& level : p.levels) {
    if (std::find(levelNames.begin(), levelNames.end(), level.name) != levelNames.end()) {
      fail("two memory levels are named '" + level.name + "'");
    }
    levelNames.push_back(level.name);
  }
  auto requireLevel = [&](const std::string& name, const std::string& user) {
    if (!p.findLevel(name)) {
      fail(user + " names level '" + name + "', which is not a memory level of this platform (levels: " +
           joined(levelNames) + ")");
    }
  };
  for (const auto& level : p.levels) {
    std::set<std::string> seen;
    for (const auto& link : level.neighbours) {
      std::string user = "memory level '" + level.name + "': neighbour";
      requireLevel(link.level, user);
      if (link.level == level.name) fail(user + " '" + link.level + "' is the level itself");
      if (!seen.insert(link.level).second) fail(user + " '" + link.level + "' is listed twice");
    }
  }
  std::set<std::string> engineNames;
  int npus = 0;
  for (const auto& engine : p.engines) {
    if (!engineNames.insert(engine.name).second) fail("two compute engines are named '" + engine.name + "'");
    requireLevel(engine.computesFrom, "compute engine '" + engine.name + "': computes_from");
    if (&engine == &p.engines.front()) {
      if (engine.npu) fail("compute engine '" + engine.name + "': the first engine must be the cores");
      continue;
    }
    if (!engine.npu) {
      fail("compute engine '" + engine.name + "': an unknown kind of engine: the first engine is the cores and any other "
           "must be an NPU (with an \"npu\" model)");
    }
    if (++npus > 1) fail("compute engine '" + engine.name + "': a platform has at most one NPU");
    if (!engine.npu->weightMemory.empty()) requireLevel(engine.npu->weightMemory, "compute engine '" + engine.name + "': npu: weight_memory");
  }
  requireLevel(p.weightLevel, "default_levels: weights");
  requireLevel(p.activationLevel, "default_levels: activations");
  requireLevel(p.ioLevel, "default_levels: io");
  if (p.machine) {
    if (!p.machine->codeRegion) requireLevel(p.machine->codeLevel, "machine: code_level");
    if (!p.machine->systemRegion) requireLevel(p.machine->stackLevel, "machine: stack_level");
    checkAddressMap(p, origin);
  }
}

}  // namespace

std::string EnergyModel::figures() const {
  char text[96];
  std::snprintf(text, sizeof text, "%.0f MHz, %.1f mW and %.3f pJ per NPU MAC", clockHz / 1e6, powerMilliwatts,
                npuPicojoulesPerMac);
  return text;
}

uint32_t bytesPerCycleQ8(double bytesPerCycle) {
  return std::max<uint32_t>(1, static_cast<uint32_t>(bytesPerCycle * 256 + 0.5));
}

const ComputeEngine* Platform::npuEngine() const {
  auto it = std::find_if(engines.begin(), engines.end(), [](const ComputeEngine& e) { return e.npu.has_value(); });
  return it == engines.end() ? nullptr : &*it;
}

const MemoryLevel* Platform::findLevel(const std::string& levelName) const {
  auto it = std::find_if(levels.begin(), levels.end(), [&](const MemoryLevel& l) { return l.name == levelName; });
  return it == levels.end() ? nullptr : &*it;
}

const MemoryLevel& Platform::level(const std::string& levelName) const {
  if (const MemoryLevel* found = findLevel(levelName)) return *found;
  throw Error("platform '" + name + "' has no memory level '" + levelName + "'");
}

size_t Platform::levelIndex(const std::string& levelName) const {
  return static_cast<size_t>(&level(levelName) - levels.data());
}

Platform parsePlatform(const json& description, const std::string& origin) {
  ObjectReader r(description, "platform", origin);
  r.allowOnly({"name", "description", "source", "alignment", "memory_levels", "compute_engines", "default_levels",
               "machine", "int16_weights", "energy_model"});
  Platform p;
  p.name = r.name("name");
  p.description = r.optionalString("description");
  p.source = r.optionalString("source");
  p.alignment = r.wholeNumber("alignment", 1, kMaxAlignment);
  if (p.alignment & (p.alignment - 1)) r.fail("'alignment' must be a power of two, got " + std::to_string(p.alignment));
  const json& levels = r.array("memory_levels", true);
  for (size_t i = 0; i < levels.size(); ++i) p.levels.push_back(parseLevel(levels[i], i, origin));
  const json& engines = r.array("compute_engines", true);
  for (size_t i = 0; i < engines.size(); ++i) p.engines.push_back(parseEngine(engines[i], i, origin));
  ObjectReader d(r.field("default_levels"), "default_levels", origin);
  d.allowOnly({"weights", "activations", "io"});
  p.weightLevel = d.name("weights");
  p.activationLevel = d.name("activations");
  p.ioLevel = d.name("io");
  if (r.has("machine")) p.machine = parseMachine(r.field("machine"), origin);
  if (r.has("energy_model")) p.energy = parseEnergyModel(r.field("energy_model"), origin);
  p.int16Weights = r.optionalBoolean("int16_weights", false);
  checkReferences(p, origin);
  return p;
}

Platform loadPlatform(const std::string& path) {
  std::ifstream file(path);
  if (!file) throw Error("cannot read platform file '" + path + "'");
  json description;
  try {
    description = json::parse(file);
  } catch (const json::parse_error& e) {
    throw Error(path + ": not valid JSON: " + e.what());
  }
  return parsePlatform(description, path);
}

std::string platformDir() {
  if (const char* env = std::getenv("DEEPLOY_PLATFORM_DIR")) return env;
  return std::string(DEEPLOY_SOURCE_DIR) + "/targets";
}

Platform builtinPlatform(const std::string& name) {
  fs::path path = fs::path(platformDir()) / (name + ".json");
  if (name.find('/') != std::string::npos || !fs::is_regular_file(path)) {
    std::vector<std::string> available;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(platformDir(), ec)) {
      if (entry.path().extension() == ".json") available.push_back(entry.path().stem().string());
    }
    std::sort(available.begin(), available.end());
    throw Error("no platform named '" + name + "' (built-in platforms: " + joined(available) +
                "; or give the path of a platform file)");
  }
  return loadPlatform(path.string());
}

Platform platformFromArgument(const std::string& fileOrName) {
  bool isPath = fs::exists(fileOrName) || fileOrName.find('/') != std::string::npos ||
                fs::path(fileOrName).extension() == ".json";
  return isPath ? loadPlatform(fileOrName) : builtinPlatform(fileOrName);
}

const Platform& hostPlatform() {
  static const Platform host = builtinPlatform("host");
  return host;
}

void overrideLevelSize(Platform& platform, const std::string& levelName, int64_t bytes) {
  auto it = std::find_if(platform.levels.begin(), platform.levels.end(),
                         [&](const MemoryLevel& l) { return l.name == levelName; });
  if (it == platform.levels.end()) {
    std::vector<std::string> names;
    for (const auto& l : platform.levels) names.push_back(l.name);
    throw Error("platform '" + platform.name + "' has no memory level '" + levelName + "' to resize (levels: " +
                joined(names) + ")");
  }
  if (bytes < 1 || static_cast<uint64_t>(bytes) > kMaxLevelBytes) {
    throw Error("the size of " + levelName + " must be between 1 and " + std::to_string(kMaxLevelBytes) +
                " bytes, got " + std::to_string(bytes));
  }
  it->sizeBytes = static_cast<uint64_t>(bytes);
}

namespace {

double linkBandwidth(const Platform& platform, const std::string& from, const std::string& to, const char* what) {
  for (const DmaLink& link : platform.level(from).neighbours) {
    if (link.level == to) return link.bytesPerCycle;
  }
  throw Error("platform '" + platform.name + "': " + what + " live in " + from + " but " + from +
              " has no DMA link to " + to + ", the level the cluster computes from");
}

}  // namespace

std::optional<TilingTarget> tilingTargetOf(const Platform& platform) {
  if (platform.engines.empty()) return std::nullopt;
  const std::string& compute = platform.engines.front().computesFrom;
  if (compute == platform.activationLevel) return std::nullopt;
  const MemoryLevel& computeLevel = platform.level(compute);
  const MemoryLevel& activationLevel = platform.level(platform.activationLevel);
  if (computeLevel.sizeBytes > activationLevel.sizeBytes) {
    throw Error("platform '" + platform.name + "': " + compute + " (" + std::to_string(computeLevel.sizeBytes) +
                " B) is larger than " + activationLevel.name + " (" + std::to_string(activationLevel.sizeBytes) +
                " B), the level it tiles from; give a smaller " + compute + " or a larger " + activationLevel.name);
  }
  TilingTarget target;
  target.computeLevel = compute;
  target.capacityBytes = platform.level(compute).sizeBytes;
  target.activationBytesPerCycle = linkBandwidth(platform, platform.activationLevel, compute, "activations");
  target.weightBytesPerCycle = platform.weightLevel == compute ? target.activationBytesPerCycle
                                                                : linkBandwidth(platform, platform.weightLevel, compute, "weights");
  return target;
}

}  // namespace deeploy
