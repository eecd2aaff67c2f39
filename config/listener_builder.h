// Gateways -> listeners: one Listener per valid Gateway server, in load order, with
// clashing ports (two servers on the same port and overlapping bind address, across
// all gateways) reported. TLS passthrough servers on the same port and bind are
// merged as Istio merges them: each stays a Listener of its own (its rules, its
// hosts), and the proxy serves them from one socket (same bind and port) with one
// stat prefix, the first server's.
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
