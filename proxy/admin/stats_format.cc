#include "proxy/admin/stats_format.h"

#include <algorithm>
#include <cctype>
#include <map>

#include <fmt/format.h>

#include "common/json_text.h"

namespace weir::proxy {
namespace {

std::vector<const StatTotal*> selectSorted(const std::vector<StatTotal>& stats,
                                           const std::regex* filter) {
  std::vector<const StatTotal*> selected;
  for (const StatTotal& stat : stats) {
    if (filter == nullptr || std::regex_search(stat.fullName(), *filter)) {
      selected.push_back(&stat);
    }
  }
  std::sort(selected.begin(), selected.end(), [](const StatTotal* a, const StatTotal* b) {
    return a->fullName() < b->fullName();
  });
  return selected;
}

// Prometheus label values escape backslash, double quote and newline.
std::string prometheusLabelValue(const std::string& value) {
  std::string escaped;
  for (char c : value) {
    if (c == '\\' || c == '"') {
      escaped.push_back('\\');
      escaped.push_back(c);
    } else if (c == '\n') {
      escaped += "\\n";
    } else {
      escaped.push_back(c);
    }
  }
  return escaped;
}

// The upper bound of the bucket in which the q-quantile falls (no interpolation).
std::string quantile(const StatTotal& histogram, double q) {
  if (histogram.value == 0) return "nan";
  const double rank = q * static_cast<double>(histogram.value);
  uint64_t cumulative = 0;
  for (size_t i = 0; i < histogram.buckets.size(); ++i) {
    cumulative += histogram.buckets[i];
    if (static_cast<double>(cumulative) >= rank) {
      return i < kHistogramBucketCount ? fmt::format("{}", kHistogramBounds[i]) : "+Inf";
    }
  }
  return "+Inf";
}

}  // namespace

std::string formatStatsText(const std::vector<StatTotal>& stats, const std::regex* filter) {
  std::string text;
  for (const StatTotal* stat : selectSorted(stats, filter)) {
    if (stat->kind == StatKind::kHistogram) {
      text += fmt::format("{}: P50({}) P90({}) P99({}) count({}) sum({})\n", stat->fullName(),
                          quantile(*stat, 0.5), quantile(*stat, 0.9), quantile(*stat, 0.99),
                          stat->value, stat->sum);
    } else {
      text += fmt::format("{}: {}\n", stat->fullName(), stat->value);
    }
  }
  return text;
}

std::string formatStatsJson(const std::vector<StatTotal>& stats, const std::regex* filter) {
  std::string json = "{\"stats\":[";
  bool first = true;
  for (const StatTotal* stat : selectSorted(stats, filter)) {
    if (stat->kind == StatKind::kHistogram) {
      std::string buckets;
      uint64_t cumulative = 0;
      for (size_t i = 0; i < kHistogramBucketCount; ++i) {
        cumulative += stat->buckets[i];
        buckets += fmt::format("{}{{\"le\":{},\"count\":{}}}", i ? "," : "",
                               kHistogramBounds[i], cumulative);
      }
      json += fmt::format("{}{{\"name\":{},\"histogram\":{{\"count\":{},\"sum\":{},"
                          "\"buckets\":[{}]}}}}",
                          first ? "" : ",", jsonString(stat->fullName()), stat->value, stat->sum,
                          buckets);
    } else {
      json += fmt::format("{}{{\"name\":{},\"value\":{}}}", first ? "" : ",",
                          jsonString(stat->fullName()), stat->value);
    }
    first = false;
  }
  json += "]}\n";
  return json;
}

std::string formatStatsPrometheus(const std::vector<StatTotal>& stats) {
  // Envoy turns the scope name into a label: cluster.<name>.x becomes
  // envoy_cluster_x{envoy_cluster_name="<name>"}, tcp.<prefix>.x becomes
  // envoy_tcp_x{envoy_tcp_prefix="<prefix>"}.
  std::map<std::string, std::vector<const StatTotal*>> families;
  for (const StatTotal& stat : stats) {
    // Per-route and per-endpoint counters are Weir's own (for test suites, in
    // /stats); Prometheus gets Envoy's families only.
    if (stat.scope != "cluster" && stat.scope != "tcp" && stat.scope != "server") continue;
    // Metric names allow [a-zA-Z0-9_:]; Envoy's converter makes anything else
    // (e.g. the '.' in tls_inspector.sni_found) an underscore.
    std::string family = "envoy_" + stat.scope + "_" + stat.stat;
    std::replace_if(
        family.begin(), family.end(),
        [](char c) { return !(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == ':'); },
        '_');
    families[family].push_back(&stat);
  }
  std::string text;
  for (auto& [family, members] : families) {
    std::sort(members.begin(), members.end(), [](const StatTotal* a, const StatTotal* b) {
      return a->scope_name < b->scope_name;
    });
    const StatKind kind = members.front()->kind;
    const StatTotal& sample = *members.front();
    text += fmt::format("# HELP {} Envoy statistic {}.{}{}\n", family, sample.scope,
                        sample.scope_name.empty() ? "" : "<name>.", sample.stat);
    text += fmt::format("# TYPE {} {}\n", family,
                        kind == StatKind::kGauge       ? "gauge"
                        : kind == StatKind::kHistogram ? "histogram"
                                                       : "counter");
    for (const StatTotal* stat : members) {
      std::string labels;
      if (!stat->scope_name.empty()) {
        const char* label = stat->scope == "cluster" ? "envoy_cluster_name" : "envoy_tcp_prefix";
        labels = fmt::format("{}=\"{}\"", label, prometheusLabelValue(stat->scope_name));
      }
      if (kind != StatKind::kHistogram) {
        text += labels.empty() ? fmt::format("{} {}\n", family, stat->value)
                               : fmt::format("{}{{{}}} {}\n", family, labels, stat->value);
        continue;
      }
      const std::string separator = labels.empty() ? "" : ",";
      uint64_t cumulative = 0;
      for (size_t i = 0; i < kHistogramBucketCount; ++i) {
        cumulative += stat->buckets[i];
        text += fmt::format("{}_bucket{{{}{}le=\"{}\"}} {}\n", family, labels, separator,
                            kHistogramBounds[i], cumulative);
      }
      text += fmt::format("{}_bucket{{{}{}le=\"+Inf\"}} {}\n", family, labels, separator,
                          stat->value);
      const std::string braces = labels.empty() ? "" : "{" + labels + "}";
      text += fmt::format("{}_sum{} {}\n", family, braces, stat->sum);
      text += fmt::format("{}_count{} {}\n", family, braces, stat->value);
    }
  }
  return text;
}

}  // namespace weir::proxy
