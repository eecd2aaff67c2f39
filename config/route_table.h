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

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
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
  // IP literal (STATIC), host name (DNS resolutions), or a Unix domain socket
  // "unix:///path" / "unix://@abstract" (unix_address.h), whose port is 0.
  std::string address;
  uint16_t port = 0;    // already mapped through the ServiceEntry port name
  std::map<std::string, std::string> labels;
  uint32_t weight = 1;  // ServiceEntry endpoint weight (1 when absent)
  SourcePosition position;  // of the endpoint's `address` field
  std::string field;        // its path, e.g. "spec.endpoints[0].address"
};

// ServiceEntry `resolution`. kNone and kDynamicDns load as in Istio, but a gateway
// has no original destination to send to: their clusters have no endpoints.
// kDnsRoundRobin is Envoy's LOGICAL_DNS (one resolved address at a time).
enum class EndpointResolution { kStatic, kDns, kDnsRoundRobin, kNone, kDynamicDns };

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
  // maxConnections: open connections to the cluster (per proxy) before new ones
  // are refused and counted as overflow. Istio's default: 2^32-1.
  uint32_t max_connections = 0xFFFFFFFFu;
  // maxConnectionDuration: 0 means none.
  std::chrono::milliseconds max_connection_duration{0};
  // tcpKeepalive, set on upstream sockets when present (0: the system's value).
  struct TcpKeepalive {
    std::chrono::seconds time{0};
    std::chrono::seconds interval{0};
    uint32_t probes = 0;
  };
  std::optional<TcpKeepalive> tcp_keepalive;

  // trafficPolicy.loadBalancer: how an endpoint of this cluster is chosen.
  enum class LoadBalancer {
    kRoundRobin,        // simple: ROUND_ROBIN, UNSPECIFIED, or absent (Istio's default
                        // is LEAST_REQUEST; see docs/behaviour.md for Weir's choice)
    kLeastRequest,      // simple: LEAST_REQUEST or LEAST_CONN: two random choices,
                        // the one with fewer active connections
    kRandom,            // simple: RANDOM
    kConsistentHashSourceIp,  // consistentHash.useSourceIp: true
  };
  LoadBalancer load_balancer = LoadBalancer::kRoundRobin;

  // trafficPolicy.proxyProtocol.version: a PROXY protocol header written to the
  // upstream before any byte of the client's.
  enum class ProxyProtocol { kNone, kV1, kV2 };
  ProxyProtocol proxy_protocol = ProxyProtocol::kNone;

  // trafficPolicy.outlierDetection: consecutive connect failures (or timeouts)
  // eject an endpoint, as Envoy's consecutive_5xx does for TCP. Absent: no ejection.
  struct OutlierDetection {
    uint32_t consecutive_errors = 5;  // consecutiveGatewayErrors / consecutive5xxErrors
                                      // (the lower enabled one); 0: none enabled
    std::chrono::milliseconds interval{10'000};
    std::chrono::milliseconds base_ejection_time{30'000};
    uint32_t max_ejection_percent = 10;
    // Below this share of usable endpoints, health is ignored and every endpoint
    // takes connections (Envoy's healthy_panic_threshold). 0 (Istio's default):
    // never; a cluster with no usable endpoint then refuses connections.
    int32_t min_health_percent = 0;
  };
  std::optional<OutlierDetection> outlier_detection;

  // Active TCP health checks, Weir's extension (HAProxy's `check`, Envoy's
  // tcp_health_check), from weir.dev/health-check-* annotations on the
  // ServiceEntry or DestinationRule (docs/behaviour.md). Absent: none.
  struct HealthCheck {
    std::chrono::milliseconds interval{5'000};
    std::chrono::milliseconds timeout{1'000};
    uint32_t healthy_threshold = 2;    // passes in a row that bring an endpoint back
    uint32_t unhealthy_threshold = 3;  // failures in a row that take it out
    std::string send;    // written once connected; empty: the connect alone is the check
    std::string expect;  // must appear in what the endpoint answers; empty: nothing awaited
  };
  std::optional<HealthCheck> health_check;
};

// A cluster that a destination names but that does not exist: no ServiceEntry for
// its host, a port the entry does not list, or a subset no DestinationRule defines.
// Named as Istio would name it, for logs and /config_dump.
struct MissingCluster {
  std::string name;    // "outbound|9000|v3|tcp-echo-server.default.svc.cluster.local"
  std::string host;    // fully qualified
  std::string subset;  // empty when the destination names no subset
  uint16_t port = 0;
};

// One entry of a rule's `route[]`: which cluster, and its relative weight.
struct WeightedDestination {
  // Into RouteTable::clusters; empty when the destination's cluster does not exist
  // (`missing` says which). Istio accepts such a destination, and Envoy's
  // tcp_proxy, finding no cluster, closes the connections picked for it (flag NC,
  // the listener's downstream_cx_no_route); so does the proxy. Its weight still
  // counts: it takes its share of the picks.
  std::optional<size_t> cluster_index;
  uint32_t weight = 0;
  MissingCluster missing;  // only when cluster_index is empty
};

// An IPv4 or IPv6 address, without a port (config/ knows no sockaddr).
struct IpAddress {
  bool v6 = false;
  std::array<uint8_t, 16> bytes{};  // IPv4: the first 4
};

// A CIDR block, e.g. 10.0.0.0/8 or 2001:db8::/32; a bare address is /32 or /128.
struct IpPrefix {
  IpAddress address;
  uint8_t length = 0;
  bool contains(const IpAddress& candidate) const;  // false across families
};

// One block of a rule's `match[]`. Fields inside a block are ANDed; an absent
// field matches anything.
struct L4Match {
  uint16_t port = 0;                  // 0: any port
  std::vector<std::string> gateways;  // "namespace/name"; empty: any gateway
  std::vector<IpPrefix> destination_subnets;  // the address the client connected to
  std::optional<IpPrefix> source_subnet;      // the client's address
  // tls routes only: SNI names, exact or "*.example.com", lower-cased; empty:
  // any (a tcp route never has any).
  std::vector<std::string> sni_hosts;
  // sourceLabels / sourceNamespace: matched, as Istio matches them against the
  // proxy the configuration is for, against Weir's own labels and namespace
  // (weir --labels, --namespace); empty: any.
  std::map<std::string, std::string> source_labels;
  std::string source_namespace;
};

// One `tcp[]` or `tls[]` rule of a VirtualService.
struct TcpRoute {
  std::string name;  // "namespace/virtualservice/tcp[i]" or ".../tls[i]", for logs and stats
  std::string virtual_service;  // "namespace/name"
  std::vector<L4Match> matches;  // ORed; empty matches everything
  std::vector<WeightedDestination> destinations;
  uint64_t total_weight = 0;     // sum of destinations[].weight, > 0
  // weir.dev/max-connect-attempts on the VirtualService; 0: weir's
  // --max-connect-attempts.
  uint32_t max_connect_attempts = 0;
  SourcePosition position;
};

// One Gateway server: a port the proxy listens on.
struct Listener {
  std::string gateway;      // "namespace/name"
  std::string server_name;  // servers[].port.name
  // `bind`, default "0.0.0.0" like Istio's gateway; or a Unix domain socket,
  // "unix:///path" or "unix://@abstract" (unix_address.h), whose port is 0.
  std::string bind_address;
  uint16_t port = 0;        // the port actually listened on
  // The port the Gateway names. Differs from `port` only when the proxy was told
  // to listen elsewhere (weir --port-override); 0 until the proxy fills it in.
  uint16_t configured_port = 0;
  std::string protocol;     // "TCP", or "TLS" / "HTTPS" with tls.mode PASSTHROUGH
  // TLS passthrough (protocol TLS or HTTPS, tls.mode PASSTHROUGH): the proxy peeks
  // the ClientHello for the SNI name, routes by the VirtualServices' `tls` rules and
  // forwards the bytes untouched. Plain TCP listeners route by `tcp` rules.
  bool tls_passthrough = false;
  std::string stat_prefix;  // Envoy-style, e.g. "tcp-echo-gateway_9000"
  // servers[].hosts without their namespace part ("*", "*.example.com"). TLS
  // servers on the same port and bind share one socket, as Istio merges them;
  // the SNI name then picks whose rules go first (route_match.h).
  std::vector<std::string> hosts;
  // weir.dev/max-connections on the Gateway: client connections open at once on
  // this listener, over all workers (Envoy's listener connection limit).
  uint64_t max_connections = UINT64_MAX;
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
