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

enum class StatKind { kCounter, kGauge };

// One statistic as Envoy names it: "<scope>.<scope_name>.<name>", e.g.
// scope "cluster", scope_name "outbound|9000|v1|tcp-echo-server…", name "upstream_cx_total".
struct StatSample {
  const char* scope;
  const std::string& scope_name;
  const char* name;
  StatKind kind;
  uint64_t value;
};

// tcp.<stat_prefix>.*
struct ListenerStats {
  Counter downstream_cx_total;
  Counter downstream_cx_active;  // a gauge
  Counter downstream_cx_no_route;
  Counter downstream_cx_rx_bytes_total;
  Counter downstream_cx_tx_bytes_total;
};

// cluster.<name>.*
struct ClusterStats {
  Counter upstream_cx_total;
  Counter upstream_cx_active;  // a gauge
  Counter upstream_cx_connect_fail;
  Counter upstream_cx_connect_timeout;
  Counter upstream_cx_none_healthy;  // no endpoint with a usable address
  Counter upstream_cx_destroy_remote_with_active_rq;  // upstream reset or error
  Counter upstream_cx_rx_bytes_total;
  Counter upstream_cx_tx_bytes_total;
  Counter upstream_flow_control_paused_reading_total;
  Counter upstream_flow_control_resumed_reading_total;
};

class WorkerStats {
 public:
  // Owner thread only; returns a counter set that lives as long as this object.
  ListenerStats& listener(const std::string& stat_prefix);
  ClusterStats& cluster(const std::string& name);

  // Owner thread only: zeroes every counter, keeps gauges (active connections).
  void resetCounters();

  // Any thread: visits every statistic.
  void visit(const std::function<void(const StatSample&)>& visitor) const;

 private:
  mutable std::mutex mutex_;  // guards the maps, not the counters
  std::map<std::string, std::unique_ptr<ListenerStats>> listeners_;
  std::map<std::string, std::unique_ptr<ClusterStats>> clusters_;
};

}  // namespace weir::proxy
