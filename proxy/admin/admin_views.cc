#include "proxy/admin/admin_views.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include <fmt/format.h>

#include "common/json_text.h"
#include "config/unix_address.h"

namespace weir::proxy {
namespace {

// A ServiceEntry resolution by its Istio name.
const char* resolutionName(config::EndpointResolution resolution) {
  switch (resolution) {
    case config::EndpointResolution::kStatic: return "STATIC";
    case config::EndpointResolution::kDns: return "DNS";
    case config::EndpointResolution::kDnsRoundRobin: return "DNS_ROUND_ROBIN";
    case config::EndpointResolution::kNone: return "NONE";
    case config::EndpointResolution::kDynamicDns: return "DYNAMIC_DNS";
  }
  return "STATIC";
}

// weir.dev/health-check-* of a cluster; null without active checks.
std::string healthCheckObject(const std::optional<config::UpstreamCluster::HealthCheck>& check) {
  if (!check) {
    return "null";
  }
  return fmt::format(
      "{{\"interval_ms\":{},\"timeout_ms\":{},\"healthy_threshold\":{},"
      "\"unhealthy_threshold\":{},\"send\":{},\"expect\":{}}}",
      check->interval.count(), check->timeout.count(), check->healthy_threshold,
      check->unhealthy_threshold, jsonString(check->send), jsonString(check->expect));
}

}  // namespace

std::string configDumpJson(const ConfigSnapshot& snapshot, const LastReload& last_reload) {
  const config::RouteTable& table = *snapshot.table;
  std::string json = fmt::format("{{\"generation\":{},\"source_files\":{},\"listeners\":[",
                                 snapshot.generation, jsonStringArray(table.source_files));
  for (size_t i = 0; i < table.listeners.size(); ++i) {
    const config::Listener& listener = table.listeners[i];
    std::vector<std::string> routes;
    for (size_t route : listener.candidate_routes) routes.push_back(table.routes[route].name);
    json += fmt::format(
        "{}{{\"gateway\":{},\"server\":{},\"address\":{},\"port\":{},\"configured_port\":{},"
        "\"protocol\":{},\"stat_prefix\":{},\"max_connections\":{},\"routes\":{}}}",
        i ? "," : "", jsonString(listener.gateway), jsonString(listener.server_name),
        jsonString(listener.bind_address), listener.port, listener.configured_port,
        jsonString(listener.protocol),
        jsonString(listener.stat_prefix),
        // null: no weir.dev/max-connections (UINT64_MAX is no JSON-safe number)
        listener.max_connections == UINT64_MAX ? std::string("null")
                                               : std::to_string(listener.max_connections),
        jsonStringArray(routes));
  }
  json += "],\"routes\":[";
  for (size_t i = 0; i < table.routes.size(); ++i) {
    const config::TcpRoute& route = table.routes[i];
    json += fmt::format("{}{{\"name\":{},\"virtual_service\":{},\"source\":{},"
                        "\"total_weight\":{},\"max_connect_attempts\":{},\"destinations\":[",
                        i ? "," : "", jsonString(route.name), jsonString(route.virtual_service),
                        jsonString(fmt::format("{}:{}:{}", route.position.file,
                                               route.position.line, route.position.column)),
                        route.total_weight,
                        // null: --max-connect-attempts applies
                        route.max_connect_attempts == 0
                            ? std::string("null")
                            : std::to_string(route.max_connect_attempts));
    for (size_t d = 0; d < route.destinations.size(); ++d) {
      const config::WeightedDestination& destination = route.destinations[d];
      // A cluster that does not exist is shown by the name Istio would give it,
      // with "cluster_found": false (connections picked for it are closed, NC).
      config::MissingCluster shown = destination.missing;
      if (destination.cluster_index) {
        const config::UpstreamCluster& cluster = table.clusters[*destination.cluster_index];
        shown = {cluster.name, cluster.host, cluster.subset, cluster.port};
      }
      json += fmt::format(
          "{}{{\"cluster\":{},\"host\":{},\"subset\":{},\"port\":{},\"weight\":{},"
          "\"cluster_found\":{}}}",
          d ? "," : "", jsonString(shown.name), jsonString(shown.host), jsonString(shown.subset),
          shown.port, destination.weight, destination.cluster_index ? "true" : "false");
    }
    json += "]}";
  }
  json += "],\"clusters\":[";
  for (size_t c = 0; c < table.clusters.size(); ++c) {
    const config::UpstreamCluster& cluster = table.clusters[c];
    json += fmt::format(
        "{}{{\"name\":{},\"host\":{},\"subset\":{},\"port\":{},\"resolution\":{},"
        "\"connect_timeout_ms\":{},\"idle_timeout_ms\":{},\"health_check\":{},"
        "\"endpoints\":[",
        c ? "," : "", jsonString(cluster.name), jsonString(cluster.host),
        jsonString(cluster.subset), cluster.port,
        jsonString(resolutionName(cluster.resolution)),
        cluster.connect_timeout.count(), cluster.idle_timeout.count(),
        healthCheckObject(cluster.health_check));
    for (size_t e = 0; e < cluster.endpoints.size(); ++e) {
      const config::UpstreamEndpoint& endpoint = cluster.endpoints[e];
      std::vector<std::string> resolved;
      for (const ClusterEndpoint& address : snapshot.clusters[c].endpoints()) {
        if (address.config_index == e && address.address) resolved.push_back(address.display);
      }
      json += fmt::format("{}{{\"address\":{},\"port\":{},\"weight\":{},\"labels\":{},"
                          "\"resolved\":{}}}",
                          e ? "," : "", jsonString(endpoint.address), endpoint.port,
                          endpoint.weight, jsonStringObject(endpoint.labels),
                          jsonStringArray(resolved));
    }
    json += "]}";
  }
  json += fmt::format("],\"last_reload\":{}}}\n",
                      !last_reload.attempted
                          ? std::string("null")
                          : fmt::format("{{\"result\":{},\"errors\":{}}}",
                                        jsonString(last_reload.applied ? "applied" : "rejected"),
                                        jsonStringArray(last_reload.errors)));
  return json;
}

namespace {
// Like Envoy's /clusters health flags.
const char* healthOf(const ClusterEndpoint& endpoint, const EndpointHealth& health) {
  if (!endpoint.address) return "UNRESOLVED";
  if (health.ejected()) return "FAILED_OUTLIER_CHECK";
  if (health.failedActiveCheck()) return "FAILED_ACTIVE_HC";
  return "HEALTHY";
}
}  // namespace

std::string clustersJson(const ConfigSnapshot& snapshot, const std::vector<StatTotal>& stats,
                         const EndpointTotalsMap& endpoint_totals) {
  std::map<std::string, std::map<std::string, uint64_t>> by_cluster;
  for (const StatTotal& stat : stats) {
    if (stat.scope == "cluster" && stat.kind != StatKind::kHistogram) {
      by_cluster[stat.scope_name][stat.stat] = stat.value;
    }
  }
  const config::RouteTable& table = *snapshot.table;
  std::string json = "{\"clusters\":[";
  for (size_t c = 0; c < table.clusters.size(); ++c) {
    const config::UpstreamCluster& cluster = table.clusters[c];
    json += fmt::format("{}{{\"name\":{},\"resolution\":{},\"stats\":{{", c ? "," : "",
                        jsonString(cluster.name), jsonString(resolutionName(cluster.resolution)));
    bool first = true;
    for (const auto& [name, value] : by_cluster[cluster.name]) {
      json += fmt::format("{}{}:{}", first ? "" : ",", jsonString(name), value);
      first = false;
    }
    json += "},\"endpoints\":[";
    const std::span<const ClusterEndpoint> endpoints = snapshot.clusters[c].endpoints();
    for (size_t e = 0; e < endpoints.size(); ++e) {
      const ClusterEndpoint& endpoint = endpoints[e];
      const config::UpstreamEndpoint& source = cluster.endpoints[endpoint.config_index];
      EndpointTotals totals;
      if (auto found = endpoint_totals.find({cluster.name, endpoint.display});
          found != endpoint_totals.end()) {
        totals = found->second;
      }
      json += fmt::format(
          "{}{{\"address\":{},\"weight\":{},\"labels\":{},\"health\":{},\"cx_active\":{},"
          "\"cx_total\":{},\"cx_connect_fail\":{}}}",
          e ? "," : "", jsonString(endpoint.display), source.weight,
          jsonStringObject(source.labels),
          jsonString(healthOf(endpoint, *endpoint.health)), totals.cx_active,
          totals.cx_total, totals.cx_connect_fail);
    }
    json += "]}";
  }
  return json + "]}\n";
}

namespace {

// Envoy's HostUtility::healthFlagsToString: "healthy", or each failed check.
std::string healthFlagsOf(const EndpointHealth& health) {
  std::string flags;
  if (health.failedActiveCheck()) flags += "/failed_active_hc";
  if (health.ejected()) flags += "/failed_outlier_check";
  return flags.empty() ? "healthy" : flags;
}

}  // namespace

std::string clustersText(const ConfigSnapshot& snapshot, const EndpointTotalsMap& endpoint_totals) {
  const config::RouteTable& table = *snapshot.table;
  std::string text;
  for (size_t c = 0; c < table.clusters.size(); ++c) {
    const config::UpstreamCluster& cluster = table.clusters[c];
    const std::string& name = cluster.name;
    text += fmt::format("{}::observability_name::{}\n", name, name);
    text += fmt::format("{}::default_priority::max_connections::{}\n", name,
                        cluster.max_connections);
    // From files, not from an xDS server.
    text += fmt::format("{}::added_via_api::false\n", name);
    for (const ClusterEndpoint& endpoint : snapshot.clusters[c].endpoints()) {
      if (!endpoint.address) continue;
      const config::UpstreamEndpoint& source = cluster.endpoints[endpoint.config_index];
      EndpointTotals totals;
      if (auto found = endpoint_totals.find({name, endpoint.display});
          found != endpoint_totals.end()) {
        totals = found->second;
      }
      // A DNS endpoint's name is its hostname, as Envoy's STRICT_DNS hosts have.
      const bool named = cluster.resolution == config::EndpointResolution::kDns ||
                         cluster.resolution == config::EndpointResolution::kDnsRoundRobin;
      const std::string prefix = name + "::" + endpoint.display + "::";
      text += fmt::format("{}cx_active::{}\n", prefix, totals.cx_active);
      text += fmt::format("{}cx_connect_fail::{}\n", prefix, totals.cx_connect_fail);
      text += fmt::format("{}cx_total::{}\n", prefix, totals.cx_total);
      text += fmt::format("{}hostname::{}\n", prefix, named ? source.address : "");
      text += fmt::format("{}health_flags::{}\n", prefix, healthFlagsOf(*endpoint.health));
      text += fmt::format("{}weight::{}\n", prefix, source.weight);
      text += fmt::format("{}region::\n{}zone::\n{}sub_zone::\n", prefix, prefix, prefix);
      text += fmt::format("{}canary::false\n", prefix);
      text += fmt::format("{}priority::0\n", prefix);
      text += fmt::format("{}success_rate::-1\n", prefix);
      text += fmt::format("{}local_origin_success_rate::-1\n", prefix);
    }
  }
  return text;
}

namespace {

struct ShownListener {
  std::string name;      // "0.0.0.0_9000"
  std::string address;   // "0.0.0.0:9000", "[::]:9000", or a Unix socket's path
  std::string host;      // "0.0.0.0"
  uint16_t port = 0;
  bool unix_socket = false;
};

// One per socket, in the table's order.
std::vector<ShownListener> shownListeners(const config::RouteTable& table) {
  std::vector<ShownListener> shown;
  for (const config::Listener& listener : table.listeners) {
    ShownListener entry;
    entry.unix_socket = config::isUnixAddress(listener.bind_address);
    entry.host = entry.unix_socket ? std::string(config::unixSocketPath(listener.bind_address))
                                   : listener.bind_address;
    entry.port = entry.unix_socket ? 0 : listener.port;
    entry.name = entry.unix_socket
                     ? listener.bind_address
                     : fmt::format("{}_{}", listener.bind_address, listener.configured_port);
    entry.address = entry.unix_socket ? entry.host
                    : entry.host.find(':') != std::string::npos
                        ? fmt::format("[{}]:{}", entry.host, entry.port)
                        : fmt::format("{}:{}", entry.host, entry.port);
    bool seen = false;
    for (const ShownListener& other : shown) seen = seen || other.address == entry.address;
    if (!seen) shown.push_back(std::move(entry));
  }
  return shown;
}

}  // namespace

std::string listenersText(const config::RouteTable& table) {
  std::string text;
  for (const ShownListener& listener : shownListeners(table)) {
    text += fmt::format("{}::{}\n", listener.name, listener.address);
  }
  return text;
}

std::string listenersJson(const config::RouteTable& table) {
  std::string json = "{\"listener_statuses\":[";
  bool first = true;
  for (const ShownListener& listener : shownListeners(table)) {
    const std::string address =
        listener.unix_socket
            ? fmt::format("{{\"pipe\":{{\"path\":{}}}}}", jsonString(listener.host))
            : fmt::format("{{\"socket_address\":{{\"address\":{},\"port_value\":{}}}}}",
                          jsonString(listener.host), listener.port);
    json += fmt::format("{}{{\"name\":{},\"local_address\":{}}}", first ? "" : ",",
                        jsonString(listener.name), address);
    first = false;
  }
  return json + "]}\n";
}

}  // namespace weir::proxy
