// Whether each upstream endpoint may take new connections, shared by every worker
// and the control thread.
//
// Two things take an endpoint out of rotation, as in Envoy:
//  - outlier detection (passive): the data path reports every connect attempt;
//    `consecutive_errors` failures in a row eject the endpoint for
//    baseEjectionTime × (times ejected), within maxEjectionPercent;
//  - active health checks (health_checker.h): `unhealthy_threshold` failed probes
//    in a row mark it failed, `healthy_threshold` passes bring it back.
// Workers read one relaxed atomic per cluster on each pick (unusableCount());
// only when it is non-zero do they look at each endpoint. Writes that change
// ejection state take the cluster's mutex; they are rare.
//
// State is kept by cluster name and endpoint address for the life of the
// registry, so an endpoint keeps its ejection across reloads that keep it, and
// connections holding an old snapshot keep valid pointers.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "config/route_table.h"
#include "proxy/stats/stats.h"

namespace weir::proxy {

using HealthClock = std::chrono::steady_clock;

class EndpointHealth {
 public:
  bool usable() const { return !ejected() && !failedActiveCheck(); }
  bool ejected() const { return ejected_.load(std::memory_order_relaxed); }
  bool failedActiveCheck() const { return failed_check_.load(std::memory_order_relaxed); }

 private:
  friend class ClusterHealth;
  std::atomic<bool> ejected_{false};
  std::atomic<bool> failed_check_{false};
  std::atomic<uint32_t> consecutive_failures_{0};
  // Under the cluster's mutex.
  uint32_t ejection_multiplier_ = 0;  // times ejected, less one per healthy sweep
  HealthClock::time_point ejected_until_{};
  bool in_config_ = false;  // named by the current snapshot
};

// Outlier-detection and health-check counts of one cluster, Envoy's names
// (stats.h lists them). Gauges are plain values here, derived when read.
#define WEIR_OUTLIER_DETECTION_FIELD(name) uint64_t name = 0;
#define WEIR_HEALTH_CHECK_FIELD(name) uint64_t health_check_##name = 0;
struct ClusterHealthCounts {
  WEIR_OUTLIER_DETECTION_STATS(WEIR_OUTLIER_DETECTION_FIELD, WEIR_OUTLIER_DETECTION_FIELD)
  WEIR_HEALTH_CHECK_STATS(WEIR_HEALTH_CHECK_FIELD, WEIR_HEALTH_CHECK_FIELD)
};
#undef WEIR_OUTLIER_DETECTION_FIELD
#undef WEIR_HEALTH_CHECK_FIELD

class ClusterHealth {
 public:
  explicit ClusterHealth(std::string name) : name_(std::move(name)) {}

  // Control thread, before workers see a snapshot: this cluster's settings and
  // the endpoints it has now (by display address). Endpoints that left the
  // cluster are returned to rotation. Returns each listed endpoint's state.
  std::vector<EndpointHealth*> configure(const config::UpstreamCluster& cluster,
                                         const std::vector<std::string>& endpoints);

  // Any thread, from the data path: the result of one connect attempt.
  void onConnectSuccess(EndpointHealth& endpoint) {
    if (endpoint.consecutive_failures_.load(std::memory_order_relaxed) != 0) {
      endpoint.consecutive_failures_.store(0, std::memory_order_relaxed);
    }
  }
  void onConnectFailure(EndpointHealth& endpoint, HealthClock::time_point now);

  // Control thread (health_checker.h): one probe's result, counted; a pass also
  // returns an ejected endpoint to rotation, as Envoy does by default
  // (successful_active_health_check_uneject_host).
  void recordHealthCheck(EndpointHealth& endpoint, bool passed);
  // Control thread: a probe weir could not make for its own reasons; counted only.
  void recordLocalHealthCheckFailure();
  // Control thread: the endpoint crossed its healthy or unhealthy threshold.
  void setFailedActiveCheck(EndpointHealth& endpoint, bool failed);
  // Control thread: returns ejected endpoints whose time is up; lowers the
  // multiplier of endpoints that stayed in rotation. Runs every `interval`.
  void sweep(HealthClock::time_point now);
  // When the next sweep is due (time_point::max() without outlier detection).
  HealthClock::time_point nextSweep() const;

  // Workers: how many endpoints are out of rotation (0: no per-endpoint check).
  uint32_t unusableCount() const { return unusable_.load(std::memory_order_relaxed); }
  // Below this share of usable endpoints every endpoint is used (0: never).
  int32_t minHealthPercent() const { return min_health_percent_.load(std::memory_order_relaxed); }

  const std::string& name() const { return name_; }
  bool healthChecked() const {
    std::lock_guard lock(mutex_);
    return health_checked_;
  }
  ClusterHealthCounts counts() const;
  void resetCounters();

 private:
  void eject(EndpointHealth& endpoint, HealthClock::time_point now);  // mutex held
  void uneject(EndpointHealth& endpoint);                             // mutex held
  void setFailedCheckLocked(EndpointHealth& endpoint, bool failed);  // mutex held

  const std::string name_;
  std::atomic<uint32_t> unusable_{0};
  std::atomic<uint32_t> consecutive_errors_{0};  // 0: outlier detection off
  std::atomic<int32_t> min_health_percent_{0};
  mutable std::mutex mutex_;
  std::map<std::string, std::unique_ptr<EndpointHealth>> endpoints_;
  std::optional<config::UpstreamCluster::OutlierDetection> outlier_;
  HealthClock::time_point next_sweep_ = HealthClock::time_point::max();
  size_t endpoints_in_config_ = 0;
  bool health_checked_ = false;
  ClusterHealthCounts counts_;  // ejections_active and health_check_healthy derived
};

class HealthRegistry {
 public:
  // Any thread; created on first use, lives as long as the registry.
  ClusterHealth& cluster(const std::string& name);
  // Control thread: runs every cluster's due sweep; returns when the next is due.
  HealthClock::time_point sweep(HealthClock::time_point now);
  void visit(const std::function<void(const ClusterHealth&)>& visitor) const;
  void resetCounters();

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::unique_ptr<ClusterHealth>> clusters_;
};

}  // namespace weir::proxy
