#include "proxy/cluster/endpoint_health.h"

#include <algorithm>

namespace weir::proxy {

namespace {
// Envoy's max_ejection_time default; Istio does not expose it. The ejection time
// grows with each ejection up to this (or baseEjectionTime, if longer).
constexpr std::chrono::milliseconds kMaxEjectionTime{300'000};
}  // namespace

std::vector<EndpointHealth*> ClusterHealth::configure(const config::UpstreamCluster& cluster,
                                                      const std::vector<std::string>& endpoints) {
  std::lock_guard lock(mutex_);
  outlier_ = cluster.outlier_detection;
  health_checked_ = cluster.health_check.has_value();
  const uint32_t threshold = outlier_ ? outlier_->consecutive_errors : 0;
  consecutive_errors_.store(threshold, std::memory_order_relaxed);
  min_health_percent_.store(outlier_ ? outlier_->min_health_percent : 0,
                            std::memory_order_relaxed);
  next_sweep_ = threshold == 0 ? HealthClock::time_point::max()
                               : std::min(next_sweep_, HealthClock::now() + outlier_->interval);

  for (auto& [address, endpoint] : endpoints_) endpoint->in_config_ = false;
  std::vector<EndpointHealth*> listed;
  for (const std::string& address : endpoints) {
    auto& slot = endpoints_[address];
    if (!slot) slot = std::make_unique<EndpointHealth>();
    slot->in_config_ = true;
    listed.push_back(slot.get());
  }
  // An endpoint gone from the cluster has nothing to keep it out of rotation;
  // with outlier detection off no endpoint stays ejected, and with active checks
  // off their verdicts no longer hold.
  endpoints_in_config_ = 0;
  for (auto& [address, endpoint] : endpoints_) {
    endpoints_in_config_ += endpoint->in_config_;
    if (!endpoint->in_config_ || threshold == 0) {
      uneject(*endpoint);
      endpoint->ejection_multiplier_ = 0;
    }
    if (!endpoint->in_config_ || !cluster.health_check) setFailedCheckLocked(*endpoint, false);
  }
  return listed;
}

void ClusterHealth::onConnectFailure(EndpointHealth& endpoint, HealthClock::time_point now) {
  const uint32_t threshold = consecutive_errors_.load(std::memory_order_relaxed);
  const uint32_t failures =
      endpoint.consecutive_failures_.fetch_add(1, std::memory_order_relaxed) + 1;
  if (threshold == 0 || failures < threshold) return;
  std::lock_guard lock(mutex_);
  // Another worker may have ejected it already, or a reload turned detection off.
  if (endpoint.ejected() || !outlier_ || !endpoint.in_config_) return;
  endpoint.consecutive_failures_.store(0, std::memory_order_relaxed);
  // maxEjectionPercent, as Envoy counts it: eject while the share ejected stays
  // within the limit, and always allow one ejection.
  size_t ejected = 0;
  for (const auto& [address, other] : endpoints_) ejected += other->in_config_ && other->ejected();
  const double share_after = 100.0 * static_cast<double>(ejected + 1) /
                             static_cast<double>(std::max<size_t>(endpoints_in_config_, 1));
  if (ejected > 0 && share_after > outlier_->max_ejection_percent) {
    ++counts_.ejections_overflow;
    return;
  }
  eject(endpoint, now);
}

void ClusterHealth::eject(EndpointHealth& endpoint, HealthClock::time_point now) {
  ++endpoint.ejection_multiplier_;
  const auto length = std::min<std::chrono::milliseconds>(
      outlier_->base_ejection_time * endpoint.ejection_multiplier_,
      std::max(kMaxEjectionTime, outlier_->base_ejection_time));
  endpoint.ejected_until_ = now + length;
  endpoint.ejected_.store(true, std::memory_order_relaxed);
  unusable_.fetch_add(endpoint.failed_check_.load(std::memory_order_relaxed) ? 0 : 1,
                      std::memory_order_relaxed);
  ++counts_.ejections_enforced_total;
}

void ClusterHealth::uneject(EndpointHealth& endpoint) {
  if (!endpoint.ejected()) return;
  endpoint.ejected_.store(false, std::memory_order_relaxed);
  endpoint.consecutive_failures_.store(0, std::memory_order_relaxed);
  if (!endpoint.failedActiveCheck()) unusable_.fetch_sub(1, std::memory_order_relaxed);
}

void ClusterHealth::setFailedCheckLocked(EndpointHealth& endpoint, bool failed) {
  if (endpoint.failedActiveCheck() == failed) return;
  endpoint.failed_check_.store(failed, std::memory_order_relaxed);
  if (endpoint.ejected()) return;  // already counted as unusable
  if (failed) {
    unusable_.fetch_add(1, std::memory_order_relaxed);
  } else {
    unusable_.fetch_sub(1, std::memory_order_relaxed);
  }
}

void ClusterHealth::recordHealthCheck(EndpointHealth& endpoint, bool passed) {
  std::lock_guard lock(mutex_);
  ++counts_.health_check_attempt;
  if (passed) {
    ++counts_.health_check_success;
    uneject(endpoint);
  } else {
    ++counts_.health_check_failure;
  }
}

void ClusterHealth::recordLocalHealthCheckFailure() {
  std::lock_guard lock(mutex_);
  ++counts_.health_check_local_failure;
}

void ClusterHealth::setFailedActiveCheck(EndpointHealth& endpoint, bool failed) {
  std::lock_guard lock(mutex_);
  setFailedCheckLocked(endpoint, failed);
}

void ClusterHealth::sweep(HealthClock::time_point now) {
  std::lock_guard lock(mutex_);
  if (!outlier_ || now < next_sweep_) return;
  next_sweep_ = now + outlier_->interval;
  for (auto& [address, endpoint] : endpoints_) {
    if (endpoint->ejected()) {
      if (now >= endpoint->ejected_until_) uneject(*endpoint);
    } else if (endpoint->ejection_multiplier_ > 0) {
      // An endpoint that stays in rotation earns back shorter ejections.
      --endpoint->ejection_multiplier_;
    }
  }
}

HealthClock::time_point ClusterHealth::nextSweep() const {
  std::lock_guard lock(mutex_);
  return outlier_ ? next_sweep_ : HealthClock::time_point::max();
}

ClusterHealthCounts ClusterHealth::counts() const {
  std::lock_guard lock(mutex_);
  ClusterHealthCounts counts = counts_;
  for (const auto& [address, endpoint] : endpoints_) {
    if (!endpoint->in_config_) continue;
    counts.ejections_active += endpoint->ejected();
    counts.health_check_healthy += !endpoint->failedActiveCheck();
  }
  return counts;
}

void ClusterHealth::resetCounters() {
  std::lock_guard lock(mutex_);
  counts_ = ClusterHealthCounts{};
}

ClusterHealth& HealthRegistry::cluster(const std::string& name) {
  std::lock_guard lock(mutex_);
  auto& slot = clusters_[name];
  if (!slot) slot = std::make_unique<ClusterHealth>(name);
  return *slot;
}

HealthClock::time_point HealthRegistry::sweep(HealthClock::time_point now) {
  std::lock_guard lock(mutex_);
  HealthClock::time_point next = HealthClock::time_point::max();
  for (auto& [name, cluster] : clusters_) {
    cluster->sweep(now);
    next = std::min(next, cluster->nextSweep());
  }
  return next;
}

void HealthRegistry::visit(const std::function<void(const ClusterHealth&)>& visitor) const {
  std::lock_guard lock(mutex_);
  for (const auto& [name, cluster] : clusters_) visitor(*cluster);
}

void HealthRegistry::resetCounters() {
  std::lock_guard lock(mutex_);
  for (auto& [name, cluster] : clusters_) cluster->resetCounters();
}

}  // namespace weir::proxy
