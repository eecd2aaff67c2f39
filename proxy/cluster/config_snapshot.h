// One generation of the configuration as the data path runs it: the immutable
// RouteTable (listeners, rules, cluster settings) and a Cluster (cluster.h) for
// each of its clusters, with endpoints resolved to socket addresses.
//
// Built on the main thread (at start, on every reload, and when a DNS name's
// addresses change), then shared read-only by all workers as
// std::shared_ptr<const ConfigSnapshot>. A connection holds the snapshot it
// started with for its whole life, so a reload never changes the rule, cluster
// or endpoint of an established connection.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "config/route_table.h"
#include "proxy/cluster/cluster.h"
#include "proxy/cluster/connection_limit.h"
#include "proxy/cluster/endpoint_health.h"

namespace weir::proxy {

struct ConfigSnapshot {
  std::shared_ptr<const config::RouteTable> table;
  std::vector<Cluster> clusters;  // clusters[c] runs table->clusters[c]
  uint64_t generation = 0;  // 1 for the first config, +1 per successful reload
  // The clusters' state shared with every other snapshot (health; open
  // connections), kept by cluster name; held here so that it outlives every
  // connection that holds this snapshot.
  std::shared_ptr<HealthRegistry> health_registry;
  std::shared_ptr<ConnectionLimits> cluster_connections;
};

// IP literals are used as they are; names are looked up with `lookup`. Each
// cluster's health state in `health` is configured for the new endpoints, and
// its open-connection count taken from `cluster_connections` (fresh registries
// when null): call on the control thread only.
std::shared_ptr<const ConfigSnapshot> buildConfigSnapshot(
    std::shared_ptr<const config::RouteTable> table, uint64_t generation,
    const NameLookup& lookup, std::shared_ptr<HealthRegistry> health = nullptr,
    std::shared_ptr<ConnectionLimits> cluster_connections = nullptr);

}  // namespace weir::proxy
