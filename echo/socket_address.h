// An IPv4, IPv6 or Unix domain socket address, as the echo tools bind, connect and
// print it.
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace weir::echo {

class SocketAddress {
 public:
  // "127.0.0.1", "::", "::1" (an IPv6 literal may also come in brackets, "[::1]").
  // nullopt if `ip` is not an IP literal.
  static std::optional<SocketAddress> fromLiteral(std::string_view ip, std::uint16_t port);

  // The wildcard addresses: [::] and 0.0.0.0.
  static SocketAddress anyIpv6(std::uint16_t port);
  static SocketAddress anyIpv4(std::uint16_t port);

  // A Unix domain socket: a path, or "@name" in Linux's abstract namespace; nullopt
  // when empty or too long for a socket address (107 bytes).
  static std::optional<SocketAddress> fromUnixPath(std::string_view path);

  // A copy of an IPv4, IPv6 or Unix sockaddr; nullopt for other families.
  static std::optional<SocketAddress> fromSockaddr(const sockaddr* address, socklen_t length);

  // The local address a socket is bound to (getsockname); nullopt on failure.
  static std::optional<SocketAddress> localOf(int fd);

  // An IP literal, "localhost" (taken as 127.0.0.1, so the answer does not depend on the
  // order of /etc/hosts) or a host name looked up once with getaddrinfo (blocking).
  // Throws std::runtime_error if the name does not resolve.
  static SocketAddress resolve(std::string_view host, std::uint16_t port);

  int family() const { return storage_.ss_family; }
  std::uint16_t port() const;
  const sockaddr* get() const { return reinterpret_cast<const sockaddr*>(&storage_); }
  socklen_t length() const { return length_; }

  // "127.0.0.1:9000", "[::]:9000", "unix:/run/echo.sock", "unix:@echo" (the form
  // --listen takes), "unix:" for an unnamed one (a client's end).
  std::string toString() const;
  // The socket file's path; empty for IP, abstract and unnamed addresses.
  std::string unixFilePath() const;

 private:
  SocketAddress() = default;
  std::string unixName() const;  // "/path", "@name", "" (unnamed or not Unix)

  sockaddr_storage storage_{};
  socklen_t length_ = 0;
};

}  // namespace weir::echo
