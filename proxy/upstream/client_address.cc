#include "proxy/upstream/client_address.h"

#include <netinet/in.h>

#include <cstring>

#include "proxy/cluster/maglev_table.h"

namespace weir::proxy {

std::optional<config::IpAddress> ipAddressOf(const sockaddr* address) {
  config::IpAddress ip;
  if (address->sa_family == AF_INET) {
    const auto* v4 = reinterpret_cast<const sockaddr_in*>(address);
    std::memcpy(ip.bytes.data(), &v4->sin_addr, 4);
    return ip;
  }
  if (address->sa_family == AF_INET6) {
    const auto* v6 = reinterpret_cast<const sockaddr_in6*>(address);
    if (IN6_IS_ADDR_V4MAPPED(&v6->sin6_addr)) {
      std::memcpy(ip.bytes.data(), v6->sin6_addr.s6_addr + 12, 4);
      return ip;
    }
    ip.v6 = true;
    std::memcpy(ip.bytes.data(), v6->sin6_addr.s6_addr, 16);
    return ip;
  }
  return std::nullopt;
}

uint64_t hashOfClientAddress(const sockaddr* address) {
  const std::optional<config::IpAddress> ip = ipAddressOf(address);
  if (!ip) return 0;
  return stableHash(std::span<const uint8_t>(ip->bytes.data(), ip->v6 ? 16 : 4));
}

}  // namespace weir::proxy
