// Connected stream sockets inside the test process, for unit tests of the data
// path (the relay, a proxied connection) without a weir process: TCP over
// 127.0.0.1, or an AF_UNIX socketpair.
#pragma once

#include <string>

#include "common/unique_fd.h"

namespace weir::test {

enum class SocketKind { kTcp, kUnix };
std::string toString(SocketKind kind);  // "Tcp", "Unix", for test names

struct SocketPair {
  UniqueFd a;  // the side that connected (TCP) or the first of socketpair()
  UniqueFd b;  // the side that was accepted, or the second
};

// Two connected blocking sockets. With `buffer_bytes` > 0, a's send buffer and
// b's receive buffer are made that small (before the TCP handshake where it
// matters), so that a test fills them quickly. Throws std::runtime_error.
SocketPair connectedPair(SocketKind kind, int buffer_bytes = 0);

void setNonBlocking(int fd);
// The next close() of `fd` sends a TCP RST instead of a FIN (SO_LINGER 0).
void resetOnClose(int fd);

}  // namespace weir::test
