// Progress of long compiles on stderr, for the commands a person waits for (compile, run, generate).
#pragma once

#include "codegen/c_codegen.h"

namespace deeploy {

// On a terminal, one line rewritten per node ("solving tiles: 12 of 80 nodes, next 'name' (Op)");
// elsewhere (logs) one line when tile solving starts.
TilingProgress tilingProgressOnStderr();

}  // namespace deeploy
