// Open connections per cluster across every worker, for DestinationRule
// connectionPool.tcp.maxConnections: like Envoy's circuit breakers, the limit is
// per cluster for the whole proxy, not per thread. Listeners' limits
// (weir.dev/max-connections) use it too, under the name "listener <bind:port>".
//
// A counter is created the first time a snapshot names its cluster and lives as
// long as this object, so connections that outlive a reload still count against
// the same cluster. counter() takes a mutex and is called when a snapshot is
// installed; connections then use the counter itself (one atomic add each way).
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace weir::proxy {

class ClusterConnectionCounts {
 public:
  std::atomic<uint64_t>& counter(const std::string& cluster);

 private:
  std::mutex mutex_;
  std::map<std::string, std::unique_ptr<std::atomic<uint64_t>>> counters_;
};

}  // namespace weir::proxy
