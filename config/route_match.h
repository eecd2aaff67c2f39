// Which rule serves a new connection: a pure function of the snapshot and the facts
// known about the connection at accept time. Callable from any thread.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "config/route_table.h"

namespace weir::config {

// Who the proxy is, for `sourceLabels` and `sourceNamespace`: Istio matches them
// against the labels and namespace of the proxy it configures, here the gateway
// Weir plays (weir --labels, --namespace). Without them a block that names
// sourceLabels or a sourceNamespace never matches: a restriction is never widened.
struct WorkloadIdentity {
  std::map<std::string, std::string> labels;
  std::string namespace_name;  // empty: unknown
};

// What the proxy knows about a connection when it picks its rule.
struct ConnectionFacts {
  ConnectionFacts() = default;
  ConnectionFacts(uint16_t port, std::string_view gateway_name)
      : listener_port(port), gateway(gateway_name) {}

  uint16_t listener_port = 0;
  std::string_view gateway;  // "namespace/name" of the listener's gateway
  // Absent when unknown; a match block with subnets then does not match.
  std::optional<IpAddress> source;       // the client's address
  std::optional<IpAddress> destination;  // the address the client connected to
  std::string_view sni;  // from the TLS ClientHello, lower-cased; empty: none
  const WorkloadIdentity* self = nullptr;  // null: no labels, no namespace
};

// The first of `listener.candidate_routes` that has no match blocks or a match
// block accepting `facts`. nullptr when none: the connection is to be closed.
// The returned pointer points into `table`.
const TcpRoute* findRoute(const RouteTable& table, const Listener& listener,
                          const ConnectionFacts& facts);

// Listeners that share one socket: servers merged on one port and bind (see
// listener_builder.h), or a single listener. The rules of the TLS listener whose
// hosts name the SNI most specifically (the exact name, then the longest "*."
// suffix, then "*") are tried first, then those of the other TLS listeners in
// order, then those of plain TCP ones: Envoy likewise picks the most specific
// filter chain of the merged listener, and a chain without server_names only for
// what no other takes. `facts.gateway` is each listener's own. nullptr when none
// matches; `served_by` (if given) is set to the index (into table.listeners) of
// the listener whose rule matched.
const TcpRoute* findRoute(const RouteTable& table, std::span<const size_t> listeners,
                          ConnectionFacts facts, size_t* served_by = nullptr);

// Whether one match block accepts `facts`: every field it sets must agree (AND):
// port equal; gateway listed; destination known and inside one of
// destination_subnets; source known and inside source_subnet; SNI matching one of
// sni_hosts (see sniMatches); source_labels all among facts.self's labels;
// source_namespace equal to facts.self's namespace. Unset fields accept anything.
bool matchAccepts(const L4Match& match, const ConnectionFacts& facts);

// Whether an SNI name matches one `sniHosts` entry: exact (ignoring case),
// "*.example.com" (any name with at least one more label in front, as Envoy's
// server_names), or "*" (any SNI). An empty SNI (no ClientHello, or no SNI in it)
// matches nothing.
bool sniMatches(std::string_view pattern, std::string_view sni);

}  // namespace weir::config
