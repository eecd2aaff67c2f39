// What a worker needs to route new connections: the immutable RouteTable plus
// each cluster's endpoints as socket addresses.
//
// Built on the main thread (at start, on every reload, and when a DNS name's
// addresses change), then shared read-only by all workers as
// std::shared_ptr<const RouteSnapshot>. A connection holds the snapshot it
// started with for its whole life, so a reload never changes the rule, cluster
// or endpoint of an established connection.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/socket_address.h"
#include "config/route_table.h"
#include "proxy/endpoint_health.h"
#include "proxy/maglev_table.h"

namespace weir::proxy {

struct ResolvedEndpoint {
  size_t config_index = 0;               // into the cluster's config endpoints
  std::optional<SocketAddress> address;  // nullopt: the name has not resolved
  // "127.0.0.1:9001", "name:9001" if unresolved, a Unix socket's path
  // ("/run/db.sock", "@name") as Envoy prints a pipe.
  std::string display;
};

struct RouteSnapshot {
  std::shared_ptr<const config::RouteTable> table;
  // endpoints[c]: the addresses of table->clusters[c]. A STATIC endpoint is one
  // entry; a DNS endpoint is one entry per address its name resolved to (one
  // unresolved entry while it has none); a DNS_ROUND_ROBIN endpoint is one entry,
  // the first address of the latest answer (Envoy's LOGICAL_DNS).
  std::vector<std::vector<ResolvedEndpoint>> endpoints;
  // weights[c][e]: endpoints[c][e]'s ServiceEntry weight, 0 if it has no address.
  std::vector<std::vector<uint32_t>> weights;
  // maglev[c]: the lookup table of a cluster with consistentHash.useSourceIp.
  std::vector<std::optional<MaglevTable>> maglev;
  uint64_t generation = 0;  // 1 for the first config, +1 per successful reload
  // Health of each cluster and endpoint (outlier ejection, active checks),
  // shared with every other snapshot through the registry, which this keeps alive.
  std::shared_ptr<HealthRegistry> health_registry;
  std::vector<ClusterHealth*> cluster_health;                 // [c]
  std::vector<std::vector<EndpointHealth*>> endpoint_health;  // [c][e]
};

// The addresses a host name resolved to (ports ignored), in the answer's order,
// or nullopt.
using NameLookup = std::function<std::optional<std::vector<SocketAddress>>(const std::string&)>;

// IP literals are used as they are; names are looked up with `lookup`. Each
// cluster's health state in `health` (a fresh registry when null) is configured
// for the new endpoints: call on the control thread only.
std::shared_ptr<const RouteSnapshot> buildRouteSnapshot(
    std::shared_ptr<const config::RouteTable> table, uint64_t generation,
    const NameLookup& lookup, std::shared_ptr<HealthRegistry> health = nullptr);

}  // namespace weir::proxy
