// The compile (and run) report as one self-contained HTML page: the memory map of every level over the
// schedule, the tiling, each node's engine and, after a profiled run, instructions and estimates per node.
// Inline SVG and CSS only: no scripts, fonts or other files, so it opens anywhere, offline.
#pragma once

#include <string>
#include <string_view>

#include "targets/instruction_profile.h"
#include "tools/driver.h"

namespace deeploy {

// The page for `model`, with the counts of a profiled run when `profile` is given. It holds no paths,
// dates or timings: the same network compiled anywhere, under any file name, gives the same bytes.
std::string htmlReport(const CompiledModel& model, const InstructionProfile* profile = nullptr);

// `text` with the characters markup gives a meaning (& < > " ') written as character references.
std::string escapeHtml(std::string_view text);

}  // namespace deeploy
