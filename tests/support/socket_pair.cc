#include "tests/support/socket_pair.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace weir::test {
namespace {

[[noreturn]] void fail(const std::string& what) {
  throw std::runtime_error(what + ": " + std::strerror(errno));
}

void setBuffer(int fd, int option, int bytes) {
  if (bytes > 0) setsockopt(fd, SOL_SOCKET, option, &bytes, sizeof bytes);
}

SocketPair tcpPair(int buffer_bytes) {
  UniqueFd listener(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (listener.get() < 0 ||
      bind(listener.get(), reinterpret_cast<sockaddr*>(&address), length) != 0 ||
      listen(listener.get(), 1) != 0 ||
      getsockname(listener.get(), reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    fail("loopback listener");
  }
  SocketPair pair;
  pair.a.reset(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  setBuffer(pair.a.get(), SO_SNDBUF, buffer_bytes);
  if (pair.a.get() < 0 ||
      connect(pair.a.get(), reinterpret_cast<sockaddr*>(&address), length) != 0) {
    fail("connect to the loopback listener");
  }
  pair.b.reset(accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC));
  if (pair.b.get() < 0) fail("accept on the loopback listener");
  setBuffer(pair.b.get(), SO_RCVBUF, buffer_bytes);
  return pair;
}

SocketPair unixPair(int buffer_bytes) {
  int fds[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) fail("socketpair");
  SocketPair pair{UniqueFd(fds[0]), UniqueFd(fds[1])};
  setBuffer(pair.a.get(), SO_SNDBUF, buffer_bytes);
  setBuffer(pair.b.get(), SO_RCVBUF, buffer_bytes);
  return pair;
}

}  // namespace

std::string toString(SocketKind kind) { return kind == SocketKind::kTcp ? "Tcp" : "Unix"; }

SocketPair connectedPair(SocketKind kind, int buffer_bytes) {
  return kind == SocketKind::kTcp ? tcpPair(buffer_bytes) : unixPair(buffer_bytes);
}

void setNonBlocking(int fd) { fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK); }

void resetOnClose(int fd) {
  const linger hard{1, 0};
  setsockopt(fd, SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
}

}  // namespace weir::test
