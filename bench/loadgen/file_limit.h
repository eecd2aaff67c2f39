// The generator holds one descriptor per connection (10,000 in the idle test).
#pragma once

#include <cstdint>

namespace weir::bench {

// Raises the soft RLIMIT_NOFILE to the hard limit; returns the soft limit in force.
std::uint64_t raiseOpenFileLimit();

}  // namespace weir::bench
