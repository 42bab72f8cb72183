#include "codegen/npu_node.h"

#include <algorithm>

#include "ir/error.h"
#include "ops/op_schema.h"

namespace deeploy {

namespace {

// CONF0 (emulator/NPU.md).
uint32_t conf0Of(const NpuConv& conv, int weightBits, bool weightsInWeightMemory) {
  const NpuConvGeometry& g = conv.geometry;
  uint32_t conf = static_cast<uint32_t>(g.mode);
  if (g.stride == 2) conf |= 1u << 2;
  conf |= static_cast<uint32_t>(weightBits - 1) << 3;
  if (g.requant) conf |= 1u << 6 | 1u << 7 | 1u << 12;  // requantize, RequantShift's rounding, bias
  if (conv.signedInput) conf |= 1u << 8;
  if (g.requant && conv.signedOutput) conf |= 1u << 9;
  if (weightsInWeightMemory) conf |= 1u << 13;
  conf |= static_cast<uint32_t>(conv.shift) << 16;
  return conf;
}

std::string size(int64_t height, int64_t width) {
  return "DP_NPU_SIZE(" + std::to_string(height) + "u, " + std::to_string(width) + "u)";
}

NpuConv npuConvOf(const Graph& graph, const Node& node) {
  const OpSchema& schema = OpRegistry::instance().get(node);
  std::optional<NpuConv> conv = schema.npu ? schema.npu(graph, node) : std::nullopt;
  if (!conv) throw Error(node.describe() + ": mapped to the NPU, which cannot run it");
  return *conv;
}

// A comment naming the task and the initializer of a dp_npu_task computing `conv` from `input` to
// `output` (C pointer expressions); the weights (in the NPU's layout), scales and biases become constants
// of the network, in the weight level.
std::string taskInitializer(NetworkWriter& writer, const Node& node, const NpuConv& conv, const std::string& input,
                            const std::string& output, bool weightsInWeightMemory) {
  const auto range = npuWeightRange(conv.weights);
  if (!range) throw Error(node.describe() + ": its weights span more than 256 values, too many for the NPU");
  const NpuConvGeometry& g = conv.geometry;
  const std::vector<uint8_t> encoded = encodeNpuWeights(conv, *range);
  const std::string weights = writer.constant(
      TensorData::fromInts(DType::UInt8, {static_cast<int64_t>(encoded.size())}, std::vector<int64_t>(encoded.begin(), encoded.end())),
      node.name + "_npu_weights");
  const Shape channels{g.outChannels};
  const std::string scale = writer.constant(TensorData::fromInts(DType::Int32, channels, conv.scale), node.name + "_npu_scale");
  const std::string bias = writer.constant(TensorData::fromInts(DType::Int32, channels, conv.bias), node.name + "_npu_bias");
  std::ostringstream c;
  c << "/* " << cIdentifier(node.name) << " (" << node.op << ") on the NPU: " << g.outHeight << "x" << g.outWidth << " pixels, "
    << g.inChannels << " -> " << g.outChannels << " channels, " << range->bits << "-bit weights */ {\n"
    << "  " << weights << ", " << input << ", " << output << ", " << scale << ", 0, " << bias << ",\n"
    << "  " << conv.inRowStride << "u, " << conv.inPixelStride << "u, " << conv.outRowStride << "u, " << conv.outPixelStride
    << "u,\n"
    << "  " << size(g.height, g.width) << ", " << size(g.outHeight, g.outWidth) << ", DP_NPU_CHANNELS(" << g.outChannels << "u, "
    << g.inChannels << "u), DP_NPU_PADDING(" << conv.top << "u, " << conv.left << "u, 0),\n"
    << "  " << range->offset << ", " << conf0Of(conv, range->bits, weightsInWeightMemory) << "u}";
  return c.str();
}

size_t operandIndex(const std::vector<TensorId>& operands, TensorId id, const Node& node) {
  const auto it = std::find(operands.begin(), operands.end(), id);
  if (it == operands.end()) throw Error(node.describe() + ": the NPU task's operand is not one of the node's");
  return static_cast<size_t>(it - operands.begin());
}

}  // namespace

NpuCommit emitNpuNode(NetworkWriter& writer, size_t n, bool weightsInWeightMemory) {
  const Node& node = writer.graph().nodes[n];
  const NpuConv conv = npuConvOf(writer.graph(), node);
  const std::string task = writer.options().prefix + "_npu_task_" + std::to_string(n);
  writer.addJob("static const dp_npu_task " + task + " = " +
                taskInitializer(writer, node, conv, writer.tensorPointer(conv.input, true), writer.tensorPointer(conv.output, false),
                                weightsInWeightMemory) +
                ";\n");
  writer.includes().insert("siracusa/npu_device.h");
  const std::string id = writer.options().prefix + "_npu_id_" + std::to_string(n);
  writer.body() << "  const uint32_t " << id << " = dp_npu_commit(&" << task << ");\n  (void)" << id << ";\n";
  return {id, conv.input, conv.output};
}

void emitNpuTile(NetworkWriter& writer, KernelEmitter& tile) {
  const Node& node = tile.node();
  const NpuConv conv = npuConvOf(tile.graph(), node);
  const std::string input = tile.inputPtr(operandIndex(node.inputs, conv.input, node));
  const std::string output = tile.outputPtr(operandIndex(node.outputs, conv.output, node));
  tile.include("siracusa/npu_device.h");
  tile.statement("{ const dp_npu_task task = " +
                 taskInitializer(writer, node, conv, input, output, writer.options().npuWeightsInWeightMemory) +
                 "; dp_npu_wait(dp_npu_commit(&task)); }");
}

}  // namespace deeploy
