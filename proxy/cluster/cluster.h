// An upstream cluster as the data path runs it (Envoy's Cluster, HAProxy's
// backend): its configuration, its endpoints resolved to socket addresses with
// their weights and health, its consistent-hash table, and the state it shares
// with every worker (health, open connections).
//
// Built on the control thread as part of a ConfigSnapshot (config_snapshot.h)
// and read-only afterwards, by any thread. Its health and open-connection count
// are kept by cluster name in registries that outlive the snapshot, so a reload
// that keeps a cluster keeps its ejections and its count of open connections.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/socket_address.h"
#include "config/route_table.h"
#include "proxy/cluster/connection_limit.h"
#include "proxy/cluster/endpoint_health.h"
#include "proxy/cluster/maglev_table.h"

namespace weir::proxy {

// The addresses a host name resolved to (ports ignored), in the answer's order,
// or nullopt.
using NameLookup = std::function<std::optional<std::vector<SocketAddress>>(const std::string&)>;

// One address a cluster connects to. A STATIC endpoint of the config is one of
// these; a DNS endpoint is one per address its name resolved to (one unresolved
// while it has none); a DNS_ROUND_ROBIN endpoint is one, the first address of
// the latest answer (Envoy's LOGICAL_DNS).
struct ClusterEndpoint {
  size_t config_index = 0;               // into the cluster's config endpoints
  std::optional<SocketAddress> address;  // nullopt: the name has not resolved
  // "127.0.0.1:9001", "name:9001" if unresolved, a Unix socket's path
  // ("/run/db.sock", "@name") as Envoy prints a pipe.
  std::string display;
  uint32_t weight = 0;  // the ServiceEntry weight; 0 without an address (never picked)
  // Whether it is in rotation; kept by display address in the cluster's health,
  // shared with every snapshot that has it.
  EndpointHealth* health = nullptr;
};

class Cluster {
 public:
  // Control thread: resolves `config`'s endpoints (IP literals and Unix paths as
  // they are, names with `lookup`, which may be null), configures the cluster's
  // health in `health` for them and takes its open-connection count from
  // `open_connections`, both by cluster name. `config` must outlive the cluster
  // (it is an element of the snapshot's route table); `index` is its place there.
  Cluster(const config::UpstreamCluster& config, size_t index, const NameLookup& lookup,
          HealthRegistry& health, ConnectionLimits& open_connections);

  const config::UpstreamCluster& config() const { return *config_; }
  const std::string& name() const { return config_->name; }
  size_t index() const { return index_; }  // in RouteTable::clusters and ConfigSnapshot::clusters

  std::span<const ClusterEndpoint> endpoints() const { return endpoints_; }
  const ClusterEndpoint& endpoint(size_t e) const { return endpoints_[e]; }
  // endpoint(e).weight for every e, side by side: what the endpoint picks read.
  std::span<const uint32_t> weights() const { return weights_; }
  // The lookup table of consistentHash.useSourceIp; null for other policies.
  const MaglevTable* maglev() const { return maglev_ ? &*maglev_ : nullptr; }

  // Any thread: outlier ejections and active checks of the endpoints.
  ClusterHealth& health() const { return *health_; }
  // Open connections over every worker, for maxConnections (admission_slot.h).
  ConnectionLimit& openConnections() const { return *open_connections_; }

 private:
  const config::UpstreamCluster* config_;
  size_t index_;
  std::vector<ClusterEndpoint> endpoints_;
  std::vector<uint32_t> weights_;
  std::optional<MaglevTable> maglev_;
  ClusterHealth* health_;
  ConnectionLimit* open_connections_;
};

}  // namespace weir::proxy
