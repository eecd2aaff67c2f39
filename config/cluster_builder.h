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

  // The index of the cluster for `destination`, creating it on first use; nullopt
  // when the destination cannot be served (reported once per distinct destination).
  std::optional<size_t> clusterFor(const DestinationRef& destination);

  std::vector<UpstreamCluster> takeClusters() { return std::move(clusters_); }

 private:
  // The service port a destination uses: destination.port.number, or the entry's
  // only port.
  const ServicePortSpec* servicePort(const DestinationRef& destination,
                                     const ServiceEntryObject& entry);
  std::optional<UpstreamCluster> makeCluster(const DestinationRef& destination,
                                             const ServiceCatalog::Service& service,
                                             const ServicePortSpec& port);

  const ServiceCatalog& catalog_;
  Diagnostics& diagnostics_;
  std::vector<UpstreamCluster> clusters_;
  // (host, subset, requested port or 0) -> cluster index, or nullopt when invalid.
  std::map<std::tuple<std::string, std::string, uint16_t>, std::optional<size_t>> memo_;
};

// "outbound|PORT|SUBSET|HOST", SUBSET empty when none.
std::string clusterName(uint16_t port, const std::string& subset, const std::string& host);

}  // namespace weir::config
