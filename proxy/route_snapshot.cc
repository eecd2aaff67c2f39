#include "proxy/route_snapshot.h"

#include <algorithm>

#include "config/unix_address.h"

namespace weir::proxy {

std::shared_ptr<const RouteSnapshot> buildRouteSnapshot(
    std::shared_ptr<const config::RouteTable> table, uint64_t generation,
    const NameLookup& lookup, std::shared_ptr<HealthRegistry> health) {
  auto snapshot = std::make_shared<RouteSnapshot>();
  snapshot->generation = generation;
  snapshot->endpoints.reserve(table->clusters.size());
  for (const config::UpstreamCluster& cluster : table->clusters) {
    std::vector<ResolvedEndpoint>& resolved = snapshot->endpoints.emplace_back();
    for (size_t e = 0; e < cluster.endpoints.size(); ++e) {
      const config::UpstreamEndpoint& endpoint = cluster.endpoints[e];
      if (config::isUnixAddress(endpoint.address)) {
        // Named by its path, as Envoy names a pipe; a path too long for a socket
        // address stays unresolved (never picked).
        const std::string_view path = config::unixSocketPath(endpoint.address);
        resolved.push_back({e, SocketAddress::fromUnixPath(path), std::string(path)});
        continue;
      }
      if (auto literal = SocketAddress::fromIpLiteral(endpoint.address, endpoint.port)) {
        resolved.push_back({e, literal, literal->toString()});
        continue;
      }
      auto addresses = lookup ? lookup(endpoint.address) : std::nullopt;
      if (!addresses || addresses->empty()) {
        resolved.push_back(
            {e, std::nullopt, endpoint.address + ":" + std::to_string(endpoint.port)});
        continue;
      }
      if (cluster.resolution == config::EndpointResolution::kDnsRoundRobin) {
        // Envoy's LOGICAL_DNS: one endpoint, the first address of the latest
        // answer; a new answer moves new connections, not open ones.
        addresses->resize(1);
      } else {
        // STRICT_DNS: every address, in a stable order whatever the answer's.
        std::sort(addresses->begin(), addresses->end(),
                  [](const SocketAddress& a, const SocketAddress& b) {
                    return a.toString() < b.toString();
                  });
      }
      for (const SocketAddress& address : *addresses) {
        SocketAddress full = address.withPort(endpoint.port);
        resolved.push_back({e, full, full.toString()});
      }
    }
  }
  for (size_t c = 0; c < table->clusters.size(); ++c) {
    const config::UpstreamCluster& cluster = table->clusters[c];
    std::vector<uint32_t>& weights = snapshot->weights.emplace_back();
    std::vector<std::string> keys;
    for (const ResolvedEndpoint& endpoint : snapshot->endpoints[c]) {
      weights.push_back(endpoint.address ? cluster.endpoints[endpoint.config_index].weight : 0);
      keys.push_back(endpoint.display);
    }
    auto& maglev = snapshot->maglev.emplace_back();
    if (cluster.load_balancer == config::UpstreamCluster::LoadBalancer::kConsistentHashSourceIp) {
      maglev.emplace(keys, weights);
    }
  }
  snapshot->health_registry = health ? std::move(health) : std::make_shared<HealthRegistry>();
  for (size_t c = 0; c < table->clusters.size(); ++c) {
    std::vector<std::string> displays;
    for (const ResolvedEndpoint& endpoint : snapshot->endpoints[c]) displays.push_back(endpoint.display);
    ClusterHealth& cluster_health = snapshot->health_registry->cluster(table->clusters[c].name);
    snapshot->cluster_health.push_back(&cluster_health);
    snapshot->endpoint_health.push_back(cluster_health.configure(table->clusters[c], displays));
  }
  snapshot->table = std::move(table);
  return snapshot;
}

}  // namespace weir::proxy
