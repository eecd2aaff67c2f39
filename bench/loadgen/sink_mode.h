// Sink: the upstream of the bulk test. Counts the bytes of each connection until the
// peer shuts down writing, answers the count as one line ("1073741824\n"), closes, and
// reports the count on standard output, so a test can check it independently of the
// sending side. Single-threaded; runs until SIGTERM/SIGINT or --hold-ms.
#pragma once

#include "bench/loadgen/options.h"

namespace weir::bench {

// Runs the mode until told to stop, prints its JSON result line, returns the exit
// status (0: no connection failed).
int runSink(const Options& options);

}  // namespace weir::bench
