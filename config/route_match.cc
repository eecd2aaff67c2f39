#include "config/route_match.h"

#include <algorithm>
#include <cctype>
#include <cstdint>

namespace weir::config {
namespace {

bool equalsIgnoringCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](unsigned char x, unsigned char y) {
           return std::tolower(x) == std::tolower(y);
         });
}

bool inAnySubnet(const std::vector<IpPrefix>& subnets, const std::optional<IpAddress>& address) {
  return address && std::any_of(subnets.begin(), subnets.end(),
                                [&](const IpPrefix& subnet) { return subnet.contains(*address); });
}

// Istio's labels.Instance.SubsetOf: every label of the block is one of the proxy's.
bool sourceAccepts(const L4Match& match, const WorkloadIdentity* self) {
  if (!match.source_namespace.empty() &&
      (self == nullptr || self->namespace_name != match.source_namespace)) {
    return false;
  }
  return std::all_of(match.source_labels.begin(), match.source_labels.end(),
                     [&](const auto& label) {
                       if (self == nullptr) return false;
                       const auto found = self->labels.find(label.first);
                       return found != self->labels.end() && found->second == label.second;
                     });
}

// How specifically a server's hosts name `sni`: 0 not at all, 1 for "*", more for a
// longer "*." suffix, the most for the exact name.
size_t hostSpecificity(const std::vector<std::string>& hosts, std::string_view sni) {
  size_t best = 0;
  for (const std::string& host : hosts) {
    if (host == "*") {
      best = std::max<size_t>(best, sni.empty() ? 0 : 1);
    } else if (host.starts_with("*.")) {
      if (sniMatches(host, sni)) best = std::max(best, 1 + host.size());
    } else if (equalsIgnoringCase(host, sni)) {
      return SIZE_MAX;
    }
  }
  return best;
}

}  // namespace

// Envoy's filter_chain_match.server_names semantics: "*.example.com" matches any
// name that ends in ".example.com" with at least one character before it, so
// a.example.com and a.b.example.com, but not example.com itself. Envoy tries the
// exact name and then ever shorter "*." suffixes; a suffix test is the same.
// A lone "*" (which Istio's validation lets through) matches any non-empty SNI.
bool sniMatches(std::string_view pattern, std::string_view sni) {
  if (sni.empty()) {
    return false;
  }
  if (pattern == "*") {
    return true;
  }
  if (pattern.starts_with("*.")) {
    const std::string_view suffix = pattern.substr(1);  // ".example.com"
    return sni.size() > suffix.size() &&
           equalsIgnoringCase(sni.substr(sni.size() - suffix.size()), suffix);
  }
  return equalsIgnoringCase(pattern, sni);
}

bool matchAccepts(const L4Match& match, const ConnectionFacts& facts) {
  if (match.port != 0 && match.port != facts.listener_port) {
    return false;
  }
  if (!match.gateways.empty() &&
      std::find(match.gateways.begin(), match.gateways.end(), facts.gateway) ==
          match.gateways.end()) {
    return false;
  }
  if (!match.destination_subnets.empty() &&
      !inAnySubnet(match.destination_subnets, facts.destination)) {
    return false;
  }
  if (match.source_subnet && !(facts.source && match.source_subnet->contains(*facts.source))) {
    return false;
  }
  if (!sourceAccepts(match, facts.self)) {
    return false;
  }
  return match.sni_hosts.empty() ||
         std::any_of(match.sni_hosts.begin(), match.sni_hosts.end(),
                     [&](const std::string& pattern) { return sniMatches(pattern, facts.sni); });
}

const TcpRoute* findRoute(const RouteTable& table, const Listener& listener,
                          const ConnectionFacts& facts) {
  for (const size_t index : listener.candidate_routes) {
    if (index >= table.routes.size()) {
      continue;
    }
    const TcpRoute& route = table.routes[index];
    if (route.matches.empty() ||
        std::any_of(route.matches.begin(), route.matches.end(),
                    [&](const L4Match& match) { return matchAccepts(match, facts); })) {
      return &route;
    }
  }
  return nullptr;
}

const TcpRoute* findRoute(const RouteTable& table, std::span<const size_t> listeners,
                          ConnectionFacts facts, size_t* served_by) {
  // The TLS listener whose hosts name the SNI best goes first (ties keep load
  // order), then the other TLS ones in order, then the plain ones in order: a
  // plain server on a TLS socket is Envoy's filter chain without server_names,
  // which gets only what no SNI chain takes.
  std::optional<size_t> first;
  size_t best = 0;
  for (size_t i = 0; i < listeners.size() && listeners.size() > 1; ++i) {
    const Listener& listener = table.listeners[listeners[i]];
    if (!listener.tls_passthrough) continue;
    const size_t specificity = hostSpecificity(listener.hosts, facts.sni);
    if (specificity > best) {
      best = specificity;
      first = i;
    }
  }
  auto tryListener = [&](size_t i) -> const TcpRoute* {
    const Listener& listener = table.listeners[listeners[i]];
    facts.gateway = listener.gateway;
    const TcpRoute* route = findRoute(table, listener, facts);
    if (route != nullptr && served_by != nullptr) *served_by = listeners[i];
    return route;
  };
  if (first) {
    if (const TcpRoute* route = tryListener(*first)) return route;
  }
  for (const bool tls : {true, false}) {
    for (size_t i = 0; i < listeners.size(); ++i) {
      if (table.listeners[listeners[i]].tls_passthrough != tls || i == first) continue;
      if (const TcpRoute* route = tryListener(i)) return route;
    }
  }
  return nullptr;
}

}  // namespace weir::config
