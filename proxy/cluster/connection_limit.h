// Open connections counted over every worker against a limit: a cluster's
// connectionPool.tcp.maxConnections (Envoy's circuit breaker, per cluster for
// the whole proxy, not per thread), a listener's weir.dev/max-connections, or
// --max-connections over all listeners.
//
// Only an AdmissionSlot (admission_slot.h) adds to or takes from a count, so
// each connection is counted once and given back once. The limit itself (the
// most a count admits) is the caller's: it comes from the snapshot that admits
// the connection, while the count lives on across reloads.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace weir::proxy {

class AdmissionSlot;

class ConnectionLimit {
 public:
  // Any thread: connections counted now.
  uint64_t open() const { return open_.load(std::memory_order_relaxed); }

 private:
  friend class AdmissionSlot;
  // Counts one more unless `max` are open already. Adds first and takes back on
  // failure, so two workers racing for the last place cannot both get it.
  bool tryAcquire(uint64_t max) {
    if (open_.fetch_add(1, std::memory_order_relaxed) >= max) {
      open_.fetch_sub(1, std::memory_order_relaxed);
      return false;
    }
    return true;
  }
  void release() { open_.fetch_sub(1, std::memory_order_relaxed); }

  std::atomic<uint64_t> open_{0};
};

// Counts by name (a cluster's name, a listener's key), each created the first
// time it is asked for and kept as long as this object, so connections that
// outlive a reload still count against the same one. of() takes a mutex: call
// it when a snapshot is built or installed, never per connection.
class ConnectionLimits {
 public:
  ConnectionLimit& of(const std::string& name);

 private:
  std::mutex mutex_;
  std::map<std::string, std::unique_ptr<ConnectionLimit>> limits_;
};

}  // namespace weir::proxy
