#include "bench/loadgen/file_limit.h"

#include <sys/resource.h>

namespace weir::bench {

std::uint64_t raiseOpenFileLimit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) {
    return 0;
  }
  if (limit.rlim_cur < limit.rlim_max) {
    rlimit raised = limit;
    // RLIM_INFINITY is above fs.nr_open and would be refused; 1 Mi always is within.
    raised.rlim_cur = limit.rlim_max == RLIM_INFINITY ? (1u << 20) : limit.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0) {
      return raised.rlim_cur;
    }
  }
  return limit.rlim_cur;
}

}  // namespace weir::bench
