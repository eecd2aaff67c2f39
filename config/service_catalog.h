// The services one load knows about: for each canonical host, the ServiceEntries
// that define it as Istio's gateway sees them, their endpoints (their own, or the
// WorkloadEntries their workloadSelector selects), and the DestinationRule that
// applies to it. Building it reports duplicate objects, hosts defined twice,
// DestinationRules merged or unused, and WorkloadEntries that a ServiceEntry
// cannot use.
//
// A host defined by several ServiceEntries (Istio: serviceentry/conversion.go,
// mergeServicesInstancesByNamespaceHost; model/sidecar.go, appendSidecarServices;
// push_context.go, initServiceRegistry):
// - the first in load order (Istio: the oldest) owns the service: its resolution,
//   ports and annotations;
// - the later ones of its namespace add their endpoints, matched to a service
//   port by port name, and, when Istio can merge the two services (same
//   resolution, labels, workloadSelector and exportTo), the ports the owner lacks;
// - those of other namespaces are not used for that host.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "config/destination_rule_index.h"
#include "config/diagnostics.h"
#include "config/istio_objects.h"

namespace weir::config {

class ServiceCatalog {
 public:
  // Keeps pointers into `config`, which must outlive the catalog.
  ServiceCatalog(const ParsedConfig& config, Diagnostics& diagnostics);

  // Which endpoints of an entry serve the service it is a member of.
  enum class EndpointUse {
    kNone,             // resolution NONE or DYNAMIC_DNS (its own or the owner's), or a
                       // later entry of a DNS_ROUND_ROBIN service (one endpoint)
    kIpAddressesOnly,  // a DNS entry's, in a STATIC service: host names are not used
    kAll,
  };

  // One ServiceEntry's part in a service: the entry, its host that matched, and
  // which of its endpoints serve.
  struct Definition {
    const ServiceEntryObject* entry = nullptr;
    const ServiceHostSpec* host = nullptr;
    EndpointUse endpoints = EndpointUse::kAll;
  };

  struct Service {
    Definition owner;
    // The owner's ports, then those merged from later entries (by number).
    std::vector<ServicePortSpec> ports;
    // Whose endpoints serve it: the owner, then the later entries of its namespace.
    std::vector<Definition> members;
  };

  // The service of `host` (exact canonical match), or null.
  const Service* service(std::string_view host) const;

  // Every ServiceEntry host (canonical) but wildcards, for suggesting one for a
  // misspelt destination host.
  std::vector<std::string_view> hostNames() const;

  // The DestinationRule for `host` (destination_rule_index.h), looked up from the
  // namespace of the ServiceEntry that owns it. Null when none.
  const DestinationRuleObject* destinationRule(std::string_view host) const;

  // The endpoints of `entry`, one of this catalog's: `endpoints`, or with a
  // workloadSelector every WorkloadEntry of the entry's namespace whose labels
  // include the selector's, in load order.
  const std::vector<EndpointSpec>& endpoints(const ServiceEntryObject& entry) const;

 private:
  void addDefinition(const ServiceEntryObject& entry, const ServiceHostSpec& host,
                     Diagnostics& diagnostics);

  std::map<std::string, Service, std::less<>> services_;
  std::map<const ServiceEntryObject*, std::vector<EndpointSpec>> selected_;
  DestinationRuleIndex rules_;
};

}  // namespace weir::config
