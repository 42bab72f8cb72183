// `deeploy quantize` (tools/quantize.h) on the small float CNN of models/qdq/float_cnn (made by
// make_float_cnn.py): the written file is the integer dialect, loads again and computes what the
// in-memory quantized graph computes, and the error against the float network stays small.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>

#include "frontend/npz.h"
#include "frontend/onnx_loader.h"
#include "ops/interpreter.h"
#include "tests/support/errors.h"
#include "tests/support/single_node.h"
#include "tools/driver.h"
#include "tools/quantize.h"

namespace deeploy {
namespace {

namespace fs = std::filesystem;
const std::string kCnn = std::string(DEEPLOY_SOURCE_DIR) + "/models/qdq/float_cnn/";

QuantizeCommand cnnCommand(const fs::path& out) {
  QuantizeCommand cmd;
  cmd.model = kCnn + "network.onnx";
  cmd.calibration = kCnn + "calibration.npz";
  cmd.validation = kCnn + "validation.npz";
  cmd.output = out.string();
  return cmd;
}

fs::path scratchFile(const std::string& name) {
  fs::path dir = fs::temp_directory_path() / ("deeploy_quantize_test_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  return dir / name;
}

TEST(Quantize, TheCnnBecomesTheIntegerDialectWithASmallError) {
  const QuantizeReport report = quantizeModel(cnnCommand(scratchFile("cnn.onnx")));
  for (const Node& n : report.quantized.nodes) {
    EXPECT_TRUE(n.op != "Conv" && n.op != "Gemm" && n.op != "Relu" && n.op != "Clip" && n.op != "ReduceMean") << n.describe();
  }
  ASSERT_EQ(report.validation.size(), 1u);
  const OutputError& e = report.validation[0];
  EXPECT_EQ(report.validationSamples, 32u);
  EXPECT_LT(e.rms(), 0.01 * e.floatMaxAbs);
  EXPECT_EQ(e.rows, 32);
  EXPECT_GE(e.argmaxAgree, 29);
}

TEST(Quantize, TheWrittenFileComputesWhatTheQuantizedGraphComputes) {
  const fs::path file = scratchFile("roundtrip.onnx");
  const QuantizeReport report = quantizeModel(cnnCommand(file));
  std::vector<TensorData> inputs;
  loadTypedModel(file.string(), readNpz(kCnn + "inputs.npz"), &inputs);
  CompiledModel compiled = compileModel(file.string(), readNpz(kCnn + "inputs.npz"));
  const std::vector<TensorData> want = interpretGraph(report.quantized, inputs);
  EXPECT_EQ(testing::runOnHost(compiled), want);
}

TEST(Quantize, RejectsMismatchedSampleCounts) {
  const fs::path bad = scratchFile("bad.npz");
  writeNpz(bad.string(), {{"image", TensorData(DType::Float32, {2, 1, 3, 16, 16})}, {"extra", TensorData(DType::Float32, {3})}});
  QuantizeCommand cmd = cnnCommand(scratchFile("never.onnx"));
  cmd.calibration = bad.string();
  EXPECT_NE(testing::errorOf([&] { quantizeModel(cmd); }).find("holds 2 arrays; the model has 1 inputs"), std::string::npos);
}

}  // namespace
}  // namespace deeploy
