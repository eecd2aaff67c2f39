// How the echo tools print an address: an IP address as SocketAddress prints it, a
// Unix domain socket in the form --listen and the client's target take it.
#pragma once

#include <string>

#include "common/socket_address.h"

namespace weir::echo {

// "127.0.0.1:9000", "[::]:9000", "unix:/run/echo.sock", "unix:@echo", and "unix:" for
// an unnamed one (a client's end).
std::string addressText(const SocketAddress& address);

}  // namespace weir::echo
