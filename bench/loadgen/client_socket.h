// Opening client sockets the same way in every mode: non-blocking, TCP_NODELAY (the
// modes send whole small messages and wait for answers; Nagle would only add delay),
// bound to a loopback source address with the port chosen at connect() time.
#pragma once

#include <netinet/in.h>

#include "bench/loadgen/unique_fd.h"

namespace weir::bench {

// Starts a non-blocking connect from `source` to `target`. Returns the socket (the
// connect completes or fails later: wait for writability, then connectError()), or an
// invalid fd with errno-style `error` set when the attempt failed at once.
UniqueFd startConnect(const sockaddr_in& target, in_addr source, int& error);

// SO_ERROR of a socket whose non-blocking connect has finished: 0 when connected.
int connectError(int fd);

// A short name for an errno value, e.g. "ECONNREFUSED", for error tallies.
const char* errnoName(int error);

}  // namespace weir::bench
