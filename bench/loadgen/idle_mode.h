// Idle connections: opens N connections (at most --parallel connecting at once), does
// one echo exchange on each so that a proxy has really connected upstream, then prints
// {"event":"ready",...} and holds them without traffic until standard input (when it
// is a pipe) reaches end of file, SIGTERM/SIGINT arrives, or --hold-ms passes. A held
// connection that the other side closes is an error ("dropped while held").
#pragma once

#include "bench/loadgen/options.h"

namespace weir::bench {

// Runs the mode, prints the ready line and the JSON result line, returns the exit
// status (0: every connection was opened, answered and held).
int runIdle(const Options& options);

}  // namespace weir::bench
