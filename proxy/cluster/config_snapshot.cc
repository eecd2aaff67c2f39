#include "proxy/cluster/config_snapshot.h"

namespace weir::proxy {

std::shared_ptr<const ConfigSnapshot> buildConfigSnapshot(
    std::shared_ptr<const config::RouteTable> table, uint64_t generation,
    const NameLookup& lookup, std::shared_ptr<HealthRegistry> health,
    std::shared_ptr<ConnectionLimits> cluster_connections) {
  auto snapshot = std::make_shared<ConfigSnapshot>();
  snapshot->generation = generation;
  snapshot->health_registry = health ? std::move(health) : std::make_shared<HealthRegistry>();
  snapshot->cluster_connections =
      cluster_connections ? std::move(cluster_connections) : std::make_shared<ConnectionLimits>();
  snapshot->clusters.reserve(table->clusters.size());
  for (size_t c = 0; c < table->clusters.size(); ++c) {
    snapshot->clusters.emplace_back(table->clusters[c], c, lookup, *snapshot->health_registry,
                                    *snapshot->cluster_connections);
  }
  snapshot->table = std::move(table);
  return snapshot;
}

}  // namespace weir::proxy
