#include "proxy/stats.h"

namespace weir::proxy {
namespace {

// The one list of each scope's statistics, shared by visit() and resetCounters().
template <typename Stats, typename Visitor>
void forEachListenerStat(Stats& stats, Visitor&& visit) {
  visit("downstream_cx_total", StatKind::kCounter, stats.downstream_cx_total);
  visit("downstream_cx_active", StatKind::kGauge, stats.downstream_cx_active);
  visit("downstream_cx_no_route", StatKind::kCounter, stats.downstream_cx_no_route);
  visit("downstream_cx_overflow", StatKind::kCounter, stats.downstream_cx_overflow);
  visit("downstream_global_cx_overflow", StatKind::kCounter, stats.downstream_global_cx_overflow);
  visit("downstream_cx_accept_error", StatKind::kCounter, stats.downstream_cx_accept_error);
  visit("downstream_cx_rx_bytes_total", StatKind::kCounter, stats.downstream_cx_rx_bytes_total);
  visit("downstream_cx_tx_bytes_total", StatKind::kCounter, stats.downstream_cx_tx_bytes_total);
  visit("downstream_flow_control_paused_reading_total", StatKind::kCounter,
        stats.downstream_flow_control_paused_reading_total);
  visit("downstream_flow_control_resumed_reading_total", StatKind::kCounter,
        stats.downstream_flow_control_resumed_reading_total);
  visit("downstream_pre_cx_timeout", StatKind::kCounter, stats.downstream_pre_cx_timeout);
  visit("tls_inspector.sni_found", StatKind::kCounter, stats.tls_inspector_sni_found);
  visit("tls_inspector.sni_not_found", StatKind::kCounter, stats.tls_inspector_sni_not_found);
  visit("tls_inspector.tls_not_found", StatKind::kCounter, stats.tls_inspector_tls_not_found);
  visit("tls_inspector.client_hello_too_large", StatKind::kCounter,
        stats.tls_inspector_client_hello_too_large);
}

template <typename Stats, typename Visitor>
void forEachClusterStat(Stats& stats, Visitor&& visit) {
  visit("upstream_cx_total", StatKind::kCounter, stats.upstream_cx_total);
  visit("upstream_cx_active", StatKind::kGauge, stats.upstream_cx_active);
  visit("upstream_cx_connect_fail", StatKind::kCounter, stats.upstream_cx_connect_fail);
  visit("upstream_cx_connect_timeout", StatKind::kCounter, stats.upstream_cx_connect_timeout);
  visit("upstream_cx_connect_local_fail", StatKind::kCounter,
        stats.upstream_cx_connect_local_fail);
  visit("upstream_cx_none_healthy", StatKind::kCounter, stats.upstream_cx_none_healthy);
  visit("upstream_cx_destroy_remote_with_active_rq", StatKind::kCounter,
        stats.upstream_cx_destroy_remote_with_active_rq);
  visit("upstream_cx_idle_timeout", StatKind::kCounter, stats.upstream_cx_idle_timeout);
  visit("upstream_cx_overflow", StatKind::kCounter, stats.upstream_cx_overflow);
  visit("upstream_cx_connect_attempts_exceeded", StatKind::kCounter,
        stats.upstream_cx_connect_attempts_exceeded);
  visit("upstream_cx_max_duration_reached", StatKind::kCounter,
        stats.upstream_cx_max_duration_reached);
  visit("upstream_cx_rx_bytes_total", StatKind::kCounter, stats.upstream_cx_rx_bytes_total);
  visit("upstream_cx_tx_bytes_total", StatKind::kCounter, stats.upstream_cx_tx_bytes_total);
  visit("upstream_flow_control_paused_reading_total", StatKind::kCounter,
        stats.upstream_flow_control_paused_reading_total);
  visit("upstream_flow_control_resumed_reading_total", StatKind::kCounter,
        stats.upstream_flow_control_resumed_reading_total);
  visit("upstream_cx_spliced_bytes_total", StatKind::kCounter,
        stats.upstream_cx_spliced_bytes_total);
}

template <typename Stats, typename Visitor>
void forEachEndpointStat(Stats& stats, Visitor&& visit) {
  visit("cx_total", StatKind::kCounter, stats.cx_total);
  visit("cx_active", StatKind::kGauge, stats.cx_active);
  visit("cx_connect_fail", StatKind::kCounter, stats.cx_connect_fail);
  visit("cx_connect_local_fail", StatKind::kCounter, stats.cx_connect_local_fail);
  visit("rx_bytes_total", StatKind::kCounter, stats.rx_bytes_total);
  visit("tx_bytes_total", StatKind::kCounter, stats.tx_bytes_total);
}

template <typename Stats, typename Visitor>
void forEachRouteStat(Stats& stats, Visitor&& visit) {
  visit("cx_total", StatKind::kCounter, stats.cx_total);
  visit("rx_bytes_total", StatKind::kCounter, stats.rx_bytes_total);
  visit("tx_bytes_total", StatKind::kCounter, stats.tx_bytes_total);
}

}  // namespace

void Histogram::record(uint64_t value_ms) {
  size_t index = 0;
  while (index < kHistogramBucketCount && static_cast<double>(value_ms) > kHistogramBounds[index]) {
    ++index;
  }
  buckets_[index].add();
  sum_.add(value_ms);
  count_.add();
}

void Histogram::reset() {
  for (Counter& bucket : buckets_) bucket.reset();
  sum_.reset();
  count_.reset();
}

EndpointStats& WorkerStats::endpoint(const std::string& cluster, const std::string& address) {
  std::lock_guard lock(mutex_);
  auto& slot = endpoints_[{cluster, address}];
  if (!slot) {
    slot = std::make_unique<EndpointStats>();
    endpoint_names_[{cluster, address}] = cluster + "/" + address;
  }
  return *slot;
}

RouteStats& WorkerStats::route(const std::string& name) {
  std::lock_guard lock(mutex_);
  auto& slot = routes_[name];
  if (!slot) {
    slot = std::make_unique<RouteStats>();
  }
  return *slot;
}

void WorkerStats::visitEndpoints(
    const std::function<void(const std::string&, const std::string&, const EndpointStats&)>&
        visitor) const {
  std::lock_guard lock(mutex_);
  for (const auto& [key, stats] : endpoints_) visitor(key.first, key.second, *stats);
}

ListenerStats& WorkerStats::listener(const std::string& stat_prefix) {
  std::lock_guard lock(mutex_);
  auto& slot = listeners_[stat_prefix];
  if (!slot) {
    slot = std::make_unique<ListenerStats>();
  }
  return *slot;
}

ClusterStats& WorkerStats::cluster(const std::string& name) {
  std::lock_guard lock(mutex_);
  auto& slot = clusters_[name];
  if (!slot) {
    slot = std::make_unique<ClusterStats>();
  }
  return *slot;
}

void WorkerStats::resetCounters() {
  auto resetCounter = [](const char*, StatKind kind, Counter& counter) {
    if (kind == StatKind::kCounter) counter.reset();
  };
  std::lock_guard lock(mutex_);
  for (auto& [prefix, stats] : listeners_) forEachListenerStat(*stats, resetCounter);
  for (auto& [name, stats] : clusters_) {
    forEachClusterStat(*stats, resetCounter);
    stats->upstream_cx_length_ms.reset();
  }
  for (auto& [key, stats] : endpoints_) forEachEndpointStat(*stats, resetCounter);
  for (auto& [name, stats] : routes_) forEachRouteStat(*stats, resetCounter);
}

void WorkerStats::visit(const std::function<void(const StatSample&)>& visitor) const {
  std::lock_guard lock(mutex_);
  for (const auto& [prefix, stats] : listeners_) {
    forEachListenerStat(*stats, [&](const char* name, StatKind kind, const Counter& counter) {
      visitor(StatSample{"tcp", prefix, name, kind, counter.value(), nullptr});
    });
  }
  for (const auto& [cluster, stats] : clusters_) {
    forEachClusterStat(*stats, [&](const char* name, StatKind kind, const Counter& counter) {
      visitor(StatSample{"cluster", cluster, name, kind, counter.value(), nullptr});
    });
    visitor(StatSample{"cluster", cluster, "upstream_cx_length_ms", StatKind::kHistogram,
                       stats->upstream_cx_length_ms.count(), &stats->upstream_cx_length_ms});
  }
  for (const auto& [key, stats] : endpoints_) {
    const std::string& name = endpoint_names_.at(key);
    forEachEndpointStat(*stats, [&](const char* stat, StatKind kind, const Counter& counter) {
      visitor(StatSample{"endpoint", name, stat, kind, counter.value(), nullptr});
    });
  }
  for (const auto& [name, stats] : routes_) {
    forEachRouteStat(*stats, [&](const char* stat, StatKind kind, const Counter& counter) {
      visitor(StatSample{"route", name, stat, kind, counter.value(), nullptr});
    });
  }
}

}  // namespace weir::proxy
