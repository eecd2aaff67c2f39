// IPv4/IPv6 socket addresses: parsing literals and printing "ip:port" / "[ip]:port".
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace weir::proxy {

struct SocketAddress {
  sockaddr_storage storage{};
  socklen_t length = 0;

  const sockaddr* get() const { return reinterpret_cast<const sockaddr*>(&storage); }
  uint16_t port() const;
  std::string toString() const;  // "127.0.0.1:9000", "[::1]:9000"

  // From an IP literal (v4 or v6, no brackets) and a port; nullopt if not a literal.
  static std::optional<SocketAddress> fromIpLiteral(std::string_view ip, uint16_t port);
  static SocketAddress fromSockaddr(const sockaddr* address, socklen_t length);
};

// The local address a socket is bound to.
std::optional<SocketAddress> localAddressOf(int fd);

// The socket's pending error (SO_ERROR: a failed connect, ECONNRESET after a
// reset), 0 if none; reading it clears it.
int pendingSocketError(int fd);

}  // namespace weir::proxy
