// One access-log line per proxied connection, written when it closes.
//
// The text format is Istio's default proxy access-log format (the TCP shape of
// it, "- - -" for the HTTP fields), so the lines read like an ingress gateway's:
// [START] "- - -" 0 FLAGS - TERMINATION "-" BYTES_RECEIVED BYTES_SENT DURATION - "-" "-" "-" "-"
// "UPSTREAM_HOST" UPSTREAM_CLUSTER UPSTREAM_LOCAL DOWNSTREAM_LOCAL DOWNSTREAM_REMOTE - ROUTE
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "config/route_table.h"

namespace weir::proxy {

// How a connection ended; the string form is the log's termination detail.
enum class EndReason {
  kNoRoute,                 // no rule matched the connection (Envoy flag NR)
  kNoClusterFound,          // the picked destination's cluster does not exist (NC)
  kNoHealthyUpstream,       // the picked subset has no usable endpoint (UH)
  kUpstreamConnectFailed,   // connect refused or failed (UF)
  kUpstreamConnectTimeout,  // connectTimeout elapsed (UF)
  // Weir's failure, not the upstream's (connect_failure_cause.h): flag LF, Weir's
  // own flag, after Envoy's where L marks what is local (LH, LR).
  kLocalConnectFailure,     // out of descriptors, kernel memory or local ports (LF)
  kConnectTimerLate,        // the connect timeout fired more than a timeout late (LF)
  kDownstreamClosed,        // both sides finished; the client closed first
  kUpstreamClosed,          // both sides finished; the upstream closed first
  kDownstreamReset,         // error or reset on the client side
  kUpstreamReset,           // error or reset on the upstream side (UC)
  kIdleTimeout,             // no byte either way for idleTimeout
  kMaxDurationReached,      // maxConnectionDuration elapsed (Envoy flag DT)
  kUpstreamOverflow,        // the cluster had maxConnections open (UO)
  kListenerFilterTimeout,   // a TLS passthrough client sent no ClientHello in time
  kProxyShutdown,           // the proxy stopped while the connection was open
};

const char* toString(EndReason reason);
// Envoy's response flag for the reason, "-" when none.
const char* envoyResponseFlag(EndReason reason);

struct ConnectionRecord {
  std::chrono::system_clock::time_point start;
  std::chrono::milliseconds duration{0};
  std::string downstream_remote;  // client "ip:port"
  std::string downstream_local;   // listener address the client reached
  std::string upstream_local;     // "-" when never connected
  std::string upstream_host;      // endpoint "ip:port", "-" when none picked
  std::string upstream_cluster;   // "outbound|9000|v1|host", "-" when none
  std::string route;              // rule name, "-" when none
  std::string listener;           // "gateway/server", e.g. "default/tcp-echo-gateway/tcp"
  std::string destination_host;   // "-" when none
  std::string destination_subset; // "-" when none or no subset
  // From the start of the upstream connect until it completed; -1: never connected.
  int64_t upstream_connect_ms = -1;
  uint64_t bytes_received = 0;    // from the client
  uint64_t bytes_sent = 0;        // to the client
  EndReason reason = EndReason::kDownstreamClosed;

  // Back to a new record's values for another connection; the strings keep their
  // capacity, so filling them again allocates nothing.
  void reuse();
  // upstream_cluster, destination_host and destination_subset from `cluster`.
  void setUpstreamCluster(const config::UpstreamCluster& cluster);
  // A destination whose cluster does not exist: its host and subset. The upstream
  // cluster stays "-", as Envoy logs a connection whose cluster it did not find.
  void setMissingCluster(const config::MissingCluster& missing);
};

std::string formatAccessLogText(const ConnectionRecord& record);
// One JSON object per line, with Envoy's command-operator names as keys
// (start_time, duration, bytes_received, upstream_host, …).
std::string formatAccessLogJson(const ConnectionRecord& record);
// The same lines (without a newline) appended to `out`, which keeps its capacity
// from line to line: nothing is allocated per line (access_log_batch.h).
void appendAccessLogText(std::string& out, const ConnectionRecord& record);
void appendAccessLogJson(std::string& out, const ConnectionRecord& record);
// The debug line of weir's own log for a connection, failed connects included:
// "connection 127.0.0.1:40312 -> 127.0.0.1:9000 (default/gw/tcp) ended:
// upstream_connect_failed (UF) after 1 ms, route default/vs/tcp[0], cluster
// outbound|9000|v2|…, upstream 127.0.0.1:9002, 0 bytes in, 0 out".
std::string formatConnectionSummary(const ConnectionRecord& record);

}  // namespace weir::proxy
