#include "bench/loadgen/client_socket.h"

#include <netinet/tcp.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

namespace weir::bench {

UniqueFd startConnect(const SocketAddress& target, in_addr source, int& error) {
  error = 0;
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd) {
    error = errno;
    return fd;
  }
  const int on = 1;
  setsockopt(fd.get(), IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
  // Bind the address only: the port is picked by connect() against the full 4-tuple,
  // which is what lets loopback TIME_WAIT ports be reused (net.ipv4.tcp_tw_reuse).
  setsockopt(fd.get(), IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &on, sizeof on);
  sockaddr_in local{};
  local.sin_family = AF_INET;
  local.sin_addr = source;
  if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&local), sizeof local) != 0 ||
      (::connect(fd.get(), target.get(), target.length()) != 0 && errno != EINPROGRESS)) {
    error = errno;
    fd.reset();
  }
  return fd;
}

const char* errnoName(int error) {
  const char* name = strerrordesc_np(error) != nullptr ? strerrorname_np(error) : nullptr;
  return name != nullptr ? name : "EUNKNOWN";
}

}  // namespace weir::bench
