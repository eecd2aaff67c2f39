#include "proxy/route_snapshot.h"

#include <netdb.h>
#include <spdlog/spdlog.h>

namespace weir::proxy {
namespace {

std::optional<SocketAddress> resolveHostName(const std::string& name, uint16_t port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* results = nullptr;
  if (getaddrinfo(name.c_str(), nullptr, &hints, &results) != 0 || results == nullptr) {
    return std::nullopt;
  }
  SocketAddress address = SocketAddress::fromSockaddr(results->ai_addr, results->ai_addrlen);
  freeaddrinfo(results);
  auto* storage = &address.storage;
  if (storage->ss_family == AF_INET) {
    reinterpret_cast<sockaddr_in*>(storage)->sin_port = htons(port);
  } else if (storage->ss_family == AF_INET6) {
    reinterpret_cast<sockaddr_in6*>(storage)->sin6_port = htons(port);
  }
  return address;
}

}  // namespace

std::shared_ptr<const RouteSnapshot> buildRouteSnapshot(
    std::shared_ptr<const config::RouteTable> table, uint64_t generation) {
  auto snapshot = std::make_shared<RouteSnapshot>();
  snapshot->generation = generation;
  snapshot->endpoints.reserve(table->clusters.size());
  for (const config::UpstreamCluster& cluster : table->clusters) {
    std::vector<ResolvedEndpoint>& resolved = snapshot->endpoints.emplace_back();
    for (const config::UpstreamEndpoint& endpoint : cluster.endpoints) {
      ResolvedEndpoint entry;
      entry.address = SocketAddress::fromIpLiteral(endpoint.address, endpoint.port);
      if (!entry.address) {
        entry.address = resolveHostName(endpoint.address, endpoint.port);
        if (!entry.address) {
          spdlog::warn("{}:{}:{}: endpoint {} of cluster {} does not resolve; "
                       "connections to it will fail",
                       endpoint.position.file, endpoint.position.line,
                       endpoint.position.column, endpoint.address, cluster.name);
        }
      }
      entry.display = entry.address ? entry.address->toString()
                                    : endpoint.address + ":" + std::to_string(endpoint.port);
      resolved.push_back(std::move(entry));
    }
  }
  snapshot->table = std::move(table);
  return snapshot;
}

}  // namespace weir::proxy
