#include "config/service_catalog.h"

#include <algorithm>

#include "config/host_names.h"
#include "config/unique_objects.h"
#include "config/unix_address.h"

namespace weir::config {
namespace {

bool includes(const std::map<std::string, std::string>& labels,
              const std::map<std::string, std::string>& selector) {
  return std::all_of(selector.begin(), selector.end(), [&](const auto& label) {
    const auto found = labels.find(label.first);
    return found != labels.end() && found->second == label.second;
  });
}

// The rules the index is built from: one per namespace/name, with a valid host.
std::vector<const DestinationRuleObject*> validRules(const ParsedConfig& config,
                                                     Diagnostics& diagnostics) {
  std::vector<const DestinationRuleObject*> rules =
      uniqueObjects(config.destination_rules, diagnostics);
  std::erase_if(rules, [](const DestinationRuleObject* rule) {
    return rule->host.value.empty();  // already reported
  });
  return rules;
}

// Why Istio keeps a later entry's ports out of the owner's service
// (canMergeServices); empty when it merges them.
std::string whyPortsNotMerged(const ServiceEntryObject& owner, const ServiceEntryObject& later) {
  if (owner.resolution != later.resolution) return "its resolution differs";
  if (owner.meta.labels != later.meta.labels) return "its labels differ";
  if (owner.workload_selector.value_or(std::map<std::string, std::string>{}) !=
      later.workload_selector.value_or(std::map<std::string, std::string>{})) {
    return "its workloadSelector differs";
  }
  if (owner.export_to != later.export_to) return "its exportTo differs";
  return "";
}

bool forwardsToOriginalDestination(EndpointResolution resolution) {
  return resolution == EndpointResolution::kNone ||
         resolution == EndpointResolution::kDynamicDns;
}

bool resolvesNames(EndpointResolution resolution) {
  return resolution == EndpointResolution::kDns ||
         resolution == EndpointResolution::kDnsRoundRobin;
}

// Which endpoints of `entry` serve the service that `owner` owns (Istio merges the
// instances of every entry of the namespace, and the owner's cluster type decides
// which it can use).
ServiceCatalog::EndpointUse endpointUse(const ServiceEntryObject& owner,
                                        const ServiceEntryObject& entry) {
  using EndpointUse = ServiceCatalog::EndpointUse;
  if (forwardsToOriginalDestination(owner.resolution) ||
      forwardsToOriginalDestination(entry.resolution)) {
    return EndpointUse::kNone;
  }
  if (&owner == &entry) {
    return EndpointUse::kAll;
  }
  if (owner.resolution == EndpointResolution::kDnsRoundRobin) {
    return EndpointUse::kNone;  // Envoy's LOGICAL_DNS: one endpoint, the owner's
  }
  if (owner.resolution == EndpointResolution::kStatic && resolvesNames(entry.resolution)) {
    return EndpointUse::kIpAddressesOnly;  // an EDS cluster takes no host names
  }
  return EndpointUse::kAll;
}

}  // namespace

ServiceCatalog::ServiceCatalog(const ParsedConfig& config, Diagnostics& diagnostics)
    : rules_(validRules(config, diagnostics), diagnostics) {
  const std::vector<const WorkloadEntryObject*> workloads =
      uniqueObjects(config.workload_entries, diagnostics);
  std::vector<bool> workload_selected(workloads.size(), false);
  for (const ServiceEntryObject* entry : uniqueObjects(config.service_entries, diagnostics)) {
    // NONE and DYNAMIC_DNS forward to the original destination: no endpoints.
    if (entry->workload_selector && !forwardsToOriginalDestination(entry->resolution)) {
      std::vector<EndpointSpec>& endpoints = selected_[entry];
      for (size_t i = 0; i < workloads.size(); ++i) {
        const WorkloadEntryObject& workload = *workloads[i];
        if (workload.meta.namespace_name != entry->meta.namespace_name ||
            !includes(workload.endpoint.labels, *entry->workload_selector)) {
          continue;
        }
        workload_selected[i] = true;
        const Located<std::string>& address = workload.endpoint.address;
        if (address.value.empty()) {
          continue;  // already reported
        }
        // Istio selects a WorkloadEntry with a host name only for DNS resolution.
        if (entry->resolution == EndpointResolution::kStatic && !isIpAddress(address.value) &&
            !isUnixAddress(address.value)) {
          diagnostics.warning(address.at, "WorkloadEntry " + workload.meta.qualifiedName() +
                                              " has a host name, so ServiceEntry " +
                                              entry->meta.qualifiedName() +
                                              " (resolution STATIC) does not use it");
          continue;
        }
        endpoints.push_back(workload.endpoint);
      }
    }
    for (const ServiceHostSpec& host : entry->hosts) {
      addDefinition(*entry, host, diagnostics);
    }
  }
  for (size_t i = 0; i < workloads.size(); ++i) {
    if (!workload_selected[i]) {
      diagnostics.warning(workloads[i]->meta.at,
                          "WorkloadEntry " + workloads[i]->meta.qualifiedName() +
                              " is selected by no ServiceEntry's workloadSelector; unused");
    }
  }
  for (const auto& [host, service] : services_) {
    rules_.reportShadowed(host, service.owner.entry->meta.namespace_name, diagnostics);
  }
}

void ServiceCatalog::addDefinition(const ServiceEntryObject& entry, const ServiceHostSpec& host,
                                   Diagnostics& diagnostics) {
  const auto [known, inserted] = services_.try_emplace(host.canonical);
  Service& service = known->second;
  if (inserted) {
    service.owner = Definition{&entry, &host, endpointUse(entry, entry)};
    service.ports = entry.ports;
    service.members.push_back(service.owner);
    return;
  }
  const ServiceEntryObject& owner = *service.owner.entry;
  if (&owner == &entry) {
    return;  // the entry names the host twice
  }
  const std::string already = "host \"" + host.canonical +
                              "\" is already defined by ServiceEntry " +
                              owner.meta.qualifiedName() +
                              ", whose service Istio's gateway uses (the first one defined)";
  if (entry.meta.namespace_name != owner.meta.namespace_name) {
    diagnostics.warning(host.at, already +
                                     "; Istio does not merge the entries of different "
                                     "namespaces, so this one is not used for that host");
    return;
  }
  const Definition member{&entry, &host, endpointUse(owner, entry)};
  service.members.push_back(member);

  std::string new_ports;  // the ports the service lacks, by number
  const std::string not_merged = whyPortsNotMerged(owner, entry);
  for (const ServicePortSpec& port : entry.ports) {
    if (std::any_of(service.ports.begin(), service.ports.end(),
                    [&](const ServicePortSpec& known_port) { return known_port.number == port.number; })) {
      continue;
    }
    new_ports += (new_ports.empty() ? "" : ", ") + std::to_string(port.number);
    if (not_merged.empty()) {
      service.ports.push_back(port);
    }
  }
  std::string adds;
  switch (member.endpoints) {
    case EndpointUse::kNone:
      adds = forwardsToOriginalDestination(owner.resolution) ||
                     forwardsToOriginalDestination(entry.resolution)
                 ? "no endpoints (resolutions NONE and DYNAMIC_DNS have none)"
                 : "no endpoints (a DNS_ROUND_ROBIN service has one; Istio: \"Only one locality "
                   "lb end point is allowed for DnsRoundRobinLB services\")";
      break;
    case EndpointUse::kIpAddressesOnly:
      adds = "those of its endpoints that are IP addresses (the service's resolution is "
             "STATIC), matched to a port by name";
      break;
    case EndpointUse::kAll:
      adds = "its endpoints, matched to a port by name";
      break;
  }
  if (!new_ports.empty()) {
    adds += not_merged.empty() ? ", and its ports " + new_ports
                               : ", not its ports " + new_ports + " (" + not_merged + ")";
  }
  diagnostics.warning(host.at, already + "; as Istio merges the entries of one namespace, this "
                                         "one adds " + adds);
}

const ServiceCatalog::Service* ServiceCatalog::service(std::string_view host) const {
  const auto found = services_.find(host);
  return found == services_.end() ? nullptr : &found->second;
}

std::vector<std::string_view> ServiceCatalog::hostNames() const {
  std::vector<std::string_view> names;
  for (const auto& [host, service] : services_) {
    if (!host.starts_with('*')) {
      names.push_back(host);
    }
  }
  return names;
}

const DestinationRuleObject* ServiceCatalog::destinationRule(std::string_view host) const {
  const Service* owner = service(host);
  return rules_.find(host, owner != nullptr ? owner->owner.entry->meta.namespace_name : "");
}

const std::vector<EndpointSpec>& ServiceCatalog::endpoints(const ServiceEntryObject& entry) const {
  const auto found = selected_.find(&entry);
  return found == selected_.end() ? entry.endpoints : found->second;
}

}  // namespace weir::config
