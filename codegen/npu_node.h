// Code for a node the NPU runs (Node::engine == NodeEngine::Npu): its weights encoded in the NPU's layout
// and its per-channel scales and biases as constants, one constant task (runtime/siracusa/npu_device.h),
// and a statement that commits it and waits for its completion.
#pragma once

#include <cstddef>

#include "codegen/network_writer.h"

namespace deeploy {

// `weightsInWeightMemory`: the constants live in the level only the NPU reads (CONF0's WEIGHTS_FROM_WMEM).
void emitNpuNode(NetworkWriter& writer, size_t n, bool weightsInWeightMemory);

}  // namespace deeploy
