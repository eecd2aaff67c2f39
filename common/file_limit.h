// Raising the open-file limit, so that thousands of sockets fit: weir holds two
// descriptors per connection, the echo tools and the load generator one.
#pragma once

#include <cstdint>

namespace weir {

// Raises the soft RLIMIT_NOFILE to the hard limit (capped at what the kernel accepts,
// fs.nr_open) and returns the soft limit in force afterwards (0 if it cannot be read).
// Call once at start, before any thread.
std::uint64_t raiseOpenFileLimit();

}  // namespace weir
