#include "config/route_match.h"

#include <algorithm>
#include <cctype>

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

}  // namespace weir::config
