// A socket address of any kind the binaries use: IPv4, IPv6 (parsed from literals,
// printed "ip:port" / "[ip]:port") and Unix domain sockets (a path, or "@name" in
// Linux's abstract namespace, printed as Envoy prints them). The one address type of
// weir, the echo tools and the load generator. A value: copy it freely, any thread.
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace weir {

class SocketAddress {
 public:
  SocketAddress() = default;  // no address (AF_UNSPEC); toString() says "unknown"

  // From an IP literal, v4 or v6 without brackets ("127.0.0.1", "::1"); nullopt
  // for anything else (names, "[::1]").
  static std::optional<SocketAddress> fromIpLiteral(std::string_view ip, std::uint16_t port);
  // As fromIpLiteral, but an IPv6 literal may also come in brackets, as a host is
  // written before ":PORT" ("[::1]"); "[127.0.0.1]" is not a literal.
  static std::optional<SocketAddress> fromHostLiteral(std::string_view host, std::uint16_t port);
  // The wildcard addresses: [::] and 0.0.0.0.
  static SocketAddress anyIpv6(std::uint16_t port);
  static SocketAddress anyIpv4(std::uint16_t port);
  // From what follows unix:// ("/path" or "@abstract-name"); nullopt when empty or
  // too long for sun_path (107 bytes for a path, 107 for an abstract name).
  static std::optional<SocketAddress> fromUnixPath(std::string_view path);
  // A copy of `length` bytes of `address` (at most a sockaddr_storage).
  static SocketAddress fromSockaddr(const sockaddr* address, socklen_t length);
  // An IP literal, "localhost" (taken as 127.0.0.1, so the answer does not depend on
  // the order of /etc/hosts) or a host name looked up once with getaddrinfo, which
  // blocks: for command-line tools, never on an event loop. Throws std::runtime_error
  // if the name does not resolve.
  static SocketAddress resolve(std::string_view host, std::uint16_t port);

  int family() const { return storage_.ss_family; }
  bool isUnix() const { return family() == AF_UNIX; }
  // 127.0.0.0/8 or ::1.
  bool isLoopback() const;
  std::uint16_t port() const;  // 0 for a Unix domain socket
  // The same IP address with another port; a Unix socket's address unchanged.
  SocketAddress withPort(std::uint16_t port) const;
  const sockaddr* get() const { return reinterpret_cast<const sockaddr*>(&storage_); }
  socklen_t length() const { return length_; }

  // "127.0.0.1:9000", "[::1]:9000"; a Unix socket's path ("/run/db.sock") or
  // "@name" for an abstract one, as Envoy prints a pipe; "" for an unnamed one
  // (the client end of a connection, which has no name unless it bound one).
  std::string toString() const;
  // The socket file's path; empty for IP, abstract and unnamed addresses.
  std::string unixFilePath() const;

 private:
  sockaddr_storage storage_{};
  socklen_t length_ = 0;
};

// The local address a socket is bound to (getsockname); nullopt on failure.
std::optional<SocketAddress> localAddressOf(int fd);

}  // namespace weir
