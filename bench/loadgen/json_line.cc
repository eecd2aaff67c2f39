#include "bench/loadgen/json_line.h"

#include <cstdio>

namespace weir::bench {

void emitJsonLine(std::string_view json) {
  std::fwrite(json.data(), 1, json.size(), stdout);
  std::fputc('\n', stdout);
  std::fflush(stdout);
}

}  // namespace weir::bench
