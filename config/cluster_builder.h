// Destinations -> UpstreamClusters. One cluster per distinct (host, subset, port)
// that some route uses, named as Istio names its clusters
// ("outbound|9000|v1|tcp-echo-server.default.svc.cluster.local"), holding the
// ServiceEntry endpoints that the subset's labels select.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "config/diagnostics.h"
#include "config/istio_objects.h"
#include "config/route_table.h"
#include "config/service_catalog.h"

namespace weir::config {

class ClusterBuilder {
 public:
  ClusterBuilder(const ServiceCatalog& catalog, Diagnostics& diagnostics);

  // Whether the cluster `destination` names depends on the port of the server its
  // rule serves: it names no port, and its host has no ServiceEntry with exactly
  // one port, so Istio takes the server's (GetDestinationCluster).
  bool dependsOnServerPort(const DestinationRef& destination) const;

  // The cluster `destination` names, for a rule serving a server on `server_port`
  // (nullopt: a rule that serves no server), created on first use. When that
  // cluster does not exist (no ServiceEntry for the host, a port the entry does
  // not list, an unknown subset), the destination has no cluster_index and says
  // which is missing; that is a dangling reference, reported once per distinct
  // cluster. nullopt for a destination whose host is invalid (already reported).
  // The weight is left 0.
  std::optional<WeightedDestination> destinationFor(const DestinationRef& destination,
                                                    std::optional<uint16_t> server_port);

  std::vector<UpstreamCluster> takeClusters() { return std::move(clusters_); }

 private:
  WeightedDestination resolve(const DestinationRef& destination,
                              const ServiceCatalog::Service* service, uint16_t port,
                              std::optional<uint16_t> server_port);
  // The DestinationRule subset the destination names, or why there is none (a
  // dangling reference, reported). `found` is false when it names one that does
  // not exist.
  struct SubsetLookup {
    bool found = true;
    const DestinationRuleObject* rule = nullptr;
    const SubsetSpec* subset = nullptr;  // null when the destination names none
  };
  SubsetLookup findSubset(const DestinationRef& destination);
  UpstreamCluster makeCluster(const DestinationRef& destination,
                              const ServiceCatalog::Service& service, const ServicePortSpec& port,
                              const SubsetLookup& subset);
  // The endpoints of every member of `service` for `port` that `subset_labels`
  // select (none for an original-destination cluster).
  std::vector<UpstreamEndpoint> endpointsFor(const ServiceCatalog::Service& service,
                                             const ServicePortSpec& port,
                                             const std::map<std::string, std::string>& subset_labels);

  const ServiceCatalog& catalog_;
  Diagnostics& diagnostics_;
  std::vector<UpstreamCluster> clusters_;
  // (host, subset, port) -> what a destination naming that cluster gets.
  std::map<std::tuple<std::string, std::string, uint16_t>, WeightedDestination> memo_;
};

// "outbound|PORT|SUBSET|HOST", SUBSET empty when none.
std::string clusterName(uint16_t port, const std::string& subset, const std::string& host);

}  // namespace weir::config
