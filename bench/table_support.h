// What the instruction-count tables (deeploy_rv32_table, deeploy_cortex_m_table) share: one-node
// products with deterministic operands, the checks every measured result passes, and the programs'
// command line.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "targets/instruction_profile.h"
#include "tests/support/single_node_graph.h"
#include "tools/driver.h"

namespace deeploy::bench {

struct ProductCase {
  std::string label;
  testing::NodeCase node;  // constant inputs are initializers (weights)
  int64_t macs = 0;
};

testing::NodeCase productNode(const std::string& op, const Attributes& attrs, std::vector<testing::NodeInput> inputs);

// Deterministic values spread over [lo, hi] (a linear congruential sequence, `seed` varies it).
TensorData patternTensor(DType type, Shape shape, int64_t lo, int64_t hi, uint32_t seed);

// int8 Gemm of M x N x K: A runtime, B constant, int32 out. `what` is appended to the label.
ProductCase int8Gemm(int64_t m, int64_t n, int64_t k, const std::string& what = "");
// RQMatMul as the requantization fusion makes it: per-column mul, per-tensor add, int8 out.
ProductCase int8RqMatMul(int64_t m, int64_t n, int64_t k, bool constantB);

// The case's one-node graph with its runtime inputs, compiled for `platform`.
CompiledModel compileProduct(const ProductCase& c, const Platform& platform);

// Throw Error naming `what` unless `outputs` are the reference interpreter's for the model's graph and
// inputs, or match a test's outputs.npz arrays (tools/compare).
void requireReferenceOutputs(const CompiledModel& model, const std::vector<TensorData>& outputs, const std::string& what);
void requireExpectedOutputs(const Graph& graph, const std::vector<TensorData>& outputs, const NamedArrays& expected,
                            const std::string& what);

// A compiled model built with instruction profiling for the stock rv32 machine (machine nullptr) or a
// platform's RV32 machine (siracusa), run under QEMU.
struct Rv32Run {
  std::vector<TensorData> outputs;
  InstructionProfile profile;
};
Rv32Run runRv32Profiled(const CompiledModel& model, const Platform* machine = nullptr);

// A conformance test's network and the arrays beside it.
struct TestNetwork {
  std::string name;  // the test folder's
  std::string onnx;
  NamedArrays inputs;   // inputs.npz
  NamedArrays outputs;  // outputs.npz
};
TestNetwork readTestNetwork(const std::string& onnxPath);

// The main function of a table program: `program [MODEL.onnx]` (default: the test suite's INT8
// microLlama32) runs printTables(model path); an Error makes the exit status 1, a bad argument 2.
int runTableProgram(int argc, char** argv, const std::function<void(const std::string& model)>& printTables);

}  // namespace deeploy::bench
