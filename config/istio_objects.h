// The Istio objects Weir reads, as parsed from YAML but not yet linked to each
// other. Plain data: the per-kind parsers fill these in, the linker (linker.h)
// resolves references between them and builds the RouteTable.
//
// Values that the linker may have to blame carry their position (Located / FieldRef).
// A value that failed to parse is left empty (host "", port 0); its error has
// already been reported, and the linker skips it rather than report it again.
#pragma once

#include <chrono>

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "config/diagnostics.h"
#include "config/route_table.h"

namespace weir::config {

// Weir's own `weir.dev/` annotations (annotations.h), each read only on the kinds
// it applies to.
struct WeirAnnotations {
  std::optional<UpstreamCluster::HealthCheck> health_check;  // ServiceEntry, DestinationRule
  uint32_t max_connect_attempts = 0;                         // VirtualService; 0: not set
  std::optional<uint64_t> max_connections;                   // Gateway
};

struct ObjectMeta {
  std::string kind;
  std::string name;
  std::string namespace_name = "default";
  FieldRef at;  // metadata.name
  WeirAnnotations annotations;
  std::map<std::string, std::string> labels;  // metadata.labels

  std::string qualifiedName() const { return namespace_name + "/" + name; }
};

// ---- Gateway ----

// One entry of servers[].hosts: `[namespace/]host`. Istio lets a gateway restrict
// which namespaces may bind VirtualServices to it: `ns/host`, `./host` (the
// gateway's own namespace), `*/host` or plain `host` (any namespace).
struct ServerHost {
  std::string namespace_filter;  // "*" for any namespace
  std::string host;              // as written, e.g. "*", "*.example.com"
  FieldRef at;
};

struct GatewayServer {
  Located<uint16_t> port;  // port.number; value 0 when invalid
  std::string port_name;
  std::string protocol;  // upper case, e.g. "TCP"
  std::vector<ServerHost> hosts;
  std::string bind;  // empty when absent
  bool has_tls = false;          // a `tls` block, whatever its mode
  bool tls_passthrough = false;  // protocol TLS/HTTPS with tls.mode PASSTHROUGH
  // Weir listens for it: opaque TCP (TCP, MONGO, MYSQL, REDIS without `tls`) or TLS
  // passthrough. Other servers (HTTP, TLS that would be terminated) are valid
  // Istio, checked and warned about, but have no listener.
  bool served = false;
  FieldRef at;       // servers[i]
};

struct GatewayObject {
  ObjectMeta meta;
  std::vector<GatewayServer> servers;
};

// ---- VirtualService ----

// A reference to a gateway, resolved to "namespace/name" (or "mesh").
inline constexpr const char* kMeshGateway = "mesh";

struct DestinationRef {
  Located<std::string> host;      // canonical; empty when missing or invalid
  Located<std::string> subset;    // empty when absent
  std::optional<Located<uint16_t>> port;
  FieldRef at;                    // the destination map
};

struct RouteDestinationSpec {
  DestinationRef destination;
  uint32_t weight = 0;  // effective: a lone destination's 0 already became 100
  FieldRef at;
};

struct L4MatchSpec {
  uint16_t port = 0;                             // 0: any
  std::vector<Located<std::string>> gateways;    // resolved; may contain "mesh"
  std::vector<IpPrefix> destination_subnets;     // destinationSubnets
  std::optional<IpPrefix> source_subnet;         // sourceSubnet
  std::vector<Located<std::string>> sni_hosts;   // tls rules only; lower case
  std::map<std::string, std::string> source_labels;  // sourceLabels
  std::string source_namespace;                      // sourceNamespace
  FieldRef at;
};

// One `tcp[]` or `tls[]` rule (a TLS route is a TCP route with SNI in its matches).
struct TcpRuleSpec {
  size_t index = 0;  // i in spec.tcp[i] / spec.tls[i]
  bool tls = false;  // from spec.tls
  std::vector<L4MatchSpec> matches;
  std::vector<RouteDestinationSpec> route;
  FieldRef at;
};

struct VirtualServiceObject {
  ObjectMeta meta;
  std::vector<Located<std::string>> hosts;     // as written
  std::vector<Located<std::string>> gateways;  // resolved; may contain "mesh"
  bool lists_gateways = false;                 // spec.gateways has entries, valid or not
  FieldRef gateways_at;                        // spec.gateways, or spec when absent
  std::vector<TcpRuleSpec> tcp;
  std::vector<TcpRuleSpec> tls;
};

// ---- DestinationRule ----

// trafficPolicy.connectionPool. Only `tcp` matters to Weir, but a connectionPool
// with only `http` still replaces a whole inherited connectionPool (Istio merges
// sections, not fields). Unset fields take Istio's defaults.
struct ConnectionPoolSpec {
  std::optional<std::chrono::milliseconds> connect_timeout;
  std::optional<std::chrono::milliseconds> idle_timeout;  // 0: disabled
  std::optional<uint32_t> max_connections;                // 0 in YAML: unset
  std::optional<std::chrono::milliseconds> max_connection_duration;
  std::optional<UpstreamCluster::TcpKeepalive> tcp_keepalive;
};

// trafficPolicy.loadBalancer: how an endpoint is picked, or PASSTHROUGH, which Istio
// turns into an Envoy ORIGINAL_DST cluster: connect to the address the client
// dialled before it was redirected. A gateway has no such address, so Weir builds
// such a cluster without endpoints, as it does for resolution NONE.
struct LoadBalancerSpec {
  UpstreamCluster::LoadBalancer policy = UpstreamCluster::LoadBalancer::kRoundRobin;
  bool passthrough = false;  // simple: PASSTHROUGH; `policy` then means nothing
};

// One entry of trafficPolicy.portLevelSettings: the sections it sets replace the
// policy's for destinations on `port`, and the ones it leaves out fall back to
// Istio's defaults (they are not inherited).
struct PortTrafficPolicySpec {
  uint16_t port = 0;  // 0 when missing or invalid
  std::optional<LoadBalancerSpec> load_balancer;
  std::optional<ConnectionPoolSpec> connection_pool;
  std::optional<UpstreamCluster::OutlierDetection> outlier_detection;
};

// trafficPolicy: each section is set or not as a whole, because that is the unit
// in which Istio merges a subset's policy over the rule's (see traffic_policy.h).
struct TrafficPolicySpec {
  std::optional<LoadBalancerSpec> load_balancer;
  std::optional<ConnectionPoolSpec> connection_pool;
  std::optional<UpstreamCluster::OutlierDetection> outlier_detection;
  std::optional<UpstreamCluster::ProxyProtocol> proxy_protocol;
  std::vector<PortTrafficPolicySpec> port_level_settings;
};

struct SubsetSpec {
  Located<std::string> name;
  std::map<std::string, std::string> labels;
  TrafficPolicySpec traffic_policy;
};

struct DestinationRuleObject {
  ObjectMeta meta;
  Located<std::string> host;  // canonical; empty when missing or invalid
  std::vector<SubsetSpec> subsets;
  TrafficPolicySpec traffic_policy;
  // spec.trafficPolicy, when written: of several rules for one host, Istio keeps
  // the first one's that has one (destination_rule_merge.h).
  std::optional<FieldRef> traffic_policy_at;
  // workloadSelector.matchLabels, when a selector is written (even empty), and
  // exportTo as written: Weir applies every rule to itself and sees every
  // namespace, but Istio merges rules for one host only when these agree.
  std::optional<std::map<std::string, std::string>> workload_selector;
  std::set<std::string> export_to;
};

// ---- ServiceEntry ----

struct ServiceHostSpec {
  std::string canonical;
  std::string written;  // DNS resolution without endpoints resolves this
  FieldRef at;
};

struct ServicePortSpec {
  uint16_t number = 0;
  std::string name;
  uint16_t target_port = 0;  // 0: none
  FieldRef at;
};

struct EndpointSpec {
  Located<std::string> address;
  std::map<std::string, uint16_t> ports;  // service port name -> endpoint port
  std::map<std::string, std::string> labels;
  uint32_t weight = 1;
};

struct ServiceEntryObject {
  ObjectMeta meta;
  std::vector<ServiceHostSpec> hosts;
  std::vector<ServicePortSpec> ports;
  EndpointResolution resolution = EndpointResolution::kStatic;
  std::vector<EndpointSpec> endpoints;
  // workloadSelector.labels: the WorkloadEntries of the entry's namespace whose
  // labels include these are its endpoints (instead of `endpoints`).
  std::optional<std::map<std::string, std::string>> workload_selector;
  FieldRef workload_selector_at;
  // exportTo as written: two entries for one host merge their ports only when
  // these agree (Istio's canMergeServices); Weir ignores it otherwise.
  std::set<std::string> export_to;
};

// ---- WorkloadEntry ----

// A standalone WorkloadEntry: an endpoint that ServiceEntries select by labels.
struct WorkloadEntryObject {
  ObjectMeta meta;
  EndpointSpec endpoint;  // address empty when missing or invalid
};

// Everything one load read, in load order (files in order, documents in order).
struct ParsedConfig {
  std::vector<GatewayObject> gateways;
  std::vector<VirtualServiceObject> virtual_services;
  std::vector<DestinationRuleObject> destination_rules;
  std::vector<ServiceEntryObject> service_entries;
  std::vector<WorkloadEntryObject> workload_entries;
  bool saw_gateway = false;  // a Gateway document, even an invalid one
};

}  // namespace weir::config
