// The admin API's renderings of the statistics: Envoy's text and JSON forms of
// /stats, and Prometheus' text exposition format for /stats/prometheus.
#pragma once

#include <cstdint>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "proxy/stats/stats.h"

namespace weir::proxy {

// One statistic summed over all workers.
struct StatTotal {
  std::string scope;       // "cluster", "tcp" or "server"
  std::string scope_name;  // cluster name, listener stat prefix; empty for "server"
  std::string stat;        // "upstream_cx_total"
  StatKind kind = StatKind::kCounter;
  uint64_t value = 0;                // a histogram's count
  std::vector<uint64_t> buckets;     // histograms: per bucket of kHistogramBounds, +1 overflow
  uint64_t sum = 0;                  // histograms
  // For ?usedonly. Envoy shows what was written since start; weir keeps no such
  // flag per statistic, so one is used when it is not zero, or when weir sets it
  // whatever its value (server.state, server.live, …).
  bool always_used = false;

  bool used() const { return always_used || value != 0 || sum != 0; }

  std::string fullName() const {
    return scope_name.empty() ? scope + "." + stat : scope + "." + scope_name + "." + stat;
  }
};

// "cluster.outbound|9000|v1|….upstream_cx_total: 42" lines, sorted by name,
// only those whose full name matches `filter` (ECMAScript regex search) if given.
std::string formatStatsText(const std::vector<StatTotal>& stats, const std::regex* filter);
// {"stats":[{"name":"…","value":42},…]}, as Envoy's /stats?format=json.
std::string formatStatsJson(const std::vector<StatTotal>& stats, const std::regex* filter);
// envoy_cluster_upstream_cx_total{envoy_cluster_name="outbound|9000|v1|…"} 42
// with one # TYPE line per metric family, as Envoy's /stats/prometheus.
std::string formatStatsPrometheus(const std::vector<StatTotal>& stats);

}  // namespace weir::proxy
