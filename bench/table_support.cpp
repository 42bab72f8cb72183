#include "bench/table_support.h"

#include <cstdio>
#include <filesystem>

#include "ir/error.h"
#include "ops/interpreter.h"
#include "targets/host_target.h"
#include "targets/rv32_target.h"
#include "tools/compare.h"
#include "tools/work_dir.h"

namespace fs = std::filesystem;

namespace deeploy::bench {

testing::NodeCase productNode(const std::string& op, const Attributes& attrs, std::vector<testing::NodeInput> inputs) {
  testing::NodeCase node;
  node.op = op;
  node.attrs = attrs;
  node.inputs = std::move(inputs);
  return node;
}

TensorData patternTensor(DType type, Shape shape, int64_t lo, int64_t hi, uint32_t seed) {
  std::vector<int64_t> values(elementCount(shape));
  uint32_t state = seed * 2654435761u + 1;
  for (int64_t& v : values) {
    state = state * 1664525u + 1013904223u;
    v = lo + static_cast<int64_t>((state >> 8) % static_cast<uint32_t>(hi - lo + 1));
  }
  return TensorData::fromInts(type, std::move(shape), values);
}

namespace {

std::string dimensions(int64_t m, int64_t n, int64_t k) {
  return std::to_string(m) + "x" + std::to_string(n) + "x" + std::to_string(k);
}

}  // namespace

ProductCase int8Gemm(int64_t m, int64_t n, int64_t k, const std::string& what) {
  return {"Gemm " + dimensions(m, n, k) + what,
          productNode("Gemm", {},
                      {{patternTensor(DType::Int8, {m, k}, -128, 127, 1)},
                       {patternTensor(DType::Int8, {k, n}, -128, 127, 2), true}}),
          m * n * k};
}

ProductCase int8RqMatMul(int64_t m, int64_t n, int64_t k, bool constantB) {
  Attributes attrs;
  attrs.set("div", int64_t{1} << 14);
  attrs.set("n_levels", int64_t{256});
  attrs.set("signed", int64_t{1});
  return {"RQMatMul " + dimensions(m, n, k) + (constantB ? " (B constant)" : " (B runtime)"),
          productNode("RQMatMul", attrs,
                      {{patternTensor(DType::Int8, {m, k}, -128, 127, 3)},
                       {patternTensor(DType::Int8, {k, n}, -128, 127, 4), constantB},
                       {patternTensor(DType::Int32, {n}, 1, 40, 5), true},
                       {patternTensor(DType::Int32, {1}, -3000, 3000, 6), true}}),
          m * n * k};
}

CompiledModel compileProduct(const ProductCase& c, const Platform& platform) {
  CompiledModel model;
  model.platform = platform;
  model.graph = testing::makeSingleNodeGraph(c.node);
  model.inputs = testing::runtimeInputs(c.node);
  compileGraph(model, c.label);
  return model;
}

void requireReferenceOutputs(const CompiledModel& model, const std::vector<TensorData>& outputs, const std::string& what) {
  const std::vector<TensorData> want = interpretGraph(model.graph, model.inputs);
  if (outputs != want) throw Error(what + ": the program's outputs differ from the reference interpreter's");
}

void requireExpectedOutputs(const Graph& graph, const std::vector<TensorData>& outputs, const NamedArrays& expected,
                            const std::string& what) {
  const Comparison check = compareOutputs(graph, outputs, expected);
  if (!check.passed) throw Error(what + ": the outputs differ from outputs.npz: " + check.message);
}

TestNetwork readTestNetwork(const std::string& onnxPath) {
  const fs::path folder = fs::path(onnxPath).parent_path();
  return {folder.filename().string(), onnxPath, readNpz((folder / "inputs.npz").string()), readNpz((folder / "outputs.npz").string())};
}

Rv32Run runRv32Profiled(const CompiledModel& model, const Platform* machine) {
  constexpr double kRunTimeoutSeconds = 300;
  WorkDir dir(std::nullopt);
  writeNetworkSources(dir.path(), model.network);
  const std::string elf =
      buildRv32Program(dir.path(), {needsFloatUnit(model.graph), true, model.cores, "", machine});
  Rv32Run run;
  run.outputs = runRv32Program(elf, model.graph, model.inputs, kRunTimeoutSeconds, model.cores, &run.profile, machine);
  return run;
}

int runTableProgram(int argc, char** argv, const std::function<void(const std::string& model)>& printTables) {
  const std::string defaultModel =
      (fs::path(DEEPLOY_SOURCE_DIR) / "../shared/deeploy-tests/Models/microLlama/INT8/microLlama32/network.onnx")
          .lexically_normal()
          .string();
  const std::string program = fs::path(argv[0]).filename().string();
  if (argc > 2 || (argc == 2 && std::string(argv[1]).rfind("-", 0) == 0)) {
    std::fprintf(stderr, "usage: %s [MODEL.onnx]   (default %s; inputs.npz and outputs.npz beside it)\n",
                 program.c_str(), defaultModel.c_str());
    return 2;
  }
  try {
    printTables(argc == 2 ? argv[1] : defaultModel);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: error: %s\n", program.c_str(), e.what());
    return 1;
  }
  return 0;
}

}  // namespace deeploy::bench
