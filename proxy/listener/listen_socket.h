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

// How a TCP listening socket may share its address with sockets already there.
enum class PortSharing {
  // Nothing may listen there yet: the socket binds without SO_REUSEPORT, which the
  // kernel refuses while any other socket listens on an overlapping address, so
  // the check and the bind are one step (no race with another process). The
  // first socket of each new listener, unless --reuse-port.
  kExclusive,
  // Join the SO_REUSEPORT group listening there: the first socket's siblings for
  // the other workers, and every socket with --reuse-port (a hot restart).
  kJoin,
};

// Returns a bound, listening, non-blocking socket, or -1 with `error` set
// ("127.0.0.1:9000 is already in use (pid 1234, weir)", "cannot listen on
// 10.1.1.1:9000: Cannot assign requested address"). Every TCP socket ends up with
// SO_REUSEPORT, so that its siblings and a successor started with --reuse-port can
// join it, and TCP_NODELAY (which the sockets it accepts inherit). For a Unix
// socket path, a stale socket file left there (nobody accepts on it) is removed
// first, as Envoy removes whatever is at the path; a socket someone still accepts
// on ("unix socket /run/db.sock is already in use (pid 1234, weir): …"), or a file
// that is not a socket, is an error instead. The file gets the process's umask.
int openListenSocket(const SocketAddress& address, std::string& error,
                     PortSharing sharing = PortSharing::kJoin);

}  // namespace weir::proxy
