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

// Per upstream endpoint, for /clusters and /stats: endpoint.<cluster>/<address>.*
// (Envoy keeps per-host counters too; test suites use these to see where
// connections went).
struct EndpointStats {
  Counter cx_total;
  Counter cx_active;  // a gauge
  Counter cx_connect_fail;
  // Connects to it that failed for weir's own reasons (connect_failure_cause.h):
  // not its fault, not counted in cx_connect_fail.
  Counter cx_connect_local_fail;
  Counter rx_bytes_total;  // from the endpoint
  Counter tx_bytes_total;  // to the endpoint
};

// Per VirtualService rule: route.<namespace/name/tcp[i]>.*
struct RouteStats {
  Counter cx_total;        // connections the rule took
  Counter rx_bytes_total;  // from clients
  Counter tx_bytes_total;  // to clients
};

// tcp.<stat_prefix>.*
struct ListenerStats {
  Counter downstream_cx_total;
  Counter downstream_cx_active;  // a gauge
  Counter downstream_cx_no_route;
  Counter downstream_cx_overflow;  // closed at once: the listener's weir.dev/max-connections
  Counter downstream_global_cx_overflow;  // closed at once: --max-connections reached
  Counter downstream_cx_accept_error;  // accept() failed (EMFILE: accepting pauses)
  Counter downstream_cx_rx_bytes_total;
  Counter downstream_cx_tx_bytes_total;
  // Reading from clients stopped because their upstream was not taking bytes.
  Counter downstream_flow_control_paused_reading_total;
  Counter downstream_flow_control_resumed_reading_total;
  // TLS passthrough listeners (Envoy's listener and tls_inspector statistics).
  Counter downstream_pre_cx_timeout;  // no ClientHello within the timeout
  Counter tls_inspector_sni_found;
  Counter tls_inspector_sni_not_found;
  Counter tls_inspector_tls_not_found;  // not a (well-formed) ClientHello
  Counter tls_inspector_client_hello_too_large;
};

// cluster.<name>.*
struct ClusterStats {
  Counter upstream_cx_total;
  Counter upstream_cx_active;  // a gauge
  Counter upstream_cx_connect_fail;
  Counter upstream_cx_connect_timeout;
  // Connects that failed for weir's own reasons (out of descriptors, memory or
  // local ports; a timer too late to judge): never counted against the endpoint,
  // and not in upstream_cx_connect_fail or _timeout. Weir's own name.
  Counter upstream_cx_connect_local_fail;
  Counter upstream_cx_none_healthy;  // no endpoint in rotation (unresolved, ejected, failing checks)
  Counter upstream_cx_destroy_remote_with_active_rq;  // upstream reset or error
  Counter upstream_cx_idle_timeout;
  Counter upstream_cx_overflow;               // refused: maxConnections reached
  Counter upstream_cx_connect_attempts_exceeded;  // gave up after --max-connect-attempts
  Counter upstream_cx_max_duration_reached;   // closed by maxConnectionDuration
  Counter upstream_cx_rx_bytes_total;
  Counter upstream_cx_tx_bytes_total;
  Counter upstream_flow_control_paused_reading_total;
  Counter upstream_flow_control_resumed_reading_total;
  // Bytes (both directions) moved with splice(2) rather than copied: Weir's own.
  Counter upstream_cx_spliced_bytes_total;
  Histogram upstream_cx_length_ms;
};

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
