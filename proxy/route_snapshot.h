// What a worker needs to route new connections: the immutable RouteTable plus
// each endpoint's socket address, resolved once when the snapshot is built.
//
// Built on the main thread (at start and on every reload), then shared read-only
// by all workers as std::shared_ptr<const RouteSnapshot>. A connection holds the
// snapshot it started with for its whole life, so a reload never changes the
// rule, cluster or endpoint of an established connection.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "config/route_table.h"
#include "proxy/socket_address.h"

namespace weir::proxy {

struct ResolvedEndpoint {
  std::optional<SocketAddress> address;  // nullopt: the name did not resolve
  std::string display;                   // "127.0.0.1:9001" or "name:9001"
};

struct RouteSnapshot {
  std::shared_ptr<const config::RouteTable> table;
  // endpoints[c][e] is table->clusters[c].endpoints[e], resolved.
  std::vector<std::vector<ResolvedEndpoint>> endpoints;
  uint64_t generation = 0;  // 1 for the first config, +1 per successful reload
};

// Resolves every endpoint: IP literals directly, host names (ServiceEntry
// resolution DNS) with the system resolver. Blocking; call it off the event loops.
std::shared_ptr<const RouteSnapshot> buildRouteSnapshot(
    std::shared_ptr<const config::RouteTable> table, uint64_t generation);

}  // namespace weir::proxy
