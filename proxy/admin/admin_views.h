// JSON views of the running configuration for the admin API: /config_dump
// (the effective route table) and /clusters (endpoints with their counters).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "proxy/cluster/config_snapshot.h"
#include "proxy/admin/stats_format.h"

namespace weir::proxy {

struct LastReload {
  bool attempted = false;
  bool applied = false;
  std::vector<std::string> errors;
};

std::string configDumpJson(const ConfigSnapshot& snapshot, const LastReload& last_reload);
// Per (cluster name, endpoint address), summed over workers.
struct EndpointTotals {
  uint64_t cx_total = 0;
  uint64_t cx_active = 0;
  uint64_t cx_connect_fail = 0;
};
using EndpointTotalsMap = std::map<std::pair<std::string, std::string>, EndpointTotals>;

std::string clustersJson(const ConfigSnapshot& snapshot, const std::vector<StatTotal>& stats,
                         const EndpointTotalsMap& endpoints);

}  // namespace weir::proxy
