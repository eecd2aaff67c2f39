// Opening the listening sockets of a Gateway server: one per worker, all bound to
// the same address with SO_REUSEPORT so the kernel spreads connections over them;
// a Unix domain socket is one socket that every worker accepts from (SO_REUSEPORT
// has no meaning for AF_UNIX).
#pragma once

#include <string>

#include "common/socket_address.h"
#include "config/route_table.h"

namespace weir::proxy {

// How a Gateway server's listening sockets are known across reloads and workers:
// "bind:port", e.g. "0.0.0.0:9000"; a Unix socket's bind as written,
// "unix:///run/db.sock". TLS servers merged on one port share a key.
std::string listenerKey(const config::Listener& listener);

// Returns a bound, listening, non-blocking socket, or -1 with `error` set
// ("cannot listen on 0.0.0.0:9000: Address already in use"). A TCP socket has
// TCP_NODELAY (which the sockets it accepts inherit). For a Unix socket path, a
// stale socket file left there (nobody accepts on it) is removed first, as Envoy
// removes whatever is at the path; a socket someone still accepts on, or a file
// that is not a socket, is an error instead. The file gets the process's umask.
int openListenSocket(const SocketAddress& address, std::string& error);

}  // namespace weir::proxy
