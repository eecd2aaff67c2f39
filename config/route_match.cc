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
