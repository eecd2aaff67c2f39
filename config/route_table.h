// The immutable routing snapshot that config::load() produces and the proxy reads.
//
// A RouteTable is built once, on the loading thread, and never changes afterwards.
// It is shared as std::shared_ptr<const RouteTable>: every worker thread may read it
// concurrently, and a connection keeps the snapshot it started with, so a reload
// (which builds a new table) never changes what an established connection sees.
//
// Nothing in here refers to yaml-cpp; this header is the whole contract between
// config/ and proxy/.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace weir::config {

// Where a value came from, for messages: 1-based line and column.
struct SourcePosition {
  std::string file;
  int line = 0;
  int column = 0;
};

// One workload instance: an address the proxy connects to.
struct UpstreamEndpoint {
  std::string address;  // IP literal (STATIC) or host name (DNS resolution)
  uint16_t port = 0;    // already mapped through the ServiceEntry port name
  std::map<std::string, std::string> labels;
  uint32_t weight = 1;  // ServiceEntry endpoint weight (1 when absent)
  SourcePosition position;  // of the endpoint's `address` field
  std::string field;        // its path, e.g. "spec.endpoints[0].address"
};

enum class EndpointResolution { kStatic, kDns };

// What Envoy calls a cluster: one (host, subset, port) with the endpoints that
// the subset's labels select. Named like Istio names its clusters:
// "outbound|9000|v1|tcp-echo-server.default.svc.cluster.local".
struct UpstreamCluster {
  std::string name;
  std::string host;    // fully qualified, e.g. tcp-echo-server.default.svc.cluster.local
  std::string subset;  // empty when the destination names no subset
  uint16_t port = 0;   // the service port (destination.port.number)
  EndpointResolution resolution = EndpointResolution::kStatic;
  std::vector<UpstreamEndpoint> endpoints;

  // connectionPool.tcp, with Istio's defaults.
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds idle_timeout{3'600'000};  // 0 disables
};

// One entry of a rule's `route[]`: which cluster, and its relative weight.
struct WeightedDestination {
  size_t cluster_index = 0;  // into RouteTable::clusters
  uint32_t weight = 0;
};

// One block of a rule's `match[]`. Fields inside a block are ANDed; an absent
// field matches anything.
struct L4Match {
  uint16_t port = 0;                  // 0: any port
  std::vector<std::string> gateways;  // "namespace/name"; empty: any gateway
};

// One `tcp[]` rule of a VirtualService.
struct TcpRoute {
  std::string name;  // "namespace/virtualservice/tcp[i]", for logs and stats
  std::string virtual_service;  // "namespace/name"
  std::vector<L4Match> matches;  // ORed; empty matches everything
  std::vector<WeightedDestination> destinations;
  uint64_t total_weight = 0;     // sum of destinations[].weight, > 0
  SourcePosition position;
};

// One Gateway server: a port the proxy listens on.
struct Listener {
  std::string gateway;      // "namespace/name"
  std::string server_name;  // servers[].port.name
  std::string bind_address; // `bind`, default "0.0.0.0" like Istio's gateway
  uint16_t port = 0;        // the port actually listened on
  // The port the Gateway names. Differs from `port` only when the proxy was told
  // to listen elsewhere (weir --port-override); 0 until the proxy fills it in.
  uint16_t configured_port = 0;
  std::string protocol;     // "TCP"
  std::string stat_prefix;  // Envoy-style, e.g. "tcp-echo-gateway_9000"
  // Indices into RouteTable::routes of the rules that may serve this listener,
  // in priority order. The rule that serves a connection is the first of these
  // whose matches accept it (see route_match.h).
  std::vector<size_t> candidate_routes;
};

struct RouteTable {
  std::vector<Listener> listeners;
  std::vector<TcpRoute> routes;
  std::vector<UpstreamCluster> clusters;
  std::vector<std::string> source_files;  // every file that contributed
};

}  // namespace weir::config
