// iSiLU(scale_in, scale_out), deeploy's integer SiLU (the gate of a SwiGLU MLP), int8 to int8 by a table:
//   y = table[x + 128], where for every v in [-128, 127]
//   table[v + 128] = clamp(round_half_away_from_zero(silu(v * scale_in) / scale_out), -128, 127),
//   silu(t) = t / (1 + exp(-t)), all in double; scale_in and scale_out are positive float attributes.
// siluTable is the one definition of the table: the reference interpreter and the generated C
// (a constant array read by dp_lut_s8, runtime/kernels/lut.h) both use it, so they agree bit for bit.
#pragma once

#include <array>
#include <cstdint>

#include "ir/attributes.h"

namespace deeploy {

struct SiLUScales {
  double in = 0, out = 0;
};

// Reads scale_in and scale_out; throws Error naming an absent or non-positive one, or one beyond float32.
SiLUScales readSiLUScales(const Attributes& attrs);

// The 256 outputs of iSiLU, indexed by x + 128.
std::array<int8_t, 256> siluTable(const SiLUScales& scales);

}  // namespace deeploy
