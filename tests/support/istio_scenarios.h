// The Istio configurations most integration tests route through, built with
// istio_config.h and returned for a test to extend (another server, a rule, a
// trafficPolicy, annotations) before it writes them.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include "tests/support/istio_config.h"

namespace weir::test::istio {

// ---- The walk-through's names (examples/tcp-traffic-shifting) -------------------

// Gateway tcp-echo-gateway (selector istio: ingressgateway), VirtualService
// tcp-echo (hosts "*", gateways [tcp-echo-gateway]), DestinationRule
// tcp-echo-destination and a STATIC ServiceEntry tcp-echo-server (port
// `service_port` named tcp) for host tcp-echo-server; no server, rule, subset or
// endpoint yet. Listener stats are "tcp.tcp-echo-gateway_<port>", rules
// "default/tcp-echo/tcp[i]", clusters
// "outbound|<service_port>|<subset>|tcp-echo-server.default.svc.cluster.local".
Config walkThroughObjects(uint16_t service_port = 9000);
// Subset `subset` of the walk-through's service, on `service_port`.
Destination walkThroughSubset(const std::string& subset, uint16_t service_port = 9000);

// One weighted destination of the walk-through's rule: subset `subset`
// (label version=<subset>) with an endpoint 127.0.0.1:<port> per endpoint port.
struct WeightedSubset {
  std::string subset;
  int weight = 0;  // written as is, so a test can also write an invalid weight
  std::vector<uint16_t> endpoint_ports{};
};

// walkThroughObjects(port) with a TCP server "tcp" on `port` and one tcp rule
// matching that port which splits between `subsets` by weight.
Config walkThrough(uint16_t port, const std::vector<WeightedSubset>& subsets);

// ---- Short names, for tests of one cluster's policies ---------------------------

// Gateway gw, VirtualService vs (hosts "*", gateways [gw]), DestinationRule dr and
// a STATIC ServiceEntry echo (port 9000 named tcp) for host echo; no server, rule,
// subset or endpoint yet. Listener stats are "tcp.gw_<port>", clusters
// "outbound|9000|<subset>|echo.default.svc.cluster.local".
Config echoObjects();
// Subset `subset` of host echo, port 9000.
Destination echoSubset(const std::string& subset);

// echoObjects() with a TCP server "tcp" on 9000, one tcp rule to subset v1, and
// `endpoints` (each labelled version v1) as that subset. Policies and annotations
// are for the test to add (destinationRule().trafficPolicy(...), ...).
Config singleCluster(std::initializer_list<Endpoint> endpoints);
// The same with an endpoint 127.0.0.1:<port> per port.
Config singleCluster(const std::vector<uint16_t>& ports);
inline const std::string kSingleCluster = "outbound|9000|v1|echo.default.svc.cluster.local";

}  // namespace weir::test::istio
