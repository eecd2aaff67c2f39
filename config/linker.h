// Parsed objects -> RouteTable: resolves the references between objects
// (VirtualService -> Gateway, destination -> ServiceEntry / DestinationRule subset)
// and computes, for each listener, which rules may serve it.
//
// Istio semantics reproduced here:
// - A VirtualService applies to the gateways in its `gateways`; without any it
//   applies to the mesh (sidecars) only and Weir, the ingress gateway, ignores it.
// - It is attached to a gateway server when one of its hosts matches one of the
//   server's hosts (wildcards allowed) and the server admits its namespace.
// - A listener's candidate_routes are the rules of the attached VirtualServices in
//   load order — tls[] rules for a TLS passthrough listener, tcp[] rules for a
//   plain TCP one (as Istio's gateway does) — keeping rules without matches and
//   rules with a match block that accepts this listener (port, gateways, and for
//   tls rules an SNI name that the server's hosts admit).
#pragma once

#include "config/diagnostics.h"
#include "config/istio_objects.h"
#include "config/route_table.h"

namespace weir::config {

RouteTable link(const ParsedConfig& config, Diagnostics& diagnostics);

}  // namespace weir::config
