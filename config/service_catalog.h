// The services one load knows about: ServiceEntries and DestinationRules indexed by
// canonical host, and the endpoints of each ServiceEntry (its own, or the
// WorkloadEntries its workloadSelector selects). Building it reports duplicate
// objects, hosts defined twice and WorkloadEntries that a ServiceEntry cannot use.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "config/diagnostics.h"
#include "config/istio_objects.h"

namespace weir::config {

class ServiceCatalog {
 public:
  // Keeps pointers into `config`, which must outlive the catalog.
  ServiceCatalog(const ParsedConfig& config, Diagnostics& diagnostics);

  struct Service {
    const ServiceEntryObject* entry = nullptr;
    const ServiceHostSpec* host = nullptr;  // the entry's host that matched
  };

  // The ServiceEntry whose hosts contain `host` (exact canonical match).
  Service serviceEntry(std::string_view host) const;

  // Every ServiceEntry host (canonical) but wildcards, for suggesting one for a
  // misspelt destination host.
  std::vector<std::string_view> hostNames() const;

  // The DestinationRule for `host`: the one with exactly that host, else the one
  // with the most specific wildcard host matching it (`*.example.com`).
  const DestinationRuleObject* destinationRule(std::string_view host) const;

  // The endpoints of `entry`, one of this catalog's: `endpoints`, or with a
  // workloadSelector every WorkloadEntry of the entry's namespace whose labels
  // include the selector's, in load order.
  const std::vector<EndpointSpec>& endpoints(const ServiceEntryObject& entry) const;

 private:
  std::map<std::string, Service, std::less<>> services_;
  std::map<std::string, const DestinationRuleObject*, std::less<>> rules_;
  std::map<const ServiceEntryObject*, std::vector<EndpointSpec>> selected_;
};

}  // namespace weir::config
