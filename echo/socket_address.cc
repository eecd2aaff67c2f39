#include "echo/socket_address.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/un.h>

#include <cstddef>
#include <cstring>
#include <memory>
#include <stdexcept>

namespace weir::echo {
namespace {

struct AddrInfoFree {
  void operator()(addrinfo* info) const { freeaddrinfo(info); }
};

}  // namespace

std::optional<SocketAddress> SocketAddress::fromLiteral(std::string_view ip, std::uint16_t port) {
  const bool bracketed = ip.size() >= 2 && ip.front() == '[' && ip.back() == ']';
  if (bracketed) {
    ip = ip.substr(1, ip.size() - 2);
  }
  std::string text(ip);  // inet_pton needs a terminated string
  SocketAddress address;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&address.storage_);
  if (!bracketed && inet_pton(AF_INET, text.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    address.length_ = sizeof(sockaddr_in);
    return address;
  }
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&address.storage_);
  if (inet_pton(AF_INET6, text.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    address.length_ = sizeof(sockaddr_in6);
    return address;
  }
  return std::nullopt;
}

SocketAddress SocketAddress::anyIpv6(std::uint16_t port) { return *fromLiteral("::", port); }

SocketAddress SocketAddress::anyIpv4(std::uint16_t port) { return *fromLiteral("0.0.0.0", port); }

std::optional<SocketAddress> SocketAddress::fromUnixPath(std::string_view path) {
  SocketAddress address;
  auto* unix_address = reinterpret_cast<sockaddr_un*>(&address.storage_);
  const bool abstract = path.starts_with('@');
  if (path.empty() || path.size() + (abstract ? 0 : 1) > sizeof(unix_address->sun_path)) {
    return std::nullopt;
  }
  unix_address->sun_family = AF_UNIX;
  // An abstract name starts with a NUL where '@' stands; a path ends with one.
  std::memcpy(unix_address->sun_path, path.data(), path.size());
  if (abstract) unix_address->sun_path[0] = '\0';
  address.length_ =
      static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + path.size() + (abstract ? 0 : 1));
  return address;
}

std::optional<SocketAddress> SocketAddress::fromSockaddr(const sockaddr* address,
                                                         socklen_t length) {
  if (address == nullptr ||
      (address->sa_family != AF_INET && address->sa_family != AF_INET6 &&
       address->sa_family != AF_UNIX) ||
      length > static_cast<socklen_t>(sizeof(sockaddr_storage))) {
    return std::nullopt;
  }
  SocketAddress copy;
  std::memcpy(&copy.storage_, address, length);
  copy.length_ = length;
  return copy;
}

std::optional<SocketAddress> SocketAddress::localOf(int fd) {
  SocketAddress address;
  address.length_ = sizeof(address.storage_);
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&address.storage_), &address.length_) != 0) {
    return std::nullopt;
  }
  return address;
}

SocketAddress SocketAddress::resolve(std::string_view host, std::uint16_t port) {
  if (auto literal = fromLiteral(host, port)) {
    return *literal;
  }
  if (host == "localhost") {
    return *fromLiteral("127.0.0.1", port);
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
  auto resolved = fromSockaddr(found->ai_addr, found->ai_addrlen);
  if (!resolved) {
    throw std::runtime_error(fmt::format("cannot resolve '{}': no IP address", host));
  }
  SocketAddress address = *resolved;
  if (address.family() == AF_INET) {
    reinterpret_cast<sockaddr_in*>(&address.storage_)->sin_port = htons(port);
  } else {
    reinterpret_cast<sockaddr_in6*>(&address.storage_)->sin6_port = htons(port);
  }
  return address;
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

std::string SocketAddress::toString() const {
  char text[INET6_ADDRSTRLEN] = {};
  if (family() == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(&storage_)->sin_addr, text,
              sizeof(text));
    return fmt::format("{}:{}", text, port());
  }
  if (family() == AF_INET6) {
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(&storage_)->sin6_addr, text,
              sizeof(text));
    return fmt::format("[{}]:{}", text, port());
  }
  if (family() == AF_UNIX) {
    return "unix:" + unixName();
  }
  return "(unknown address family)";
}

std::string SocketAddress::unixName() const {
  const auto* unix_address = reinterpret_cast<const sockaddr_un*>(&storage_);
  const std::size_t offset = offsetof(sockaddr_un, sun_path);
  const std::size_t size = length_ > offset ? length_ - offset : 0;
  if (family() != AF_UNIX || size == 0) return "";
  if (unix_address->sun_path[0] == '\0') {
    return "@" + std::string(unix_address->sun_path + 1, size - 1);
  }
  return std::string(unix_address->sun_path, strnlen(unix_address->sun_path, size));
}

std::string SocketAddress::unixFilePath() const {
  const std::string name = unixName();
  return name.starts_with('@') ? "" : name;
}

}  // namespace weir::echo
