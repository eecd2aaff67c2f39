#include "proxy/stats/stats.h"

namespace weir::proxy {
namespace {

// forEach<Group>Stat(stats, visit) calls visit(name, kind, stat) for every statistic
// of a group, in its list's order (stats.h); `stat` is a Counter or a Histogram.
#define WEIR_VISIT_COUNTER(name) visit(#name, StatKind::kCounter, stats.name);
#define WEIR_VISIT_GAUGE(name) visit(#name, StatKind::kGauge, stats.name);
#define WEIR_VISIT_HISTOGRAM(name) visit(#name, StatKind::kHistogram, stats.name);
#define WEIR_VISIT_TLS_INSPECTOR(name) \
  visit("tls_inspector." #name, StatKind::kCounter, stats.tls_inspector_##name);

template <typename Stats, typename Visitor>  // Stats: ListenerStats, const or not
void forEachListenerStat(Stats& stats, Visitor&& visit) {
  WEIR_LISTENER_STATS(WEIR_VISIT_COUNTER, WEIR_VISIT_GAUGE)
  WEIR_TLS_INSPECTOR_STATS(WEIR_VISIT_TLS_INSPECTOR)
}

template <typename Stats, typename Visitor>  // Stats: ClusterStats, const or not
void forEachClusterStat(Stats& stats, Visitor&& visit) {
  WEIR_CLUSTER_STATS(WEIR_VISIT_COUNTER, WEIR_VISIT_GAUGE, WEIR_VISIT_HISTOGRAM)
}

template <typename Stats, typename Visitor>  // Stats: EndpointStats, const or not
void forEachEndpointStat(Stats& stats, Visitor&& visit) {
  WEIR_ENDPOINT_STATS(WEIR_VISIT_COUNTER, WEIR_VISIT_GAUGE)
}

template <typename Stats, typename Visitor>  // Stats: RouteStats, const or not
void forEachRouteStat(Stats& stats, Visitor&& visit) {
  WEIR_ROUTE_STATS(WEIR_VISIT_COUNTER)
}

#undef WEIR_VISIT_COUNTER
#undef WEIR_VISIT_GAUGE
#undef WEIR_VISIT_HISTOGRAM
#undef WEIR_VISIT_TLS_INSPECTOR

// Hands each statistic of one scope to visit()'s caller as a StatSample.
struct SampleVisitor {
  const char* scope;
  const std::string& scope_name;
  const std::function<void(const StatSample&)>& visitor;

  void operator()(const char* name, StatKind kind, const Counter& counter) const {
    visitor(StatSample{scope, scope_name, name, kind, counter.value(), nullptr});
  }
  void operator()(const char* name, StatKind kind, const Histogram& histogram) const {
    visitor(StatSample{scope, scope_name, name, kind, histogram.count(), &histogram});
  }
};

// The statistics under `key`, added (zero) if there are none yet.
template <typename Stats>
Stats& findOrAdd(std::map<std::string, std::unique_ptr<Stats>>& groups, const std::string& key) {
  auto& slot = groups[key];
  if (!slot) {
    slot = std::make_unique<Stats>();
  }
  return *slot;
}

// Zeroes counters and histograms; gauges (active connections) stay.
struct CounterReset {
  template <typename Stat>
  void operator()(const char*, StatKind kind, Stat& stat) const {
    if (kind != StatKind::kGauge) stat.reset();
  }
};

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
  return findOrAdd(routes_, name);
}

void WorkerStats::visitEndpoints(
    const std::function<void(const std::string&, const std::string&, const EndpointStats&)>&
        visitor) const {
  std::lock_guard lock(mutex_);
  for (const auto& [key, stats] : endpoints_) visitor(key.first, key.second, *stats);
}

ListenerStats& WorkerStats::listener(const std::string& stat_prefix) {
  std::lock_guard lock(mutex_);
  return findOrAdd(listeners_, stat_prefix);
}

ClusterStats& WorkerStats::cluster(const std::string& name) {
  std::lock_guard lock(mutex_);
  return findOrAdd(clusters_, name);
}

void WorkerStats::resetCounters() {
  std::lock_guard lock(mutex_);
  for (auto& [prefix, stats] : listeners_) forEachListenerStat(*stats, CounterReset{});
  for (auto& [name, stats] : clusters_) forEachClusterStat(*stats, CounterReset{});
  for (auto& [key, stats] : endpoints_) forEachEndpointStat(*stats, CounterReset{});
  for (auto& [name, stats] : routes_) forEachRouteStat(*stats, CounterReset{});
}

void WorkerStats::visit(const std::function<void(const StatSample&)>& visitor) const {
  std::lock_guard lock(mutex_);
  for (const auto& [prefix, stats] : listeners_) {
    forEachListenerStat(*stats, SampleVisitor{"tcp", prefix, visitor});
  }
  for (const auto& [cluster, stats] : clusters_) {
    forEachClusterStat(*stats, SampleVisitor{"cluster", cluster, visitor});
  }
  for (const auto& [key, stats] : endpoints_) {
    forEachEndpointStat(*stats, SampleVisitor{"endpoint", endpoint_names_.at(key), visitor});
  }
  for (const auto& [name, stats] : routes_) {
    forEachRouteStat(*stats, SampleVisitor{"route", name, visitor});
  }
}

}  // namespace weir::proxy
