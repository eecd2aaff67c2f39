#include "tests/support/istio_scenarios.h"

#include <set>

namespace weir::test::istio {
namespace {

// A Gateway, a VirtualService bound to it, and a DestinationRule and a STATIC
// ServiceEntry for `host` with port `service_port` named tcp.
Config routedService(const std::string& gateway, const std::string& virtual_service,
                     const std::string& destination_rule, const std::string& service_entry,
                     const std::string& host, uint16_t service_port) {
  Config config;
  config.add(Gateway(gateway));
  config.add(VirtualService(virtual_service).gateways({gateway}));
  config.add(DestinationRule(destination_rule, host));
  config.add(ServiceEntry(service_entry).hosts({host}).port(service_port).resolution("STATIC"));
  return config;
}

}  // namespace

Config walkThroughObjects(uint16_t service_port) {
  Config config = routedService("tcp-echo-gateway", "tcp-echo", "tcp-echo-destination",
                                "tcp-echo-server", "tcp-echo-server", service_port);
  config.gateway().selector({{"istio", "ingressgateway"}});
  return config;
}

Destination walkThroughSubset(const std::string& subset, uint16_t service_port) {
  return {"tcp-echo-server", subset, service_port};
}

Config walkThrough(uint16_t port, const std::vector<WeightedSubset>& subsets) {
  Config config = walkThroughObjects(port);
  config.gateway().server(Server(port));
  Rule rule;
  rule.match(Match().port(port));
  std::set<std::string> defined;
  for (const WeightedSubset& subset : subsets) {
    rule.to(walkThroughSubset(subset.subset, port), subset.weight);
    // A subset named twice in the rule is defined once, with its first endpoints.
    if (defined.insert(subset.subset).second) {
      config.addVersionSubset(subset.subset, subset.endpoint_ports);
    }
  }
  config.virtualService().tcp(rule);
  return config;
}

Config echoObjects() { return routedService("gw", "vs", "dr", "echo", "echo", 9000); }

Destination echoSubset(const std::string& subset) { return {"echo", subset, 9000}; }

namespace {

Config singleClusterOf(const std::vector<Endpoint>& endpoints) {
  Config config = echoObjects();
  config.gateway().server(Server(9000));
  config.virtualService().tcp(Rule().to(echoSubset("v1")));
  config.destinationRule().subset(Subset::byVersion("v1"));
  for (Endpoint endpoint : endpoints) config.serviceEntry().endpoint(endpoint.version("v1"));
  return config;
}

}  // namespace

Config singleCluster(std::initializer_list<Endpoint> endpoints) {
  return singleClusterOf(endpoints);
}

Config singleCluster(const std::vector<uint16_t>& ports) {
  std::vector<Endpoint> endpoints;
  for (uint16_t port : ports) endpoints.push_back(Endpoint::local(port));
  return singleClusterOf(endpoints);
}

}  // namespace weir::test::istio
