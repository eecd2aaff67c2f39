#include "proxy/socket_address.h"

#include <arpa/inet.h>

#include <sys/socket.h>
#include <sys/un.h>

#include <cerrno>
#include <cstddef>
#include <cstring>

namespace weir::proxy {

uint16_t SocketAddress::port() const {
  if (storage.ss_family == AF_INET) {
    return ntohs(reinterpret_cast<const sockaddr_in*>(&storage)->sin_port);
  }
  if (storage.ss_family == AF_INET6) {
    return ntohs(reinterpret_cast<const sockaddr_in6*>(&storage)->sin6_port);
  }
  return 0;
}

std::string SocketAddress::toString() const {
  char text[INET6_ADDRSTRLEN] = {};
  if (storage.ss_family == AF_INET) {
    const auto* v4 = reinterpret_cast<const sockaddr_in*>(&storage);
    inet_ntop(AF_INET, &v4->sin_addr, text, sizeof text);
    return std::string(text) + ":" + std::to_string(port());
  }
  if (storage.ss_family == AF_INET6) {
    const auto* v6 = reinterpret_cast<const sockaddr_in6*>(&storage);
    inet_ntop(AF_INET6, &v6->sin6_addr, text, sizeof text);
    return "[" + std::string(text) + "]:" + std::to_string(port());
  }
  if (storage.ss_family == AF_UNIX) {
    const auto* unix_address = reinterpret_cast<const sockaddr_un*>(&storage);
    const size_t name_length =
        length > offsetof(sockaddr_un, sun_path) ? length - offsetof(sockaddr_un, sun_path) : 0;
    if (name_length == 0) return "";  // unnamed
    if (unix_address->sun_path[0] == '\0') {  // abstract: the name is every byte after it
      return "@" + std::string(unix_address->sun_path + 1, name_length - 1);
    }
    return std::string(unix_address->sun_path, strnlen(unix_address->sun_path, name_length));
  }
  return "unknown";
}

std::optional<SocketAddress> SocketAddress::fromUnixPath(std::string_view path) {
  SocketAddress address;
  auto* unix_address = reinterpret_cast<sockaddr_un*>(&address.storage);
  // A path needs its terminating NUL; an abstract name's leading NUL takes the '@'.
  const bool abstract = path.starts_with('@');
  if (path.empty() || path.size() + (abstract ? 0 : 1) > sizeof unix_address->sun_path) {
    return std::nullopt;
  }
  unix_address->sun_family = AF_UNIX;
  if (abstract) {
    unix_address->sun_path[0] = '\0';
    std::memcpy(unix_address->sun_path + 1, path.data() + 1, path.size() - 1);
    address.length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + path.size());
  } else {
    std::memcpy(unix_address->sun_path, path.data(), path.size());
    address.length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + path.size() + 1);
  }
  return address;
}

std::optional<SocketAddress> SocketAddress::fromIpLiteral(std::string_view ip, uint16_t port) {
  std::string literal(ip);
  SocketAddress address;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&address.storage);
  if (inet_pton(AF_INET, literal.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    address.length = sizeof(sockaddr_in);
    return address;
  }
  address.storage = {};
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&address.storage);
  if (inet_pton(AF_INET6, literal.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    address.length = sizeof(sockaddr_in6);
    return address;
  }
  return std::nullopt;
}

SocketAddress SocketAddress::fromSockaddr(const sockaddr* source, socklen_t length) {
  SocketAddress address;
  if (length > static_cast<socklen_t>(sizeof address.storage)) {
    length = sizeof address.storage;
  }
  std::memcpy(&address.storage, source, length);
  address.length = length;
  return address;
}

std::optional<SocketAddress> localAddressOf(int fd) {
  SocketAddress address;
  address.length = sizeof address.storage;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&address.storage), &address.length) != 0) {
    return std::nullopt;
  }
  return address;
}

int pendingSocketError(int fd) {
  int error = 0;
  socklen_t length = sizeof error;
  if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) != 0) return errno;
  return error;
}

}  // namespace weir::proxy
