#include "proxy/listen_socket.h"

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace weir::proxy {
namespace {

// The kernel caps this at net.core.somaxconn; ask for plenty so that bursts of
// connects (test suites, benchmarks) are not dropped.
constexpr int kListenBacklog = 4096;

}  // namespace

std::string listenerKey(const config::Listener& listener) {
  return listener.bind_address + ":" + std::to_string(listener.port);
}

int openListenSocket(const SocketAddress& address, std::string& error) {
  const int fd = socket(address.storage.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    error = "cannot create a socket for " + address.toString() + ": " + std::strerror(errno);
    return -1;
  }
  int on = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
  setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof on);
  // Accepted sockets inherit TCP_NODELAY from the listener on Linux, which saves
  // a setsockopt() per connection.
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
  if (bind(fd, address.get(), address.length) != 0 || listen(fd, kListenBacklog) != 0) {
    error = "cannot listen on " + address.toString() + ": " + std::strerror(errno);
    close(fd);
    return -1;
  }
  return fd;
}

}  // namespace weir::proxy
