// JSON views of the running configuration for the admin API: /config_dump
// (the effective route table) and /clusters (endpoints with their counters).
#pragma once

#include <string>
#include <vector>

#include "proxy/route_snapshot.h"
#include "proxy/stats_format.h"

namespace weir::proxy {

struct LastReload {
  bool attempted = false;
  bool applied = false;
  std::vector<std::string> errors;
};

std::string configDumpJson(const RouteSnapshot& snapshot, const LastReload& last_reload);
std::string clustersJson(const RouteSnapshot& snapshot, const std::vector<StatTotal>& stats);

}  // namespace weir::proxy
