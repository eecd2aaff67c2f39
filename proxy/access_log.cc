#include "proxy/access_log.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <ctime>

namespace weir::proxy {

const char* toString(EndReason reason) {
  switch (reason) {
    case EndReason::kNoRoute: return "no_route";
    case EndReason::kNoHealthyUpstream: return "no_healthy_upstream";
    case EndReason::kUpstreamConnectFailed: return "upstream_connect_failed";
    case EndReason::kUpstreamConnectTimeout: return "upstream_connect_timeout";
    case EndReason::kDownstreamClosed: return "downstream_closed";
    case EndReason::kUpstreamClosed: return "upstream_closed";
    case EndReason::kDownstreamReset: return "downstream_reset";
    case EndReason::kUpstreamReset: return "upstream_reset";
    case EndReason::kProxyShutdown: return "proxy_shutdown";
  }
  return "unknown";
}

const char* envoyResponseFlag(EndReason reason) {
  switch (reason) {
    case EndReason::kNoRoute: return "NR";
    case EndReason::kNoHealthyUpstream: return "UH";
    case EndReason::kUpstreamConnectFailed:
    case EndReason::kUpstreamConnectTimeout: return "UF";
    case EndReason::kUpstreamReset: return "UC";
    default: return "-";
  }
}

std::string formatAccessLogText(const ConnectionRecord& record) {
  const auto since_epoch = record.start.time_since_epoch();
  const auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(since_epoch).count() % 1000;
  const std::time_t seconds = std::chrono::system_clock::to_time_t(record.start);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  return fmt::format(
      "[{:%Y-%m-%dT%H:%M:%S}.{:03d}Z] \"- - -\" 0 {} - {} \"-\" {} {} {} - \"-\" \"-\" \"-\" \"-\" "
      "\"{}\" {} {} {} {} - {}",
      utc, millis, envoyResponseFlag(record.reason), toString(record.reason),
      record.bytes_received, record.bytes_sent, record.duration.count(), record.upstream_host,
      record.upstream_cluster, record.upstream_local, record.downstream_local,
      record.downstream_remote, record.route);
}

}  // namespace weir::proxy
