// Raising the open-file limit, so thousands of sockets fit.
#pragma once

#include <cstdint>

namespace weir::echo {

// Raises the soft RLIMIT_NOFILE to the hard limit (capped at what the kernel accepts) and
// returns the soft limit in force afterwards. Call once at start, before any thread.
std::uint64_t raiseOpenFileLimit();

}  // namespace weir::echo
