#include "common/file_limit.h"

#include <sys/resource.h>

#include <fstream>

namespace weir {
namespace {

// The kernel refuses a soft limit above fs.nr_open, and RLIM_INFINITY is above it.
rlim_t kernelFileCeiling() {
  std::ifstream nr_open("/proc/sys/fs/nr_open");
  rlim_t value = 0;
  if (nr_open >> value && value > 0) {
    return value;
  }
  return 1 << 20;
}

}  // namespace

std::uint64_t raiseOpenFileLimit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) {
    return 0;
  }
  rlim_t wanted = limit.rlim_max;
  if (wanted == RLIM_INFINITY || wanted > kernelFileCeiling()) {
    wanted = kernelFileCeiling();
  }
  if (wanted > limit.rlim_cur) {
    rlimit raised = limit;
    raised.rlim_cur = wanted;
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0) {
      return wanted;
    }
  }
  return limit.rlim_cur;
}

}  // namespace weir
