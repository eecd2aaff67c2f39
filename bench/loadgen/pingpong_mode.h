// Small messages: N persistent connections, each sending a SIZE-byte line and waiting
// for its echo before sending the next, for a fixed duration after all are connected.
// The split is counted per connection (the prefix of its first answer): the messages of
// one connection all go to the upstream it was routed to, so they are not independent
// samples. A later answer with another prefix is an error.
#pragma once

#include <string>

#include "bench/loadgen/options.h"

namespace weir::bench {

// The message number `sequence` of SIZE bytes: 16 hex digits of the sequence (fewer if
// SIZE is small), filler, and '\n'. Every message differs, so an echo of the wrong one
// is caught.
std::string pingpongMessage(std::uint64_t sequence, std::uint32_t size);

// Rewrites the sequence digits of a message made by pingpongMessage, in place (the hot
// path allocates nothing).
void stampPingpongMessage(std::string& message, std::uint64_t sequence);

// Runs the mode, prints its JSON result line, returns the exit status (0: no errors).
int runPingpong(const Options& options);

}  // namespace weir::bench
