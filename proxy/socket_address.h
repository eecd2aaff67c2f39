// Socket addresses: IPv4/IPv6 (parsing literals, printing "ip:port" /
// "[ip]:port") and Unix domain sockets (a path, or "@name" in Linux's abstract
// namespace, printed as Envoy prints them).
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
  bool isUnix() const { return storage.ss_family == AF_UNIX; }
  uint16_t port() const;  // 0 for a Unix domain socket
  // "127.0.0.1:9000", "[::1]:9000"; a Unix socket's path ("/run/db.sock") or
  // "@name" for an abstract one, as Envoy prints a pipe; "" for an unnamed one
  // (the client end of a connection, which has no name unless it bound one).
  std::string toString() const;

  // From an IP literal (v4 or v6, no brackets) and a port; nullopt if not a literal.
  static std::optional<SocketAddress> fromIpLiteral(std::string_view ip, uint16_t port);
  // From what follows unix:// ("/path" or "@abstract-name"); nullopt when empty or
  // too long for sun_path (107 bytes for a path, 107 for an abstract name).
  static std::optional<SocketAddress> fromUnixPath(std::string_view path);
  static SocketAddress fromSockaddr(const sockaddr* address, socklen_t length);
};

// The local address a socket is bound to.
std::optional<SocketAddress> localAddressOf(int fd);

// The socket's pending error (SO_ERROR: a failed connect, ECONNRESET after a
// reset), 0 if none; reading it clears it.
int pendingSocketError(int fd);

}  // namespace weir::proxy
