#include "common/socket_address.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/un.h>

#include <cstddef>
#include <cstring>
#include <memory>
#include <stdexcept>

#include <fmt/format.h>

namespace weir {
namespace {

struct AddrInfoFree {
  void operator()(addrinfo* info) const { freeaddrinfo(info); }
};

}  // namespace

std::optional<SocketAddress> SocketAddress::fromIpLiteral(std::string_view ip,
                                                          std::uint16_t port) {
  std::string literal(ip);  // inet_pton needs a terminated string
  SocketAddress address;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&address.storage_);
  if (inet_pton(AF_INET, literal.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    address.length_ = sizeof(sockaddr_in);
    return address;
  }
  address.storage_ = {};
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&address.storage_);
  if (inet_pton(AF_INET6, literal.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    address.length_ = sizeof(sockaddr_in6);
    return address;
  }
  return std::nullopt;
}

std::optional<SocketAddress> SocketAddress::fromHostLiteral(std::string_view host,
                                                            std::uint16_t port) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    auto address = fromIpLiteral(host.substr(1, host.size() - 2), port);
    if (!address || address->family() != AF_INET6) return std::nullopt;
    return address;
  }
  return fromIpLiteral(host, port);
}

SocketAddress SocketAddress::anyIpv6(std::uint16_t port) { return *fromIpLiteral("::", port); }

SocketAddress SocketAddress::anyIpv4(std::uint16_t port) {
  return *fromIpLiteral("0.0.0.0", port);
}

std::optional<SocketAddress> SocketAddress::fromUnixPath(std::string_view path) {
  SocketAddress address;
  auto* unix_address = reinterpret_cast<sockaddr_un*>(&address.storage_);
  // A path needs its terminating NUL; an abstract name's leading NUL takes the '@'.
  const bool abstract = path.starts_with('@');
  if (path.empty() || path.size() + (abstract ? 0 : 1) > sizeof unix_address->sun_path) {
    return std::nullopt;
  }
  unix_address->sun_family = AF_UNIX;
  std::memcpy(unix_address->sun_path, path.data(), path.size());
  if (abstract) unix_address->sun_path[0] = '\0';
  address.length_ =
      static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + path.size() + (abstract ? 0 : 1));
  return address;
}

SocketAddress SocketAddress::fromSockaddr(const sockaddr* source, socklen_t length) {
  SocketAddress address;
  if (length > static_cast<socklen_t>(sizeof address.storage_)) {
    length = sizeof address.storage_;
  }
  std::memcpy(&address.storage_, source, length);
  address.length_ = length;
  return address;
}

SocketAddress SocketAddress::resolve(std::string_view host, std::uint16_t port) {
  if (auto literal = fromHostLiteral(host, port)) {
    return *literal;
  }
  if (host == "localhost") {
    return *fromIpLiteral("127.0.0.1", port);
  }
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_ADDRCONFIG;
  addrinfo* found = nullptr;
  std::string name(host);
  int rc = getaddrinfo(name.c_str(), nullptr, &hints, &found);
  std::unique_ptr<addrinfo, AddrInfoFree> owned(found);
  if (rc != 0 || found == nullptr) {
    throw std::runtime_error(
        fmt::format("cannot resolve '{}': {}", host, rc != 0 ? gai_strerror(rc) : "no address"));
  }
  if (found->ai_family != AF_INET && found->ai_family != AF_INET6) {
    throw std::runtime_error(fmt::format("cannot resolve '{}': no IP address", host));
  }
  return fromSockaddr(found->ai_addr, found->ai_addrlen).withPort(port);
}

bool SocketAddress::isLoopback() const {
  if (family() == AF_INET) {
    const auto* v4 = reinterpret_cast<const sockaddr_in*>(&storage_);
    return (ntohl(v4->sin_addr.s_addr) >> 24) == 127;
  }
  if (family() == AF_INET6) {
    const auto* v6 = reinterpret_cast<const sockaddr_in6*>(&storage_);
    return IN6_IS_ADDR_LOOPBACK(&v6->sin6_addr);
  }
  return false;
}

std::uint16_t SocketAddress::port() const {
  if (family() == AF_INET) {
    return ntohs(reinterpret_cast<const sockaddr_in*>(&storage_)->sin_port);
  }
  if (family() == AF_INET6) {
    return ntohs(reinterpret_cast<const sockaddr_in6*>(&storage_)->sin6_port);
  }
  return 0;
}

SocketAddress SocketAddress::withPort(std::uint16_t port) const {
  SocketAddress address = *this;
  if (family() == AF_INET) {
    reinterpret_cast<sockaddr_in*>(&address.storage_)->sin_port = htons(port);
  } else if (family() == AF_INET6) {
    reinterpret_cast<sockaddr_in6*>(&address.storage_)->sin6_port = htons(port);
  }
  return address;
}

std::string SocketAddress::toString() const {
  char text[INET6_ADDRSTRLEN] = {};
  if (family() == AF_INET) {
    const auto* v4 = reinterpret_cast<const sockaddr_in*>(&storage_);
    inet_ntop(AF_INET, &v4->sin_addr, text, sizeof text);
    return std::string(text) + ":" + std::to_string(port());
  }
  if (family() == AF_INET6) {
    const auto* v6 = reinterpret_cast<const sockaddr_in6*>(&storage_);
    inet_ntop(AF_INET6, &v6->sin6_addr, text, sizeof text);
    return "[" + std::string(text) + "]:" + std::to_string(port());
  }
  if (family() == AF_UNIX) {
    const auto* unix_address = reinterpret_cast<const sockaddr_un*>(&storage_);
    const std::size_t offset = offsetof(sockaddr_un, sun_path);
    const std::size_t name_length = length_ > offset ? length_ - offset : 0;
    if (name_length == 0) return "";  // unnamed
    if (unix_address->sun_path[0] == '\0') {  // abstract: the name is every byte after it
      return "@" + std::string(unix_address->sun_path + 1, name_length - 1);
    }
    return std::string(unix_address->sun_path, strnlen(unix_address->sun_path, name_length));
  }
  return "unknown";
}

std::string SocketAddress::unixFilePath() const {
  if (!isUnix()) return "";
  std::string name = toString();
  return name.starts_with('@') ? "" : name;
}

std::optional<SocketAddress> localAddressOf(int fd) {
  sockaddr_storage bound{};
  socklen_t length = sizeof bound;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &length) != 0) {
    return std::nullopt;
  }
  return SocketAddress::fromSockaddr(reinterpret_cast<const sockaddr*>(&bound), length);
}

}  // namespace weir
