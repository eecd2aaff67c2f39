// Views of the running configuration for the admin API: /config_dump (the
// effective route table), /clusters (endpoints with their counters; Envoy's text,
// or weir's JSON) and /listeners (Envoy's text and JSON).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "proxy/admin/stats_format.h"
#include "proxy/cluster/config_snapshot.h"

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
// Envoy's /clusters text: "<cluster>::<host:port>::cx_total::42" lines, per cluster
// its connection limit, per endpoint its counters, hostname, health_flags and
// weight. Endpoints whose name has not resolved are left out (Envoy has no host
// for them yet).
std::string clustersText(const ConfigSnapshot& snapshot, const EndpointTotalsMap& endpoints);

// Envoy's /listeners: one per socket (TLS servers merged onto one port are one),
// named as Istio names a gateway's listeners, "<bind>_<Gateway port>".
// Text: "0.0.0.0_9000::0.0.0.0:9000" lines; JSON: {"listener_statuses":[{"name",
// "local_address":{"socket_address":{"address","port_value"}}}]} ("pipe":{"path"}
// for a Unix socket).
std::string listenersText(const config::RouteTable& table);
std::string listenersJson(const config::RouteTable& table);

}  // namespace weir::proxy
