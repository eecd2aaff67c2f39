// Where a connection goes, picked by the worker before the connection opens
// (and again for a connect retry): the rule, cluster and endpoint of the
// snapshot it was routed with, and the worker's counters for each.
#pragma once

#include <cstddef>
#include <memory>

#include "config/route_table.h"
#include "proxy/cluster/cluster.h"
#include "proxy/cluster/config_snapshot.h"
#include "proxy/stats/stats.h"

namespace weir::proxy {

struct UpstreamTarget {
  std::shared_ptr<const ConfigSnapshot> snapshot;  // keeps route and cluster alive
  const config::TcpRoute* route = nullptr;         // into snapshot->table
  const Cluster* cluster = nullptr;                // into snapshot->clusters
  size_t endpoint_index = 0;                       // into cluster->endpoints()
  // The worker's; they live as long as the worker.
  RouteStats* route_stats = nullptr;
  ClusterStats* cluster_stats = nullptr;
  EndpointStats* endpoint_stats = nullptr;

  const ClusterEndpoint& endpoint() const { return cluster->endpoint(endpoint_index); }
};

}  // namespace weir::proxy
