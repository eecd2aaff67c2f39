#include "proxy/stats/access_log.h"

#include <fmt/format.h>

#include <iterator>

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

void ConnectionRecord::reuse() {
  start = {};
  duration = std::chrono::milliseconds(0);
  for (std::string* text : {&downstream_remote, &downstream_local, &upstream_local, &upstream_host,
                            &upstream_cluster, &route, &listener, &destination_host,
                            &destination_subset}) {
    text->clear();
  }
  upstream_connect_ms = -1;
  bytes_received = bytes_sent = 0;
  reason = EndReason::kDownstreamClosed;
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

namespace {

// `"key":` then the value as a JSON string.
void appendJsonField(std::string& out, std::string_view key, std::string_view value) {
  out.append(key);
  appendJsonString(out, value);
}

}  // namespace

void appendAccessLogJson(std::string& out, const ConnectionRecord& record) {
  out.append("{\"start_time\":\"");
  appendIsoUtcTime(out, record.start);
  fmt::format_to(std::back_inserter(out), "\",\"duration\":{}", record.duration.count());
  appendJsonField(out, ",\"downstream_remote_address\":", record.downstream_remote);
  appendJsonField(out, ",\"downstream_local_address\":", record.downstream_local);
  appendJsonField(out, ",\"listener\":", record.listener);
  appendJsonField(out, ",\"route_name\":", record.route);
  appendJsonField(out, ",\"destination_host\":", record.destination_host);
  appendJsonField(out, ",\"destination_subset\":", record.destination_subset);
  appendJsonField(out, ",\"upstream_cluster\":", record.upstream_cluster);
  appendJsonField(out, ",\"upstream_host\":", record.upstream_host);
  appendJsonField(out, ",\"upstream_local_address\":", record.upstream_local);
  out.append(",\"upstream_connect_time\":");
  if (record.upstream_connect_ms < 0) {
    out.append("null");
  } else {
    fmt::format_to(std::back_inserter(out), "{}", record.upstream_connect_ms);
  }
  fmt::format_to(std::back_inserter(out), ",\"bytes_received\":{},\"bytes_sent\":{}",
                 record.bytes_received, record.bytes_sent);
  appendJsonField(out, ",\"response_flags\":", envoyResponseFlag(record.reason));
  appendJsonField(out, ",\"connection_termination_details\":", toString(record.reason));
  out.push_back('}');
}

void appendAccessLogText(std::string& out, const ConnectionRecord& record) {
  out.push_back('[');
  appendIsoUtcTime(out, record.start);
  fmt::format_to(std::back_inserter(out),
                 "] \"- - -\" 0 {} - {} \"-\" {} {} {} - \"-\" \"-\" \"-\" \"-\" "
                 "\"{}\" {} {} {} {} - {}",
                 envoyResponseFlag(record.reason), toString(record.reason), record.bytes_received,
                 record.bytes_sent, record.duration.count(), record.upstream_host,
                 record.upstream_cluster, record.upstream_local, record.downstream_local,
                 record.downstream_remote, record.route);
}

std::string formatAccessLogJson(const ConnectionRecord& record) {
  std::string line;
  appendAccessLogJson(line, record);
  return line;
}

std::string formatAccessLogText(const ConnectionRecord& record) {
  std::string line;
  appendAccessLogText(line, record);
  return line;
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
