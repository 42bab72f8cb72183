// Code for a node the NPU runs (Node::engine == NodeEngine::Npu): its weights encoded in the NPU's layout
// and its per-channel scales and biases as constants, one constant task (runtime/siracusa/npu_device.h),
// and a statement that commits it. The caller waits for it (dp_npu_wait) before code that needs it done.
#pragma once

#include <cstddef>

#include "codegen/network_writer.h"
#include "ops/op_schema.h"

namespace deeploy {

// A committed task: the variable holding its id, and the activations it reads and writes.
struct NpuCommit {
  std::string id;
  TensorId input = kNoTensor, output = kNoTensor;
};

// `weightsInWeightMemory`: the constants live in the level only the NPU reads (CONF0's WEIGHTS_FROM_WMEM).
NpuCommit emitNpuNode(NetworkWriter& writer, size_t n, bool weightsInWeightMemory);

// One tile of a tiled node the NPU runs: a task on the tile's buffers in the compute level (`tile`'s
// operand pointers), committed and waited for, so the tile's write-back follows its result. Its weights,
// scales and biases stay constants in the weight level, which the NPU reads directly.
void emitNpuTile(NetworkWriter& writer, KernelEmitter& tile);

}  // namespace deeploy
