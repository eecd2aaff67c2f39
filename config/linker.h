// Parsed objects -> RouteTable: resolves the references between objects
// (VirtualService -> Gateway, destination -> ServiceEntry / DestinationRule subset)
// and computes, for each listener, which rules may serve it.
//
// Istio semantics reproduced here:
// - References are not required to resolve, as Istio validates one object at a
//   time: a gateway that does not exist serves nothing (a match block naming only
//   such gateways never matches), and a destination whose cluster does not exist
//   (no ServiceEntry, a port the entry lacks, an unknown subset) keeps its weight
//   but has no cluster (route_table.h). Each is a Diagnostics::danglingReference.
// - A destination without a port takes the ServiceEntry's only port, else the port
//   of the server the rule serves (Istio's GetDestinationCluster): such a rule gets
//   one TcpRoute per server port it serves, all with the rule's name.
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
