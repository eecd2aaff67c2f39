#include "proxy/stats_format.h"

#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "proxy/json_text.h"

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

}  // namespace

std::string formatStatsText(const std::vector<StatTotal>& stats, const std::regex* filter) {
  std::string text;
  for (const StatTotal* stat : selectSorted(stats, filter)) {
    text += fmt::format("{}: {}\n", stat->fullName(), stat->value);
  }
  return text;
}

std::string formatStatsJson(const std::vector<StatTotal>& stats, const std::regex* filter) {
  std::string json = "{\"stats\":[";
  bool first = true;
  for (const StatTotal* stat : selectSorted(stats, filter)) {
    json += fmt::format("{}{{\"name\":{},\"value\":{}}}", first ? "" : ",",
                        jsonString(stat->fullName()), stat->value);
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
    families["envoy_" + stat.scope + "_" + stat.stat].push_back(&stat);
  }
  std::string text;
  for (auto& [family, members] : families) {
    std::sort(members.begin(), members.end(), [](const StatTotal* a, const StatTotal* b) {
      return a->scope_name < b->scope_name;
    });
    const bool gauge = members.front()->kind == StatKind::kGauge;
    text += fmt::format("# TYPE {} {}\n", family, gauge ? "gauge" : "counter");
    for (const StatTotal* stat : members) {
      const char* label = stat->scope == "cluster" ? "envoy_cluster_name" : "envoy_tcp_prefix";
      text += fmt::format("{}{{{}=\"{}\"}} {}\n", family, label,
                          prometheusLabelValue(stat->scope_name), stat->value);
    }
  }
  return text;
}

}  // namespace weir::proxy
