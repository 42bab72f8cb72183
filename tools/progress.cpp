#include "tools/progress.h"

#include <cstdio>
#include <unistd.h>

namespace deeploy {

TilingProgress tilingProgressOnStderr() {
  const bool terminal = isatty(fileno(stderr)) != 0;
  return [terminal](size_t done, size_t total, const Node& next) {
    if (!terminal) {
      if (done == 0) std::fprintf(stderr, "deeploy: solving the tiles of %zu nodes\n", total);
      return;
    }
    if (done == total) {
      std::fprintf(stderr, "\rdeeploy: tiles solved for %zu nodes\033[K\n", total);
    } else {
      std::fprintf(stderr, "\rdeeploy: solving tiles: %zu of %zu nodes, next '%s' (%s)\033[K", done, total,
                   next.name.c_str(), next.op.c_str());
    }
    std::fflush(stderr);
  };
}

}  // namespace deeploy
