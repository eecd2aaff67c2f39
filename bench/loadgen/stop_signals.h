// SIGTERM and SIGINT as a readable descriptor, for the modes that hold sockets until
// told to stop (idle, sink): they wait on it in their epoll set and then close their
// connections in order and print their result, instead of dying mid-way.
#pragma once

#include "common/unique_fd.h"

namespace weir::bench {

// Blocks SIGTERM and SIGINT in the calling thread (call it before starting threads, which
// inherit the mask) and returns a signalfd that becomes readable when one arrives.
// Also asks for SIGTERM when the parent process dies, so that a killed benchmark script
// does not leave 10,000 connections behind. Throws std::system_error on failure.
UniqueFd takeStopSignals();

}  // namespace weir::bench
