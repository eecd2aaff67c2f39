// Opening client sockets the same way in every mode: non-blocking, TCP_NODELAY (the
// modes send whole small messages and wait for answers; Nagle would only add delay),
// bound to a loopback source address with the port chosen at connect() time.
#pragma once

#include <netinet/in.h>

#include "common/socket_address.h"
#include "common/unique_fd.h"

namespace weir::bench {

// Starts a non-blocking connect from `source` to `target` (IPv4). Returns the socket
// (the connect completes or fails later: wait for writability, then
// pendingSocketError() of common/socket_error.h), or an invalid fd with errno-style
// `error` set when the attempt failed at once.
UniqueFd startConnect(const SocketAddress& target, in_addr source, int& error);

// A short name for an errno value, e.g. "ECONNREFUSED", for error tallies.
const char* errnoName(int error);

}  // namespace weir::bench
