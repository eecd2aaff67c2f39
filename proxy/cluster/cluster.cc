#include "proxy/cluster/cluster.h"

#include <algorithm>

#include "config/unix_address.h"

namespace weir::proxy {
namespace {

// The cluster's endpoints as addresses, before weights and health are added.
std::vector<ClusterEndpoint> resolveEndpoints(const config::UpstreamCluster& cluster,
                                              const NameLookup& lookup) {
  std::vector<ClusterEndpoint> resolved;
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
      resolved.push_back({e, std::nullopt, endpoint.address + ":" + std::to_string(endpoint.port)});
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
  return resolved;
}

}  // namespace

Cluster::Cluster(const config::UpstreamCluster& config, size_t index, const NameLookup& lookup,
                 HealthRegistry& health, ConnectionLimits& open_connections)
    : config_(&config),
      index_(index),
      endpoints_(resolveEndpoints(config, lookup)),
      health_(&health.cluster(config.name)),
      open_connections_(&open_connections.of(config.name)) {
  std::vector<std::string> displays;
  for (ClusterEndpoint& endpoint : endpoints_) {
    endpoint.weight = endpoint.address ? config.endpoints[endpoint.config_index].weight : 0;
    weights_.push_back(endpoint.weight);
    displays.push_back(endpoint.display);
  }
  if (config.load_balancer == config::UpstreamCluster::LoadBalancer::kConsistentHashSourceIp) {
    maglev_.emplace(displays, weights_);
  }
  const std::vector<EndpointHealth*> endpoint_health = health_->configure(config, displays);
  for (size_t e = 0; e < endpoints_.size(); ++e) endpoints_[e].health = endpoint_health[e];
}

}  // namespace weir::proxy
