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
  // siracusa: the cycles the emulator's CV32E40P timing model stalled each core in the work perNode counts
  // ([node][core]; empty elsewhere). A model, not a count.
  std::vector<std::vector<uint64_t>> stallsPerNode;

  uint64_t busiestCore() const { return perCore.empty() ? 0 : *std::max_element(perCore.begin(), perCore.end()); }
  bool hasCycleEstimate() const { return !stallsPerNode.empty(); }
  // An estimate of node `n`'s cycles (needs hasCycleEstimate): its slowest core's instructions plus
  // stalls, hart 0's with the modelled cycles it slept waiting for the DMA and the NPU.
  uint64_t estimatedCycles(size_t n) const {
    uint64_t slowest = 0;
    for (size_t core = 0; core < perNode[n].size(); ++core) {
      uint64_t cycles = perNode[n][core] + stallsPerNode[n][core];
      if (core == 0) cycles += waitOf(dmaWaitPerNode, n) + waitOf(npuWaitPerNode, n);
      slowest = std::max(slowest, cycles);
    }
    return slowest;
  }
  uint64_t estimatedCycles() const {
    uint64_t total = 0;
    for (size_t n = 0; n < perNode.size(); ++n) total += estimatedCycles(n);
    return total;
  }

 private:
  static uint64_t waitOf(const std::vector<uint64_t>& waits, size_t n) { return n < waits.size() ? waits[n] : 0; }
};

}  // namespace deeploy
