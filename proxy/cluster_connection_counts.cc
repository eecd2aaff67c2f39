#include "proxy/cluster_connection_counts.h"

namespace weir::proxy {

std::atomic<uint64_t>& ClusterConnectionCounts::counter(const std::string& cluster) {
  std::lock_guard lock(mutex_);
  auto& slot = counters_[cluster];
  if (!slot) slot = std::make_unique<std::atomic<uint64_t>>(0);
  return *slot;
}

}  // namespace weir::proxy
