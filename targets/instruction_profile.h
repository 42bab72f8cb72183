// Instructions a program executed per node of the network and per core, as the bare-metal targets
// count them under QEMU (rv32: minstret with -icount; Cortex-M: the instruction-counting plugin).
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

namespace deeploy {

struct InstructionProfile {
  std::vector<std::vector<uint64_t>> perNode;  // [node in schedule order][core]
  std::vector<uint64_t> perCore;               // totals per core
  // Targets with a cluster DMA device (siracusa): its modelled cycles of the transfers each node started
  // (empty elsewhere), and over the run, with the bytes moved. A model, not a count. Per node also the
  // modelled cycles hart 0 slept waiting for transfers (excluded from its instructions).
  std::vector<uint64_t> dmaCyclesPerNode;
  std::vector<uint64_t> dmaWaitPerNode;
  uint64_t dmaCycles = 0;
  uint64_t dmaBytes = 0;
  // Likewise for the NPU (siracusa): modelled cycles of the tasks each node committed and hart 0's modelled
  // cycles asleep waiting for them; over the run, the cycles and the MACs of all tasks.
  std::vector<uint64_t> npuCyclesPerNode;
  std::vector<uint64_t> npuWaitPerNode;
  uint64_t npuCycles = 0;
  uint64_t npuMacs = 0;

  uint64_t busiestCore() const { return perCore.empty() ? 0 : *std::max_element(perCore.begin(), perCore.end()); }
};

}  // namespace deeploy
