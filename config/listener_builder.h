// Gateways -> listeners: one Listener per server Weir serves, in load order, with
// servers on one socket (the same port and bind, across all gateways) kept or
// skipped as Istio's gateway merge (mergeGateways) keeps or skips them:
// - TLS servers share the socket, told apart by SNI; a later one repeating a host
//   is skipped ("duplicate host names");
// - after a plain-text server (TCP, or HTTP which Weir does not serve) every later
//   server is skipped ("conflict with existing server"), HTTP ones after HTTP aside;
// - a plain-text server after TLS ones shares the socket and takes the connections
//   whose SNI none of their rules names (Envoy's filter chain without server_names).
// Each kept server stays a Listener of its own (its rules, its hosts); the proxy
// serves those of one socket from one socket, with the first one's stat prefix.
// Different binds are different sockets, even on one port (the kernel gives a
// connection to the most specific address, as with Envoy's listeners).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "config/diagnostics.h"
#include "config/istio_objects.h"
#include "config/route_table.h"

namespace weir::config {

struct GatewayListeners {
  std::vector<Listener> listeners;              // candidate_routes still empty
  std::vector<const GatewayServer*> servers;    // the server of each listener
  std::map<std::string, const GatewayObject*> gateways;  // by "namespace/name"
};

GatewayListeners buildListeners(const std::vector<GatewayObject>& gateways,
                                Diagnostics& diagnostics);

}  // namespace weir::config
