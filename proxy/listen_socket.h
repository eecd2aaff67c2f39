// Opening the listening sockets of a Gateway server: one per worker, all bound to
// the same address with SO_REUSEPORT so the kernel spreads connections over them.
#pragma once

#include <string>

#include "config/route_table.h"
#include "proxy/socket_address.h"

namespace weir::proxy {

// How a Gateway server's listening sockets are known across reloads and workers:
// "bind:port", e.g. "0.0.0.0:9000".
std::string listenerKey(const config::Listener& listener);

// Returns a bound, listening, non-blocking socket with TCP_NODELAY (which the
// sockets it accepts inherit), or -1 with `error` set
// ("cannot listen on 0.0.0.0:9000: Address already in use").
int openListenSocket(const SocketAddress& address, std::string& error);

}  // namespace weir::proxy
