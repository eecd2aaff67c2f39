// Parsed objects -> RouteTable: resolves the references between objects
// (VirtualService -> Gateway, destination -> ServiceEntry / DestinationRule subset)
// and computes, for each listener, which rules may serve it.
//
// Istio semantics reproduced here:
// - A VirtualService applies to the gateways in its `gateways`; without any it
//   applies to the mesh (sidecars) only and Weir, the ingress gateway, ignores it.
// - It is attached to a gateway server when one of its hosts matches one of the
//   server's hosts (wildcards allowed) and the server admits its namespace.
// - A listener's candidate_routes are the tcp[] rules of the attached
//   VirtualServices in load order, keeping rules without matches and rules with a
//   match block that accepts this listener (port, gateways).
#pragma once

#include "config/diagnostics.h"
#include "config/istio_objects.h"
#include "config/route_table.h"

namespace weir::config {

RouteTable link(const ParsedConfig& config, Diagnostics& diagnostics);

}  // namespace weir::config
