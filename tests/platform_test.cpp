#include "targets/platform.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>

#include "ir/error.h"
#include "tests/support/errors.h"
#include "targets/memory_levels.h"
#include "tests/support/single_node_graph.h"
#include "tests/support/tensors.h"
#include "tools/driver.h"

namespace deeploy {
namespace {

using testing::errorOf;
using nlohmann::json;
namespace fs = std::filesystem;

// A temporary platform file, removed at the end of the test.
class PlatformFile {
 public:
  explicit PlatformFile(const std::string& text) {
    std::string pattern = (fs::temp_directory_path() / "deeploy-platform-XXXXXX").string();
    if (!mkdtemp(pattern.data())) throw Error("cannot create a temporary directory");
    dir_ = pattern;
    path_ = (fs::path(dir_) / "test_platform.json").string();
    std::ofstream(path_) << text;
  }
  explicit PlatformFile(const json& description) : PlatformFile(description.dump(2)) {}
  ~PlatformFile() { fs::remove_all(dir_); }
  const std::string& path() const { return path_; }

 private:
  std::string dir_, path_;
};

// Three levels like siracusa's, small enough for a test network to overflow.
json smallPlatform(uint64_t l1, uint64_t l2, uint64_t wmem) {
  return {{"name", "tiny"},
          {"description", "test platform"},
          {"alignment", 8},
          {"memory_levels",
           {{{"name", "L1"}, {"size_bytes", l1}, {"neighbours", {{{"level", "L2"}, {"dma_bytes_per_cycle", 8}}}}},
            {{"name", "L2"}, {"size_bytes", l2}, {"neighbours", {{{"level", "L1"}, {"dma_bytes_per_cycle", 8}}}}},
            {{"name", "WMEM"},
             {"size_bytes", wmem},
             {"neighbours", {{{"level", "L2"}, {"dma_bytes_per_cycle", 4}}, {{"level", "L1"}, {"dma_bytes_per_cycle", 4}}}}}}},
          {"compute_engines", {{{"name", "cluster"}, {"cores", 2}, {"isa", {"rv32imc"}}, {"computes_from", "L1"}}}},
          {"default_levels", {{"weights", "WMEM"}, {"activations", "L2"}, {"io", "L2"}}}};
}

bool startsWith(const std::string& text, const std::string& prefix) { return text.rfind(prefix, 0) == 0; }

TEST(Platform, ShippedHostIsOneUnboundedLevel) {
  Platform host = builtinPlatform("host");
  EXPECT_EQ(host.name, "host");
  ASSERT_EQ(host.levels.size(), 1u);
  EXPECT_EQ(host.levels[0].sizeBytes, kMaxLevelBytes);
  EXPECT_TRUE(host.levels[0].neighbours.empty());
  EXPECT_EQ(host.weightLevel, host.levels[0].name);
  EXPECT_EQ(host.activationLevel, host.levels[0].name);
  EXPECT_EQ(host.ioLevel, host.levels[0].name);
  EXPECT_EQ(host.alignment, 8u);
  EXPECT_EQ(hostPlatform().levels[0].name, host.levels[0].name);
}

TEST(Platform, ShippedSiracusaHasTheClusterHierarchy) {
  Platform p = builtinPlatform("siracusa");
  EXPECT_EQ(p.level("L1").sizeBytes, 64000u);
  EXPECT_EQ(p.level("L2").sizeBytes, 2u * 1024 * 1024);
  EXPECT_EQ(p.level("WMEM").sizeBytes, 4u * 1024 * 1024);
  ASSERT_EQ(p.level("L1").neighbours.size(), 1u);
  EXPECT_EQ(p.level("L1").neighbours[0].level, "L2");
  EXPECT_DOUBLE_EQ(p.level("L1").neighbours[0].bytesPerCycle, 8);
  ASSERT_EQ(p.engines.size(), 2u);
  EXPECT_EQ(p.engines[0].cores, 8);
  EXPECT_EQ(p.engines[0].computesFrom, "L1");
  ASSERT_TRUE(p.engines[0].costModel);
  EXPECT_GT(p.engines[0].costModel->int8MacCycles, 0);
  EXPECT_FALSE(p.engines[0].costModel->source.empty());
  // The NPU reads its weights from the weight memory, where the platform keeps constants.
  ASSERT_EQ(p.npuEngine(), &p.engines[1]);
  EXPECT_EQ(p.engines[1].npu->weightMemory, "WMEM");
  EXPECT_NE(p.engines[1].npu->source.find("N-EUREKA"), std::string::npos);
  EXPECT_EQ(p.weightLevel, "WMEM");
  EXPECT_EQ(p.activationLevel, "L2");
  EXPECT_EQ(p.ioLevel, "L2");
  EXPECT_NE(p.source.find("2408.04413"), std::string::npos);
  EXPECT_EQ(p.npuPolicy, NpuPolicy::Off) << "the command line turns the NPU on";
}

TEST(Platform, AnEnergyModelTurnsCyclesIntoTimeAndEnergy) {
  const Platform siracusa = builtinPlatform("siracusa");
  ASSERT_TRUE(siracusa.energy);
  EXPECT_NE(siracusa.energy->source.find("490 uJ/token"), std::string::npos);
  EXPECT_NE(siracusa.energy->source.find("8.84 TOp/J"), std::string::npos);
  EXPECT_DOUBLE_EQ(siracusa.energy->npuPicojoulesPerMac, 0.226);
  EXPECT_FALSE(builtinPlatform("mcu").energy);
  json d = smallPlatform(1000, 10000, 10000);
  d["energy_model"] = {{"clock_hz", 2e8}, {"power_mw", 50}, {"npu_pj_per_mac", 0.5}, {"source", "test"}};
  const Platform p = parsePlatform(d, "energy.json");
  ASSERT_TRUE(p.energy);
  EXPECT_DOUBLE_EQ(p.energy->seconds(1000000), 0.005);
  EXPECT_DOUBLE_EQ(p.energy->microjoules(1000000, 0), 250);            // 5 ms at 50 mW
  EXPECT_DOUBLE_EQ(p.energy->microjoules(1000000, 4000000), 250 + 2);  // and 4 M MACs at 0.5 pJ
  const std::vector<std::pair<std::function<void(json&)>, std::string>> bad = {
      {[](json& j) { j["energy_model"]["clock_hz"] = 0; }, "clock_hz"},
      {[](json& j) { j["energy_model"]["power_mw"] = "high"; }, "power_mw"},
      {[](json& j) { j["energy_model"]["npu_pj_per_mac"] = -1; }, "npu_pj_per_mac"},
      {[](json& j) { j["energy_model"].erase("source"); }, "source"},
      {[](json& j) { j["energy_model"]["voltage"] = 0.8; }, "unknown field 'voltage'"},
  };
  for (const auto& [mutate, text] : bad) {
    json broken = d;
    mutate(broken);
    const std::string message = errorOf([&] { parsePlatform(broken, "energy.json"); });
    EXPECT_NE(message.find(text), std::string::npos) << message;
    EXPECT_NE(message.find("energy.json"), std::string::npos) << message;
  }
}

TEST(Platform, AnNpuEngineIsCheckedAgainstTheLevels) {
  const json npu = {{"setup_cycles", 10}, {"step_cycles_1x1", 1}, {"step_cycles_3x3", 2}, {"step_cycles_depthwise", 3},
                    {"stream_bytes_per_cycle", 16}, {"weight_bytes_per_cycle", 8}, {"weight_memory", "WMEM"},
                    {"weight_memory_bytes_per_cycle", 32}, {"source", "test"}};
  json d = smallPlatform(1000, 10000, 10000);
  d["compute_engines"].push_back({{"name", "npu"}, {"cores", 1}, {"isa", json::array()}, {"computes_from", "L1"}, {"npu", npu}});
  const Platform p = parsePlatform(d, "npu.json");
  ASSERT_NE(p.npuEngine(), nullptr);
  EXPECT_EQ(p.npuEngine()->npu->stepCycles3x3, 2u);
  EXPECT_DOUBLE_EQ(p.npuEngine()->npu->weightMemoryBytesPerCycle, 32);
  EXPECT_EQ(parsePlatform(smallPlatform(1000, 10000, 10000), "plain.json").npuEngine(), nullptr);
  const std::vector<std::pair<std::function<void(json&)>, std::string>> bad = {
      {[](json& j) { j["compute_engines"][1]["npu"]["weight_memory"] = "FLASH"; }, "weight_memory"},
      {[](json& j) { j["compute_engines"][1]["npu"]["step_cycles_1x1"] = 0; }, "step_cycles_1x1"},
      {[](json& j) { j["compute_engines"][1]["npu"]["bandwidth"] = 1; }, "unknown field 'bandwidth'"},
      {[](json& j) { j["compute_engines"][1]["npu"].erase("source"); }, "source"},
      {[](json& j) { std::swap(j["compute_engines"][0], j["compute_engines"][1]); }, "the first engine must be the cores"},
      {[](json& j) {
         j["compute_engines"].push_back(j["compute_engines"][1]);
         j["compute_engines"][2]["name"] = "npu2";
       },
       "at most one NPU"},
      {[](json& j) { j["compute_engines"][0]["cost_model"] = {{"int8_mac_cycles", 0.5}, {"source", "x"}}; }, "node_cycles"},
  };
  for (const auto& [mutate, text] : bad) {
    json broken = d;
    mutate(broken);
    const std::string message = errorOf([&] { parsePlatform(broken, "npu.json"); });
    EXPECT_NE(message.find(text), std::string::npos) << message;
    EXPECT_NE(message.find("npu.json"), std::string::npos) << message;
  }
}

TEST(Platform, ShippedMcuIsSingleCoreWithFlashWeights) {
  Platform p = builtinPlatform("mcu");
  ASSERT_EQ(p.engines.size(), 1u);
  EXPECT_EQ(p.engines[0].cores, 1);
  EXPECT_EQ(p.level("L1").sizeBytes, 64u * 1024);
  EXPECT_EQ(p.level("L2").sizeBytes, 512u * 1024);
  EXPECT_EQ(p.weightLevel, "FLASH");
  EXPECT_EQ(p.activationLevel, "L2");
}

TEST(Platform, ShippedCortexMBoardsCarryTheirAddressMapAndMachine) {
  Platform m55 = builtinPlatform("cortex-m55");
  ASSERT_TRUE(m55.machine);
  EXPECT_EQ(m55.machine->qemuMachine, "mps3-an547");
  EXPECT_EQ(m55.machine->compilerFlags, (std::vector<std::string>{"-mcpu=cortex-m55", "-mfloat-abi=hard"}));
  EXPECT_EQ(m55.machine->bootAddress, 0u);
  EXPECT_EQ(*m55.level("QSPI").baseAddress, 0x28000000u);
  EXPECT_EQ(*m55.level("DTCM").baseAddress, 0x20000000u);
  EXPECT_EQ(m55.level("DTCM").sizeBytes, 512u * 1024);
  EXPECT_EQ(m55.engines[0].cores, 1);
  // The shipped language model at a 256-token context: 567016 B of weights in the weight level, a
  // 21656 B arena and 262144 B of KV caches in the activation level.
  EXPECT_LE(567016u, m55.level(m55.weightLevel).sizeBytes);
  EXPECT_LE(21656u + 262144u, m55.level(m55.activationLevel).sizeBytes);

  Platform m4 = builtinPlatform("cortex-m4");
  ASSERT_TRUE(m4.machine);
  EXPECT_EQ(m4.machine->qemuMachine, "mps2-an386");
  EXPECT_EQ(m4.machine->compilerFlags[1], "-mfpu=fpv4-sp-d16");
  EXPECT_EQ(*m4.level(m4.weightLevel).baseAddress, m4.machine->bootAddress) << "the code SRAM at 0 boots";
  EXPECT_EQ(*m4.level("PSRAM").baseAddress, 0x21000000u);
}

TEST(Platform, SiracusaIsAnEmulatedClusterWithLevelsAtAddressesOfTheirOwn) {
  Platform p = builtinPlatform("siracusa");
  ASSERT_TRUE(p.machine);
  EXPECT_EQ(p.machine->qemuMachine, "virt");
  EXPECT_EQ(p.machine->qemuCpu, "rv32,xcorev=true");
  EXPECT_NE(p.machine->compilerFlags[0].find("xcvsimd"), std::string::npos);
  EXPECT_NE(p.machine->floatCompilerFlags[0].find("rv32imfc"), std::string::npos);
  ASSERT_TRUE(p.machine->codeRegion && p.machine->systemRegion);
  EXPECT_EQ(p.machine->codeRegion->baseAddress, p.machine->bootAddress) << "every hart starts at the code";
  EXPECT_EQ(*p.level("WMEM").baseAddress, 0x81000000u);
  EXPECT_EQ(*p.level("L2").baseAddress, 0x82000000u);
  EXPECT_EQ(*p.level("L1").baseAddress, 0x83000000u);
  EXPECT_EQ(p.engines[0].cores, 8);
  EXPECT_GT(p.machine->dmaSetupCycles, 0u);
}

TEST(Platform, MachineRegionsOutsideTheLevelsAreReadAndChecked) {
  json d = smallPlatform(1000, 2000, 3000);
  d["memory_levels"][0]["base_address"] = "0x83000000";
  d["memory_levels"][1]["base_address"] = "0x82000000";
  d["memory_levels"][2]["base_address"] = "0x81000000";
  d["machine"] = {{"qemu_machine", "virt"},
                  {"qemu_cpu", "rv32"},
                  {"compiler_flags", {"-march=rv32imc"}},
                  {"boot_address", "0x80000000"},
                  {"code_region", {{"base_address", "0x80000000"}, {"size_bytes", 4096}}},
                  {"system_region", {{"base_address", "0x84000000"}, {"size_bytes", 65536}}},
                  {"dma_setup_cycles", 12}};
  Platform p = parsePlatform(d, "cluster.json");
  ASSERT_TRUE(p.machine->systemRegion);
  EXPECT_EQ(p.machine->systemRegion->sizeBytes, 65536u);
  EXPECT_EQ(p.machine->dmaSetupCycles, 12u);
  EXPECT_TRUE(p.machine->floatCompilerFlags.empty());

  const std::vector<std::pair<std::function<void(json&)>, std::string>> broken = {
      {[](json& d) { d["machine"]["code_level"] = "L2"; }, "give either 'code_level' or 'code_region'"},
      {[](json& d) { d["machine"].erase("system_region"); }, "give either 'stack_level' or 'system_region'"},
      {[](json& d) { d["machine"]["system_region"]["base_address"] = "0x82000100"; },
       "memory level 'L2' and machine: system_region overlap"},
      {[](json& d) { d["machine"]["code_region"]["size_bytes"] = 0; }, "machine: code_region"},
  };
  for (const auto& [breakIt, expected] : broken) {
    json b = d;
    breakIt(b);
    const std::string message = errorOf([&] { parsePlatform(b, "cluster.json"); });
    EXPECT_NE(message.find("cluster.json: "), std::string::npos) << expected << ": " << message;
    EXPECT_NE(message.find(expected), std::string::npos) << message;
  }
}

// smallPlatform on a board: regions at 0x10000000, 0x20000000 and 0x30000000, booting from L1.
json machinePlatform() {
  json d = smallPlatform(1000, 2000, 3000);
  d["memory_levels"][0]["base_address"] = "0x10000000";
  d["memory_levels"][1]["base_address"] = "0x20000000";
  d["memory_levels"][2]["base_address"] = 805306368;  // 0x30000000 as a whole number
  d["machine"] = {{"qemu_machine", "mps2-an386"},
                  {"compiler_flags", {"-mcpu=cortex-m4"}},
                  {"boot_address", "0x10000000"},
                  {"code_level", "WMEM"},
                  {"stack_level", "L2"}};
  return d;
}

TEST(Platform, MachineFieldsAreReadAndChecked) {
  Platform p = parsePlatform(machinePlatform(), "board.json");
  ASSERT_TRUE(p.machine);
  EXPECT_EQ(*p.level("L1").baseAddress, 0x10000000u);
  EXPECT_EQ(*p.level("WMEM").baseAddress, 0x30000000u);
  EXPECT_EQ(p.machine->codeLevel, "WMEM");
  EXPECT_EQ(p.machine->stackLevel, "L2");
  EXPECT_FALSE(parsePlatform(smallPlatform(1, 2, 3), "plain.json").machine);

  const std::vector<std::pair<std::function<void(json&)>, std::string>> broken = {
      {[](json& d) { d["memory_levels"][1].erase("base_address"); },
       "memory level 'L2' needs a 'base_address' on a platform with a machine"},
      {[](json& d) { d["memory_levels"][1]["base_address"] = "0x100003e0"; }, "memory level 'L1' and memory level 'L2' overlap"},
      {[](json& d) { d["memory_levels"][1]["base_address"] = "20000000"; }, "'base_address' must be a 32-bit address"},
      {[](json& d) { d["memory_levels"][1]["base_address"] = "0x1ffffffff"; }, "'base_address' must be a 32-bit address"},
      {[](json& d) { d["memory_levels"][2]["base_address"] = "0xfffffff0"; },
       "memory level 'WMEM' ends beyond the 32-bit address space"},
      {[](json& d) { d["machine"]["boot_address"] = "0x10000004"; },
       "machine: 'boot_address' lies inside memory level 'L1' but not at its start"},
      {[](json& d) { d["machine"]["code_level"] = "FLASH"; }, "machine: code_level names level 'FLASH'"},
      {[](json& d) { d["machine"].erase("qemu_machine"); }, "machine: missing field 'qemu_machine'"},
      {[](json& d) { d["machine"]["cpu"] = "m4"; }, "machine: unknown field 'cpu'"},
  };
  for (const auto& [breakIt, expected] : broken) {
    json d = machinePlatform();
    breakIt(d);
    const std::string message = errorOf([&] { parsePlatform(d, "board.json"); });
    EXPECT_NE(message.find("board.json: "), std::string::npos) << message;
    EXPECT_NE(message.find(expected), std::string::npos) << message;
  }
}

TEST(Platform, ArgumentIsANameOrAFile) {
  PlatformFile file(smallPlatform(1000, 2000, 3000));
  Platform fromFile = platformFromArgument(file.path());
  EXPECT_EQ(fromFile.name, "tiny");
  EXPECT_EQ(fromFile.level("L2").sizeBytes, 2000u);
  EXPECT_EQ(fromFile.levelIndex("WMEM"), 2u);
  EXPECT_EQ(platformFromArgument("siracusa").name, "siracusa");
  EXPECT_NE(errorOf([] { builtinPlatform("nonexistent"); }).find("no platform named 'nonexistent'"), std::string::npos);
  EXPECT_NE(errorOf([] { builtinPlatform("nonexistent"); }).find("siracusa"), std::string::npos);
  EXPECT_NE(errorOf([] { platformFromArgument("/nonexistent/p.json"); }).find("cannot read platform file"),
            std::string::npos);
}

TEST(Platform, FileErrorsNameTheFile) {
  PlatformFile broken(std::string("{ \"name\": \"x\", "));
  std::string message = errorOf([&] { loadPlatform(broken.path()); });
  EXPECT_NE(message.find(broken.path()), std::string::npos) << message;
  EXPECT_NE(message.find("not valid JSON"), std::string::npos) << message;

  json bad = smallPlatform(1000, 2000, 3000);
  bad["memory_levels"][1]["size_bytes"] = 0;
  PlatformFile zero(bad);
  message = errorOf([&] { loadPlatform(zero.path()); });
  EXPECT_NE(message.find(zero.path()), std::string::npos) << message;
  EXPECT_NE(message.find("memory level 'L2'"), std::string::npos) << message;
}

struct ValidationCase {
  std::string what;
  std::function<void(json&)> breakIt;
  std::string expected;  // a part of the error message
};

// Keeps ctest's test names readable (gtest would print the struct's bytes).
void PrintTo(const ValidationCase& c, std::ostream* os) { *os << c.what; }

class PlatformValidation : public ::testing::TestWithParam<ValidationCase> {};

TEST_P(PlatformValidation, RejectsWithAClearMessage) {
  json description = smallPlatform(1000, 2000, 3000);
  GetParam().breakIt(description);
  std::string message = errorOf([&] { parsePlatform(description, "test.json"); });
  EXPECT_NE(message.find("test.json: "), std::string::npos) << message;
  EXPECT_NE(message.find(GetParam().expected), std::string::npos) << message;
}

json& level(json& d, size_t i) { return d["memory_levels"][i]; }

INSTANTIATE_TEST_SUITE_P(
    Platform, PlatformValidation,
    ::testing::Values(
        ValidationCase{"NotAnObject", [](json& d) { d = json::array(); }, "platform: must be a JSON object"},
        ValidationCase{"MissingName", [](json& d) { d.erase("name"); }, "missing field 'name'"},
        ValidationCase{"EmptyName", [](json& d) { d["name"] = ""; }, "'name' must not be empty"},
        ValidationCase{"MissingLevels", [](json& d) { d.erase("memory_levels"); }, "missing field 'memory_levels'"},
        ValidationCase{"NoLevels", [](json& d) { d["memory_levels"] = json::array(); },
                       "'memory_levels' must not be empty"},
        ValidationCase{"MissingEngines", [](json& d) { d.erase("compute_engines"); },
                       "missing field 'compute_engines'"},
        ValidationCase{"MissingDefaults", [](json& d) { d.erase("default_levels"); },
                       "missing field 'default_levels'"},
        ValidationCase{"MissingIoDefault", [](json& d) { d["default_levels"].erase("io"); },
                       "default_levels: missing field 'io'"},
        ValidationCase{"MissingAlignment", [](json& d) { d.erase("alignment"); }, "missing field 'alignment'"},
        ValidationCase{"MissingSize", [](json& d) { level(d, 0).erase("size_bytes"); },
                       "memory level 'L1': missing field 'size_bytes'"},
        ValidationCase{"MissingLevelName", [](json& d) { level(d, 1).erase("name"); },
                       "memory level #2: missing field 'name'"},
        ValidationCase{"ZeroSize", [](json& d) { level(d, 0)["size_bytes"] = 0; },
                       "'size_bytes' must be between 1 and 1099511627776, got 0"},
        ValidationCase{"NegativeSize", [](json& d) { level(d, 0)["size_bytes"] = -64; }, "got -64"},
        ValidationCase{"AbsurdSize", [](json& d) { level(d, 2)["size_bytes"] = (uint64_t{1} << 40) + 1; },
                       "memory level 'WMEM': 'size_bytes' must be between 1 and 1099511627776"},
        ValidationCase{"FractionalSize", [](json& d) { level(d, 0)["size_bytes"] = 1.5; }, "must be a whole number"},
        ValidationCase{"TextSize", [](json& d) { level(d, 0)["size_bytes"] = "64k"; }, "must be a whole number"},
        ValidationCase{"DuplicateLevel", [](json& d) { level(d, 2)["name"] = "L1"; },
                       "two memory levels are named 'L1'"},
        ValidationCase{"UnknownNeighbour", [](json& d) { level(d, 0)["neighbours"][0]["level"] = "L3"; },
                       "memory level 'L1': neighbour names level 'L3', which is not a memory level of this "
                       "platform (levels: L1, L2, WMEM)"},
        ValidationCase{"SelfNeighbour", [](json& d) { level(d, 0)["neighbours"][0]["level"] = "L1"; },
                       "neighbour 'L1' is the level itself"},
        ValidationCase{"RepeatedNeighbour",
                       [](json& d) { level(d, 0)["neighbours"].push_back(level(d, 0)["neighbours"][0]); },
                       "neighbour 'L2' is listed twice"},
        ValidationCase{"ZeroBandwidth", [](json& d) { level(d, 1)["neighbours"][0]["dma_bytes_per_cycle"] = 0; },
                       "'dma_bytes_per_cycle' must be a number above 0"},
        ValidationCase{"MissingBandwidth", [](json& d) { level(d, 1)["neighbours"][0].erase("dma_bytes_per_cycle"); },
                       "memory level 'L2': neighbour: missing field 'dma_bytes_per_cycle'"},
        ValidationCase{"UnknownComputeLevel", [](json& d) { d["compute_engines"][0]["computes_from"] = "TCDM"; },
                       "compute engine 'cluster': computes_from names level 'TCDM'"},
        ValidationCase{"ZeroCores", [](json& d) { d["compute_engines"][0]["cores"] = 0; },
                       "compute engine 'cluster': 'cores' must be between 1 and 1024"},
        ValidationCase{"DuplicateEngine",
                       [](json& d) { d["compute_engines"].push_back(d["compute_engines"][0]); },
                       "two compute engines are named 'cluster'"},
        ValidationCase{"UnknownEngineKind",
                       [](json& d) {
                         d["compute_engines"].push_back(
                             {{"name", "dsp"}, {"cores", 1}, {"isa", json::array()}, {"computes_from", "L1"}});
                       },
                       "compute engine 'dsp': an unknown kind of engine"},
        ValidationCase{"IsaNotStrings", [](json& d) { d["compute_engines"][0]["isa"] = {1, 2}; },
                       "'isa' must hold strings"},
        ValidationCase{"UnknownWeightLevel", [](json& d) { d["default_levels"]["weights"] = "L3"; },
                       "default_levels: weights names level 'L3'"},
        ValidationCase{"UnknownActivationLevel", [](json& d) { d["default_levels"]["activations"] = "SRAM"; },
                       "default_levels: activations names level 'SRAM'"},
        ValidationCase{"AlignmentNotPowerOfTwo", [](json& d) { d["alignment"] = 12; },
                       "'alignment' must be a power of two, got 12"},
        ValidationCase{"ZeroAlignment", [](json& d) { d["alignment"] = 0; }, "'alignment' must be between 1 and"},
        ValidationCase{"MisspeltField", [](json& d) { level(d, 0)["size"] = 5; },
                       "memory level 'L1': unknown field 'size'"}),
    [](const ::testing::TestParamInfo<ValidationCase>& info) { return info.param.what; });

TEST(Platform, OverridesReplaceL1AndL2) {
  Platform p = builtinPlatform("siracusa");
  overrideLevelSize(p, "L1", 128000);
  overrideLevelSize(p, "L2", static_cast<int64_t>(kMaxLevelBytes));
  EXPECT_EQ(p.level("L1").sizeBytes, 128000u);
  EXPECT_EQ(p.level("L2").sizeBytes, kMaxLevelBytes);
  EXPECT_NE(errorOf([&] { overrideLevelSize(p, "L1", 0); }).find("must be between 1 and"), std::string::npos);
  EXPECT_NE(errorOf([&] { overrideLevelSize(p, "L1", -4); }).find("got -4"), std::string::npos);
  int64_t tooLarge = static_cast<int64_t>(kMaxLevelBytes) + 1;
  EXPECT_NE(errorOf([&] { overrideLevelSize(p, "L2", tooLarge); }).find("got 1099511627777"), std::string::npos);
  EXPECT_EQ(p.level("L1").sizeBytes, 128000u);  // a rejected override changes nothing

  Platform host = builtinPlatform("host");
  EXPECT_NE(errorOf([&] { overrideLevelSize(host, "L1", 1000); }).find("platform 'host' has no memory level 'L1'"),
            std::string::npos);
}

TEST(Platform, ResolveAppliesCommandLineOverrides) {
  Platform p = resolvePlatform({"siracusa", 32000, 1000000});
  EXPECT_EQ(p.level("L1").sizeBytes, 32000u);
  EXPECT_EQ(p.level("L2").sizeBytes, 1000000u);
  EXPECT_EQ(resolvePlatform({}).name, "host");
  EXPECT_NE(errorOf([] { resolvePlatform({"host", std::nullopt, 4096}); }).find("no memory level 'L2'"),
            std::string::npos);
}

TEST(Platform, TheNpuPolicyHoldsOnTheTargetWithTheNpuOnly) {
  PlatformChoice choice{"siracusa"};
  EXPECT_EQ(resolvePlatform(choice, "siracusa").npuPolicy, NpuPolicy::Auto) << "the default";
  EXPECT_EQ(resolvePlatform(choice, "host").npuPolicy, NpuPolicy::Off) << "the host has no NPU to run tasks";
  choice.npu = NpuPolicy::All;
  EXPECT_EQ(resolvePlatform(choice, "siracusa").npuPolicy, NpuPolicy::All);
  EXPECT_NE(errorOf([&] { resolvePlatform(choice, "rv32"); }).find("--npu all needs --target siracusa"), std::string::npos);
}

TEST(Platform, Int16WeightsAreThePlatformsChoiceUnlessTheCommandLineSaysOtherwise) {
  EXPECT_TRUE(builtinPlatform("cortex-m4").int16Weights);
  EXPECT_FALSE(builtinPlatform("cortex-m55").int16Weights);
  EXPECT_FALSE(hostPlatform().int16Weights);
  EXPECT_FALSE(resolvePlatform({.fileOrName = "cortex-m4", .int16Weights = false}).int16Weights);
  EXPECT_TRUE(resolvePlatform({.fileOrName = "host", .int16Weights = true}).int16Weights);
  EXPECT_TRUE(resolvePlatform({}, "cortex-m4").int16Weights);
  json d = smallPlatform(1, 2, 3);
  d["int16_weights"] = true;
  EXPECT_TRUE(parsePlatform(d, "wide.json").int16Weights);
  d["int16_weights"] = 1;
  EXPECT_NE(errorOf([&] { parsePlatform(d, "wide.json"); }).find("'int16_weights' must be true or false, got 1"),
            std::string::npos);
}

// x -> Add(x, c1) -> t -> Add(t, c2) -> y, float32 [n]: two constants, three activation buffers.
CompiledModel compileTwoAdds(const Platform& platform, int64_t n) {
  CompiledModel model;
  model.platform = platform;
  Graph& g = model.graph;
  Tensor x;
  x.name = "x";
  x.dtype = x.declaredType = DType::Float32;
  x.shape = {n};
  g.inputs.push_back(g.addTensor(x));
  std::vector<double> ones(static_cast<size_t>(n), 1.0), first(static_cast<size_t>(n)), second(static_cast<size_t>(n));
  // Distinct values: tiling shares equal constant slices, and this test counts every constant byte.
  for (size_t i = 0; i < first.size(); ++i) {
    first[i] = static_cast<double>(i);
    second[i] = static_cast<double>(i) + 1000;
  }
  TensorId c1 = g.addConstant("c1", testing::floats({n}, first));
  TensorId c2 = g.addConstant("c2", testing::floats({n}, second));
  TensorId t = g.addTensor({.name = "t"}), y = g.addTensor({.name = "y"});
  g.nodes.push_back({"add1", "Add", "", {g.inputs[0], c1}, {t}, {}});
  g.nodes.push_back({"add2", "Add", "", {t, c2}, {y}, {}});
  g.outputs.push_back(y);
  model.inputs = {testing::floats({n}, ones)};
  compileGraph(model, "two adds");
  return model;
}

TEST(MemoryLevels, AssignsConstantsActivationsAndIo) {
  PlatformFile file(smallPlatform(1000, 1 << 20, 1 << 20));
  Platform p = loadPlatform(file.path());
  CompiledModel model = compileTwoAdds(p, 100);
  const Graph& g = model.graph;
  const auto& levelOf = model.memoryLevels.levelOfTensor;
  const int l1 = 0, l2 = 1, wmem = 2;
  for (size_t t = 0; t < g.tensors.size(); ++t) {
    const Tensor& tensor = g.tensors[t];
    bool isConstant = tensor.name == "c1" || tensor.name == "c2";
    bool isActivation = tensor.name == "x" || tensor.name == "t" || tensor.name == "y";
    if (isConstant || isActivation) {
      EXPECT_EQ(levelOf[t], isConstant ? wmem : l2) << tensor.name;
    }
    EXPECT_NE(levelOf[t], l1) << tensor.name;
  }
  const auto& levels = model.memoryLevels.levels;
  ASSERT_EQ(levels.size(), 3u);
  // The two Adds are computed in L1 tiles: their buffers are all L1 holds.
  EXPECT_EQ(levels[l1].usedBytes(), model.network.l1ArenaBytes);
  EXPECT_GT(levels[l1].tileBytes, 0u);
  EXPECT_LE(levels[l1].tileBytes, 1000u);
  EXPECT_EQ(levels[l1].computingEngines, std::vector<std::string>{"cluster"});
  EXPECT_TRUE(levels[l2].holdsArena);
  EXPECT_EQ(levels[l2].arenaBytes, model.network.memory.plan.arenaSize);
  EXPECT_EQ(levels[l2].arenaLowerBound, model.network.memory.lowerBound);
  EXPECT_EQ(levels[l2].ioBytes, 800u);  // x and y: 100 floats each
  EXPECT_EQ(levels[l2].constantBytes, 0u);
  // Everything the generator emitted as const data: c1 and c2 (800 B) and any kernel parameter arrays.
  EXPECT_EQ(levels[wmem].constantBytes, model.network.constantBytes);
  EXPECT_GE(levels[wmem].constantBytes, 800u);
  EXPECT_EQ(levels[wmem].capacityBytes, 1u << 20);

  std::string text = memoryReportText(model);
  EXPECT_NE(text.find("platform: tiny"), std::string::npos) << text;
  EXPECT_NE(text.find("L1: " + std::to_string(model.network.l1ArenaBytes) + " / 1000 B"), std::string::npos) << text;
  EXPECT_NE(text.find("tile buffers"), std::string::npos) << text;
  EXPECT_NE(text.find("WMEM: " + std::to_string(model.network.constantBytes) + " / 1048576 B"), std::string::npos)
      << text;
  json report = json::parse(memoryReportJson(model));
  EXPECT_EQ(report["platform"], "tiny");
  EXPECT_EQ(report["memory_levels"][2]["constant_bytes"], model.network.constantBytes);
  EXPECT_EQ(report["memory_levels"][1]["arena_bytes"], model.network.memory.plan.arenaSize);
  EXPECT_EQ(report["inputs"][0]["level"], "L2");
  EXPECT_EQ(report["buffers"][0]["level"], "L2");
  EXPECT_EQ(report["arena_bytes"], model.network.memory.plan.arenaSize);  // the old fields stay
}

// The compile report lists every node the NPU could run with both engines' cycles and the choice.
TEST(MemoryLevels, TheReportShowsTheEngineMapping) {
  Attributes rq;
  rq.set("div", int64_t{256});
  rq.set("n_levels", int64_t{256});
  rq.set("signed", int64_t{1});
  const testing::NodeCase product{"RQMatMul", rq,
                                  {{testing::pattern(DType::Int8, {4, 64}, -128, 127, 1)},
                                   {testing::pattern(DType::Int8, {64, 64}, -100, 27, 2), true},
                                   {testing::pattern(DType::Int32, {64}, 1, 300, 3), true},
                                   {testing::pattern(DType::Int32, {64}, -5000, 5000, 4), true}}};
  CompiledModel model;
  model.platform = builtinPlatform("siracusa");
  model.platform.npuPolicy = NpuPolicy::Auto;
  model.graph = testing::makeSingleNodeGraph(product);
  compileGraph(model, "report test");
  ASSERT_EQ(model.engineDecisions.size(), 1u);
  const json report = json::parse(memoryReportJson(model));
  ASSERT_EQ(report["engine_decisions"].size(), 1u);
  EXPECT_EQ(report["engine_decisions"][0]["node"], model.graph.nodes[0].name);
  EXPECT_EQ(report["engine_decisions"][0]["engine"], "npu");
  EXPECT_EQ(report["engine_decisions"][0]["npu_modelled_cycles"], model.engineDecisions[0].npuCycles);
  EXPECT_GT(report["engine_decisions"][0]["cores_estimated_cycles"].get<uint64_t>(), model.engineDecisions[0].npuCycles);
  // Every L1 buffer of every tiled node, inside that node's L1 bytes.
  ASSERT_EQ(report["tiled_nodes"].size(), model.network.tiledNodes.size());
  ASSERT_FALSE(report["tiled_nodes"].empty());
  for (const json& node : report["tiled_nodes"]) {
    ASSERT_FALSE(node["l1_buffers"].empty()) << node.dump();
    for (const json& buffer : node["l1_buffers"]) {
      EXPECT_LE(buffer["offset"].get<size_t>() + buffer["bytes"].get<size_t>(), node["l1_bytes"].get<size_t>()) << buffer.dump();
      EXPECT_LE(buffer["first_tile"].get<int>(), buffer["last_tile"].get<int>()) << buffer.dump();
    }
  }
  const std::string text = memoryReportText(model);
  EXPECT_NE(text.find("engine mapping"), std::string::npos) << text;
  EXPECT_NE(text.find(std::to_string(model.engineDecisions[0].coreCycles) + "  npu"), std::string::npos) << text;
}

TEST(MemoryLevels, FailsNamingTheLevelTheNeedAndTheCapacity) {
  PlatformFile roomy(smallPlatform(500, 1 << 20, 1 << 20));
  CompiledModel reference = compileTwoAdds(loadPlatform(roomy.path()), 100);
  size_t arena = reference.network.memory.plan.arenaSize;
  size_t constants = reference.network.constantBytes;

  PlatformFile exact(smallPlatform(500, arena, constants));
  EXPECT_NO_THROW(compileTwoAdds(loadPlatform(exact.path()), 100));

  PlatformFile smallL2(smallPlatform(500, arena - 1, 1 << 20));
  std::string message = errorOf([&] { compileTwoAdds(loadPlatform(smallL2.path()), 100); });
  EXPECT_TRUE(startsWith(message, "platform 'tiny': activations need " + std::to_string(arena) +
                                      " B in L2 but L2 has " + std::to_string(arena - 1) + " B"))
      << message;

  PlatformFile smallWmem(smallPlatform(500, 1 << 20, constants - 1));
  EXPECT_EQ(errorOf([&] { compileTwoAdds(loadPlatform(smallWmem.path()), 100); }),
            "platform 'tiny': constants need " + std::to_string(constants) + " B in WMEM but WMEM has " +
                std::to_string(constants - 1) + " B");

  // Weights and activations sharing a level must fit together.
  json shared = smallPlatform(500, arena + constants - 1, 1 << 20);
  shared["default_levels"]["weights"] = "L2";
  PlatformFile sharedFile(shared);
  message = errorOf([&] { compileTwoAdds(loadPlatform(sharedFile.path()), 100); });
  EXPECT_TRUE(startsWith(message, "platform 'tiny': constants and activations need " +
                                      std::to_string(arena + constants) + " B (" + std::to_string(constants) +
                                      " B + " + std::to_string(arena) + " B) in L2 but L2 has " +
                                      std::to_string(arena + constants - 1) + " B"))
      << message;
}

TEST(MemoryLevels, SaysWhenOnlyTheArenaPlanIsTooLoose) {
  Platform p = loadPlatform(PlatformFile(smallPlatform(1000, 800, 1 << 20)).path());
  MemoryLevelPlacement placement;
  for (const MemoryLevel& level : p.levels) {
    placement.levels.push_back({.level = level.name, .capacityBytes = level.sizeBytes});
  }
  LevelUsage& l2 = placement.levels[1];
  l2.holdsArena = true;
  l2.arenaBytes = 1000;
  l2.arenaLowerBound = 600;
  EXPECT_EQ(errorOf([&] { requireLevelsFit(placement, p); }),
            "platform 'tiny': activations need 1000 B in L2 but L2 has 800 B (the arena's lower bound is 600 B: a "
            "tighter plan could fit)");
  l2.arenaLowerBound = 900;
  EXPECT_EQ(errorOf([&] { requireLevelsFit(placement, p); }),
            "platform 'tiny': activations need 1000 B in L2 but L2 has 800 B");
  // KV caches beside the arena leave the lower bound no room: no hint.
  l2.arenaLowerBound = 600;
  l2.cacheBytes = 300;
  EXPECT_EQ(errorOf([&] { requireLevelsFit(placement, p); }),
            "platform 'tiny': activations need 1000 B besides KV caches of 300 B in L2 but L2 has 800 B");
  l2.cacheBytes = 0;
  l2.arenaBytes = 800;
  EXPECT_NO_THROW(requireLevelsFit(placement, p));
}

TEST(MemoryLevels, IoOutsideTheArenaIsRejectedUntilCodegenSupportsIt) {
  json split = smallPlatform(1000, 1 << 20, 1 << 20);
  split["default_levels"]["io"] = "WMEM";
  PlatformFile file(split);
  std::string message = errorOf([&] { compileTwoAdds(loadPlatform(file.path()), 4); });
  EXPECT_NE(message.find("puts I/O in WMEM and activations in L2"), std::string::npos) << message;
}

}  // namespace
}  // namespace deeploy
