#include "proxy/listener/listen_socket.h"

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/socket_path_state.h"
#include "config/unix_address.h"
#include "proxy/listener/port_owner.h"

namespace weir::proxy {
namespace {

// The kernel caps this at net.core.somaxconn; ask for plenty so that bursts of
// connects (test suites, benchmarks) are not dropped.
constexpr int kListenBacklog = 4096;

// Makes room at a Unix socket path: nothing there, or a socket file nobody
// accepts on any more (a crashed or killed owner's), which is removed. "" when
// the path is free now, else why not.
std::string clearStaleSocketFile(const SocketAddress& address) {
  switch (probeSocketPath(address)) {
    case SocketPathState::kFree: return "";
    case SocketPathState::kNotASocket: return "a file that is not a socket is in the way";
    case SocketPathState::kUnknown: return std::strerror(errno);
    case SocketPathState::kLive:
      return alreadyInUse(address) + ": another process accepts connections on it";
    case SocketPathState::kStale:
      unlink(address.unixFilePath().c_str());
      return "";
  }
  return "";
}

}  // namespace

std::string listenerKey(const config::Listener& listener) {
  if (config::isUnixAddress(listener.bind_address)) return listener.bind_address;
  return listener.bind_address + ":" + std::to_string(listener.port);
}

int openListenSocket(const SocketAddress& address, std::string& error, PortSharing sharing) {
  if (address.isUnix()) {
    if (std::string in_the_way = clearStaleSocketFile(address); !in_the_way.empty()) {
      error = in_the_way.find(" is already in use") != std::string::npos
                  ? "unix socket " + in_the_way
                  : "cannot listen on unix socket " + address.toString() + ": " + in_the_way;
      return -1;
    }
  }
  const int fd = socket(address.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    error = "cannot create a socket for " + address.toString() + ": " + std::strerror(errno);
    return -1;
  }
  if (!address.isUnix()) {
    int on = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    if (sharing == PortSharing::kJoin) setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof on);
    // Accepted sockets inherit TCP_NODELAY from the listener on Linux, which saves
    // a setsockopt() per connection.
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
  }
  if (bind(fd, address.get(), address.length()) != 0) {
    error = errno == EADDRINUSE && !address.isUnix()
                ? alreadyInUse(address)
                : std::string("cannot listen on ") + (address.isUnix() ? "unix socket " : "") +
                      address.toString() + ": " + std::strerror(errno);
    close(fd);
    return -1;
  }
  if (!address.isUnix() && sharing == PortSharing::kExclusive) {
    // Bound alone; from now on siblings (and a --reuse-port successor) may join. The
    // kernel forms the SO_REUSEPORT group at listen(), so the flag counts from here.
    int on = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof on);
  }
  if (listen(fd, kListenBacklog) != 0) {
    error = std::string("cannot listen on ") + (address.isUnix() ? "unix socket " : "") +
            address.toString() + ": " + std::strerror(errno);
    close(fd);
    return -1;
  }
  return fd;
}

}  // namespace weir::proxy
