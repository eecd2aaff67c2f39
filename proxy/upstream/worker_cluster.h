// A cluster of the worker's current snapshot as that worker uses it (Envoy's
// ThreadLocalCluster): the shared Cluster, this worker's statistics for it and
// its endpoints, and its load balancer's state.
//
// Rebuilt whenever the worker applies a snapshot (round-robin credits start
// afresh then); loop thread only. Connections do not point to it: they keep the
// statistics themselves, which live as long as the worker.
#pragma once

#include <sys/socket.h>

#include <cstddef>
#include <optional>
#include <span>
#include <vector>

#include "proxy/cluster/cluster.h"
#include "proxy/stats/stats.h"
#include "proxy/upstream/admission_slot.h"
#include "proxy/upstream/load_balancer.h"
#include "proxy/upstream/random_source.h"

namespace weir::proxy {

class WorkerCluster {
 public:
  // Registers the cluster's and its endpoints' statistics in `stats` (a mutex:
  // when a snapshot is applied, not per connection).
  WorkerCluster(const Cluster& cluster, WorkerStats& stats);

  const Cluster& cluster() const { return *cluster_; }
  ClusterStats& stats() const { return *stats_; }
  EndpointStats& endpointStats(size_t e) const { return *endpoint_stats_[e]; }

  // An endpoint by the cluster's policy, never one in `excluded` (load_balancer.h).
  std::optional<size_t> pickEndpoint(const sockaddr* client, std::span<const size_t> excluded,
                                     RandomSource& random) {
    return weir::proxy::pickEndpoint(*cluster_, endpoint_stats_, balancer_, client, excluded,
                                     random);
  }
  // Counts a connection against the cluster's maxConnections through its slot;
  // false (counted as upstream_cx_overflow) when the cluster is full.
  bool admit(AdmissionSlot& slot) const {
    return slot.admitToCluster({cluster_->openConnections(), cluster_->config().max_connections,
                                stats_->upstream_cx_overflow});
  }

 private:
  const Cluster* cluster_;
  ClusterStats* stats_;
  std::vector<EndpointStats*> endpoint_stats_;  // [e] for cluster_->endpoint(e)
  LoadBalancerState balancer_;
};

}  // namespace weir::proxy
