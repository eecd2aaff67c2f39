// weir's GET /stats text: one "name: value" line per statistic, Envoy's names.
//   tcp.tcp-echo-gateway_9000.downstream_cx_total: 300
//   cluster.outbound|9000|v1|tcp-echo-server.default.svc.cluster.local.upstream_cx_total: 242
//   cluster.<name>.upstream_cx_length_ms: P50(5) P90(5) P99(10) count(242) sum(531)
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace weir::test {

struct HistogramSummary {
  uint64_t count = 0;
  uint64_t sum = 0;
};

class StatsSnapshot {
 public:
  // nullopt (with `error`) if a line is not "name: value".
  static std::optional<StatsSnapshot> parse(const std::string& text, std::string* error = nullptr);

  // A counter's or gauge's value; nullopt if absent or not a number.
  std::optional<uint64_t> number(const std::string& name) const;
  // count(...) and sum(...) of a histogram line; nullopt if absent or not one.
  std::optional<HistogramSummary> histogram(const std::string& name) const;
  bool has(const std::string& name) const { return values_.contains(name); }

  const std::map<std::string, std::string>& values() const { return values_; }
  size_t size() const { return values_.size(); }

 private:
  std::map<std::string, std::string> values_;
};

// Envoy's stat names for the walk-through's clusters: "cluster.outbound|PORT|SUBSET|HOST.STAT".
std::string clusterStat(uint16_t service_port, const std::string& subset, const std::string& stat,
                        const std::string& host = "tcp-echo-server.default.svc.cluster.local");
std::string clusterName(uint16_t service_port, const std::string& subset,
                        const std::string& host = "tcp-echo-server.default.svc.cluster.local");

}  // namespace weir::test
