#include "proxy/upstream/worker_cluster.h"

namespace weir::proxy {

WorkerCluster::WorkerCluster(const Cluster& cluster, WorkerStats& stats)
    : cluster_(&cluster), stats_(&stats.cluster(cluster.name())) {
  endpoint_stats_.reserve(cluster.endpoints().size());
  for (const ClusterEndpoint& endpoint : cluster.endpoints()) {
    endpoint_stats_.push_back(&stats.endpoint(cluster.name(), endpoint.display));
  }
}

}  // namespace weir::proxy
