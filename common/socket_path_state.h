// What lies at a Unix domain socket's path before a listener binds there. A socket
// file nobody accepts on is left behind by a crashed or killed owner and may be taken
// over (as Envoy does); one somebody still accepts on is in use, like a TCP port.
#pragma once

#include "common/socket_address.h"

namespace weir {

enum class SocketPathState {
  kFree,        // no file there (lstat sees none: bind will say if it must), or an
                // abstract or IP address
  kNotASocket,  // a file that is not a socket is in the way
  kLive,        // a socket somebody accepts on
  kStale,       // a socket nobody accepts on any more: safe to unlink
  kUnknown,     // a socket that could not be probed; errno says why
};

// Looks at `address`'s socket file and, for a socket, probes it with a connect, which
// a Unix socket answers at once (refused when nobody listens, EAGAIN when somebody does
// but its backlog is full). Removes nothing.
SocketPathState probeSocketPath(const SocketAddress& address);

}  // namespace weir
