#include "config/route_match.h"

#include <algorithm>

namespace weir::config {
namespace {

bool accepts(const L4Match& match, const ConnectionFacts& facts) {
  if (match.port != 0 && match.port != facts.listener_port) {
    return false;
  }
  return match.gateways.empty() ||
         std::find(match.gateways.begin(), match.gateways.end(), facts.gateway) !=
             match.gateways.end();
}

}  // namespace

const TcpRoute* findRoute(const RouteTable& table, const Listener& listener,
                          const ConnectionFacts& facts) {
  for (const size_t index : listener.candidate_routes) {
    if (index >= table.routes.size()) {
      continue;
    }
    const TcpRoute& route = table.routes[index];
    if (route.matches.empty() ||
        std::any_of(route.matches.begin(), route.matches.end(),
                    [&](const L4Match& match) { return accepts(match, facts); })) {
      return &route;
    }
  }
  return nullptr;
}

}  // namespace weir::config

namespace weir::config {

bool IpPrefix::contains(const IpAddress& candidate) const {
  if (candidate.v6 != address.v6) return false;
  const size_t whole_bytes = length / 8;
  for (size_t i = 0; i < whole_bytes; ++i) {
    if (candidate.bytes[i] != address.bytes[i]) return false;
  }
  const unsigned rest = length % 8;
  if (rest == 0) return true;
  const uint8_t mask = static_cast<uint8_t>(0xFF << (8 - rest));
  return (candidate.bytes[whole_bytes] & mask) == (address.bytes[whole_bytes] & mask);
}

}  // namespace weir::config
