// Connection rate: C clients, each in a loop connect → send "ping\n" → read the answer
// line → close, for a fixed duration, spread over T threads with an epoll set each.
// An exchange counts when its answer is complete before the deadline; exchanges still
// in flight at the deadline are dropped uncounted (not errors).
#pragma once

#include "bench/loadgen/options.h"

namespace weir::bench {

// Runs the mode, prints its JSON result line, returns the exit status (0: no errors).
int runConnrate(const Options& options);

}  // namespace weir::bench
