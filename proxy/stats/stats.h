// Per-worker statistics with Envoy's names, summed over workers when read.
//
// Each counter is written by exactly one worker thread (its owner) and may be
// read by any thread, so it is a relaxed atomic updated without a locked
// read-modify-write: the per-connection path never takes a lock. The maps that
// hold the counters are changed only when a snapshot is installed, under a mutex
// that readers also take; connections keep plain pointers to their counters,
// which live as long as the worker.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <iterator>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace weir::proxy {

// Written by one thread, read by any.
class Counter {
 public:
  void add(uint64_t amount = 1) {
    value_.store(value_.load(std::memory_order_relaxed) + amount, std::memory_order_relaxed);
  }
  void subtract(uint64_t amount = 1) {
    value_.store(value_.load(std::memory_order_relaxed) - amount, std::memory_order_relaxed);
  }
  uint64_t value() const { return value_.load(std::memory_order_relaxed); }
  void reset() { value_.store(0, std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

enum class StatKind { kCounter, kGauge, kHistogram };

// Envoy's default histogram bucket bounds (upper bounds, milliseconds).
inline constexpr double kHistogramBounds[] = {0.5,   1,     5,     10,     25,     50,     100,
                                              250,   500,   1000,  2500,   5000,   10000,  30000,
                                              60000, 300000, 600000, 1800000, 3600000};
inline constexpr size_t kHistogramBucketCount = std::size(kHistogramBounds);

// Written by one thread, read by any: counts per bucket (the last bucket counts
// values above every bound), plus sum and count.
class Histogram {
 public:
  void record(uint64_t value_ms);
  uint64_t bucket(size_t index) const { return buckets_[index].value(); }
  uint64_t sum() const { return sum_.value(); }
  uint64_t count() const { return count_.value(); }
  void reset();

 private:
  Counter buckets_[kHistogramBucketCount + 1];
  Counter sum_;
  Counter count_;
};

// One statistic as Envoy names it: "<scope>.<scope_name>.<name>", e.g.
// scope "cluster", scope_name "outbound|9000|v1|tcp-echo-server…", name "upstream_cx_total".
struct StatSample {
  const char* scope;
  const std::string& scope_name;
  const char* name;
  StatKind kind;
  uint64_t value;                        // counters, gauges; a histogram's count
  const Histogram* histogram = nullptr;  // histograms only
};

// Each group of statistics is listed once, Envoy's way (ALL_TCP_PROXY_STATS(COUNTER,
// GAUGE)): the list makes the struct's fields, and WorkerStats::visit() and
// resetCounters() read the names, kinds and order from it. A statistic's name is its
// field's name; the order is the order of /stats before sorting. Gauges are Counters
// that also go down; resetCounters() zeroes counters and histograms, never gauges.

// Per upstream endpoint, for /clusters and /stats: endpoint.<cluster>/<address>.*
// (Envoy keeps per-host counters too; test suites use these to see where
// connections went).
#define WEIR_ENDPOINT_STATS(COUNTER, GAUGE)                                                \
  COUNTER(cx_total)                                                                        \
  GAUGE(cx_active)                                                                         \
  COUNTER(cx_connect_fail)                                                                 \
  /* Connects to it that failed for weir's own reasons (connect_failure_cause.h): not */   \
  /* its fault, not counted in cx_connect_fail. */                                         \
  COUNTER(cx_connect_local_fail)                                                           \
  COUNTER(rx_bytes_total) /* from the endpoint */                                          \
  COUNTER(tx_bytes_total) /* to the endpoint */

// Per VirtualService rule: route.<namespace/name/tcp[i]>.*
#define WEIR_ROUTE_STATS(COUNTER)                                                          \
  COUNTER(cx_total)       /* connections the rule took */                                  \
  COUNTER(rx_bytes_total) /* from clients */                                               \
  COUNTER(tx_bytes_total) /* to clients */

// tcp.<stat_prefix>.*
#define WEIR_LISTENER_STATS(COUNTER, GAUGE)                                                \
  COUNTER(downstream_cx_total)                                                             \
  GAUGE(downstream_cx_active)                                                              \
  COUNTER(downstream_cx_no_route)                                                          \
  /* closed at once: the listener's weir.dev/max-connections */                            \
  COUNTER(downstream_cx_overflow)                                                          \
  COUNTER(downstream_global_cx_overflow) /* closed at once: --max-connections reached */   \
  COUNTER(downstream_cx_accept_error) /* accept() failed (EMFILE: accepting pauses) */     \
  COUNTER(downstream_cx_rx_bytes_total)                                                    \
  COUNTER(downstream_cx_tx_bytes_total)                                                    \
  /* Reading from clients stopped because their upstream was not taking bytes. */          \
  COUNTER(downstream_flow_control_paused_reading_total)                                    \
  COUNTER(downstream_flow_control_resumed_reading_total)                                   \
  /* TLS passthrough: no ClientHello within the timeout. */                                \
  COUNTER(downstream_pre_cx_timeout)

// tcp.<stat_prefix>.tls_inspector.*, after the listener's own: TLS passthrough
// listeners (Envoy's tls_inspector statistics). Field tls_inspector_<name>.
#define WEIR_TLS_INSPECTOR_STATS(COUNTER)                                                  \
  COUNTER(sni_found)                                                                       \
  COUNTER(sni_not_found)                                                                   \
  COUNTER(tls_not_found) /* not a (well-formed) ClientHello */                             \
  COUNTER(client_hello_too_large)

// cluster.<name>.*
#define WEIR_CLUSTER_STATS(COUNTER, GAUGE, HISTOGRAM)                                      \
  COUNTER(upstream_cx_total)                                                               \
  GAUGE(upstream_cx_active)                                                                \
  COUNTER(upstream_cx_connect_fail)                                                        \
  COUNTER(upstream_cx_connect_timeout)                                                     \
  /* Connects that failed for weir's own reasons (out of descriptors, memory or local */   \
  /* ports; a timer too late to judge): never counted against the endpoint, and not */     \
  /* in upstream_cx_connect_fail or _timeout. Weir's own name. */                          \
  COUNTER(upstream_cx_connect_local_fail)                                                  \
  /* No endpoint in rotation (unresolved, ejected, failing checks). */                     \
  COUNTER(upstream_cx_none_healthy)                                                        \
  COUNTER(upstream_cx_destroy_remote_with_active_rq) /* upstream reset or error */         \
  COUNTER(upstream_cx_idle_timeout)                                                        \
  COUNTER(upstream_cx_overflow) /* refused: maxConnections reached */                      \
  /* gave up after --max-connect-attempts */                                               \
  COUNTER(upstream_cx_connect_attempts_exceeded)                                           \
  COUNTER(upstream_cx_max_duration_reached) /* closed by maxConnectionDuration */          \
  COUNTER(upstream_cx_rx_bytes_total)                                                      \
  COUNTER(upstream_cx_tx_bytes_total)                                                      \
  COUNTER(upstream_flow_control_paused_reading_total)                                      \
  COUNTER(upstream_flow_control_resumed_reading_total)                                     \
  /* Bytes (both directions) moved with splice(2) rather than copied: Weir's own. */       \
  COUNTER(upstream_cx_spliced_bytes_total)                                                 \
  HISTOGRAM(upstream_cx_length_ms)

// cluster.<name>.outlier_detection.*, kept per cluster across workers by
// ClusterHealth (endpoint_health.h) rather than by each worker.
#define WEIR_OUTLIER_DETECTION_STATS(COUNTER, GAUGE)                                       \
  GAUGE(ejections_active)                                                                  \
  COUNTER(ejections_enforced_total) /* every ejection: consecutive failures */             \
  COUNTER(ejections_overflow)       /* not ejected: maxEjectionPercent reached */

// cluster.<name>.health_check.*, only for clusters with active health checks.
#define WEIR_HEALTH_CHECK_STATS(COUNTER, GAUGE)                                            \
  COUNTER(attempt)                                                                         \
  COUNTER(success)                                                                         \
  COUNTER(failure)                                                                         \
  /* Probes that could not be made for weir's own reasons (connect_failure_cause.h): */    \
  /* neither an attempt nor a failure, and no change to the endpoint's health. */          \
  COUNTER(local_failure)                                                                   \
  GAUGE(healthy) /* endpoints passing their checks */

#define WEIR_STAT_FIELD(name) Counter name;
#define WEIR_HISTOGRAM_FIELD(name) Histogram name;
#define WEIR_TLS_INSPECTOR_FIELD(name) Counter tls_inspector_##name;

struct EndpointStats {
  WEIR_ENDPOINT_STATS(WEIR_STAT_FIELD, WEIR_STAT_FIELD)
};

struct RouteStats {
  WEIR_ROUTE_STATS(WEIR_STAT_FIELD)
};

struct ListenerStats {
  WEIR_LISTENER_STATS(WEIR_STAT_FIELD, WEIR_STAT_FIELD)
  WEIR_TLS_INSPECTOR_STATS(WEIR_TLS_INSPECTOR_FIELD)
};

struct ClusterStats {
  WEIR_CLUSTER_STATS(WEIR_STAT_FIELD, WEIR_STAT_FIELD, WEIR_HISTOGRAM_FIELD)
};

#undef WEIR_STAT_FIELD
#undef WEIR_HISTOGRAM_FIELD
#undef WEIR_TLS_INSPECTOR_FIELD

class WorkerStats {
 public:
  // Owner thread only; returns a counter set that lives as long as this object.
  ListenerStats& listener(const std::string& stat_prefix);
  ClusterStats& cluster(const std::string& name);
  EndpointStats& endpoint(const std::string& cluster, const std::string& address);
  RouteStats& route(const std::string& name);

  // Owner thread only: zeroes every counter, keeps gauges (active connections).
  void resetCounters();

  // Any thread: visits every statistic.
  void visit(const std::function<void(const StatSample&)>& visitor) const;
  // Any thread: visits every endpoint's statistics.
  void visitEndpoints(const std::function<void(const std::string& cluster,
                                               const std::string& address,
                                               const EndpointStats&)>& visitor) const;

 private:
  mutable std::mutex mutex_;  // guards the maps, not the counters
  std::map<std::string, std::unique_ptr<ListenerStats>> listeners_;
  std::map<std::string, std::unique_ptr<ClusterStats>> clusters_;
  std::map<std::pair<std::string, std::string>, std::unique_ptr<EndpointStats>> endpoints_;
  std::map<std::string, std::unique_ptr<RouteStats>> routes_;
  // visit() reports endpoints under this name: "<cluster>/<address>".
  std::map<std::pair<std::string, std::string>, std::string> endpoint_names_;
};

}  // namespace weir::proxy
