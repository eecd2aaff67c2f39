// A connection's addresses as the route table and the load balancer see them:
// an IP without port, with IPv4-mapped IPv6 addresses (a dual-stack listener's
// IPv4 clients, ::ffff:a.b.c.d) turned back into IPv4, as Envoy does.
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <optional>

#include "config/route_table.h"

namespace weir::proxy {

// nullopt for anything but AF_INET / AF_INET6.
std::optional<config::IpAddress> ipAddressOf(const sockaddr* address);

// For consistentHash.useSourceIp: the same IP (any port) always hashes the same,
// in every worker and every run.
uint64_t hashOfClientAddress(const sockaddr* address);

}  // namespace weir::proxy
