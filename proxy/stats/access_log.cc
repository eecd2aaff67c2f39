#include "proxy/stats/access_log.h"

#include <fmt/format.h>

#include "common/iso_time.h"
#include "common/json_text.h"

namespace weir::proxy {

const char* toString(EndReason reason) {
  switch (reason) {
    case EndReason::kNoRoute: return "no_route";
    case EndReason::kNoClusterFound: return "no_cluster_found";
    case EndReason::kNoHealthyUpstream: return "no_healthy_upstream";
    case EndReason::kUpstreamConnectFailed: return "upstream_connect_failed";
    case EndReason::kUpstreamConnectTimeout: return "upstream_connect_timeout";
    case EndReason::kLocalConnectFailure: return "local_connect_failure";
    case EndReason::kConnectTimerLate: return "connect_timer_late";
    case EndReason::kDownstreamClosed: return "downstream_closed";
    case EndReason::kUpstreamClosed: return "upstream_closed";
    case EndReason::kDownstreamReset: return "downstream_reset";
    case EndReason::kUpstreamReset: return "upstream_reset";
    case EndReason::kIdleTimeout: return "idle_timeout";
    case EndReason::kMaxDurationReached: return "max_connection_duration";
    case EndReason::kUpstreamOverflow: return "upstream_overflow";
    case EndReason::kListenerFilterTimeout: return "listener_filter_timeout";
    case EndReason::kProxyShutdown: return "proxy_shutdown";
  }
  return "unknown";
}

void ConnectionRecord::setUpstreamCluster(const config::UpstreamCluster& cluster) {
  upstream_cluster = cluster.name;
  destination_host = cluster.host;
  destination_subset = cluster.subset.empty() ? "-" : cluster.subset;
}

void ConnectionRecord::setMissingCluster(const config::MissingCluster& missing) {
  destination_host = missing.host;
  destination_subset = missing.subset.empty() ? "-" : missing.subset;
}

const char* envoyResponseFlag(EndReason reason) {
  switch (reason) {
    case EndReason::kNoRoute: return "NR";
    case EndReason::kNoClusterFound: return "NC";
    case EndReason::kNoHealthyUpstream: return "UH";
    case EndReason::kUpstreamConnectFailed:
    case EndReason::kUpstreamConnectTimeout: return "UF";
    case EndReason::kLocalConnectFailure:
    case EndReason::kConnectTimerLate: return "LF";
    case EndReason::kUpstreamReset: return "UC";
    case EndReason::kMaxDurationReached: return "DT";
    case EndReason::kUpstreamOverflow: return "UO";
    default: return "-";
  }
}

std::string formatAccessLogJson(const ConnectionRecord& record) {
  return fmt::format(
      "{{\"start_time\":{},\"duration\":{},\"downstream_remote_address\":{},"
      "\"downstream_local_address\":{},\"listener\":{},\"route_name\":{},"
      "\"destination_host\":{},\"destination_subset\":{},\"upstream_cluster\":{},"
      "\"upstream_host\":{},\"upstream_local_address\":{},\"upstream_connect_time\":{},"
      "\"bytes_received\":{},\"bytes_sent\":{},\"response_flags\":{},"
      "\"connection_termination_details\":{}}}",
      jsonString(isoUtcTime(record.start)), record.duration.count(),
      jsonString(record.downstream_remote), jsonString(record.downstream_local),
      jsonString(record.listener), jsonString(record.route), jsonString(record.destination_host),
      jsonString(record.destination_subset), jsonString(record.upstream_cluster),
      jsonString(record.upstream_host), jsonString(record.upstream_local),
      record.upstream_connect_ms < 0 ? std::string("null")
                                     : std::to_string(record.upstream_connect_ms),
      record.bytes_received, record.bytes_sent, jsonString(envoyResponseFlag(record.reason)),
      jsonString(toString(record.reason)));
}

std::string formatAccessLogText(const ConnectionRecord& record) {
  return fmt::format(
      "[{}] \"- - -\" 0 {} - {} \"-\" {} {} {} - \"-\" \"-\" \"-\" \"-\" "
      "\"{}\" {} {} {} {} - {}",
      isoUtcTime(record.start), envoyResponseFlag(record.reason), toString(record.reason),
      record.bytes_received, record.bytes_sent, record.duration.count(), record.upstream_host,
      record.upstream_cluster, record.upstream_local, record.downstream_local,
      record.downstream_remote, record.route);
}

std::string formatConnectionSummary(const ConnectionRecord& record) {
  const char* flag = envoyResponseFlag(record.reason);
  return fmt::format(
      "connection {} -> {} ({}) ended: {}{}{}{} after {} ms, route {}, cluster {}, upstream {}, "
      "{} bytes in, {} out",
      record.downstream_remote.empty() ? "-" : record.downstream_remote, record.downstream_local,
      record.listener, toString(record.reason), *flag == '-' ? "" : " (", *flag == '-' ? "" : flag,
      *flag == '-' ? "" : ")", record.duration.count(), record.route, record.upstream_cluster,
      record.upstream_host, record.bytes_received, record.bytes_sent);
}

}  // namespace weir::proxy
