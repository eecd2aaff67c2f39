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

}  // namespace

ServiceCatalog::ServiceCatalog(const ParsedConfig& config, Diagnostics& diagnostics) {
  const std::vector<const WorkloadEntryObject*> workloads =
      uniqueObjects(config.workload_entries, diagnostics);
  std::vector<bool> workload_selected(workloads.size(), false);
  for (const ServiceEntryObject* entry : uniqueObjects(config.service_entries, diagnostics)) {
    // NONE and DYNAMIC_DNS forward to the original destination: no endpoints.
    const bool has_endpoints = entry->resolution != EndpointResolution::kNone &&
                               entry->resolution != EndpointResolution::kDynamicDns;
    if (entry->workload_selector && has_endpoints) {
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
      const auto [existing, inserted] =
          services_.emplace(host.canonical, Service{entry, &host});
      if (!inserted) {
        diagnostics.error(host.at, "host \"" + host.canonical +
                                       "\" is already defined by ServiceEntry " +
                                       existing->second.entry->meta.qualifiedName());
      }
    }
  }
  for (size_t i = 0; i < workloads.size(); ++i) {
    if (!workload_selected[i]) {
      diagnostics.warning(workloads[i]->meta.at,
                          "WorkloadEntry " + workloads[i]->meta.qualifiedName() +
                              " is selected by no ServiceEntry's workloadSelector; unused");
    }
  }
  for (const DestinationRuleObject* rule : uniqueObjects(config.destination_rules, diagnostics)) {
    if (rule->host.value.empty()) {
      continue;  // already reported
    }
    const auto [existing, inserted] = rules_.emplace(rule->host.value, rule);
    if (!inserted) {
      diagnostics.error(rule->host.at, "host \"" + rule->host.value +
                                           "\" already has a DestinationRule (" +
                                           existing->second->meta.qualifiedName() +
                                           "); Weir does not merge DestinationRules");
    }
  }
}

ServiceCatalog::Service ServiceCatalog::serviceEntry(std::string_view host) const {
  const auto found = services_.find(host);
  return found == services_.end() ? Service{} : found->second;
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
  if (const auto exact = rules_.find(host); exact != rules_.end()) {
    return exact->second;
  }
  const DestinationRuleObject* best = nullptr;
  for (const auto& [pattern, rule] : rules_) {
    if (pattern.starts_with('*') && hostsMatch(pattern, host) &&
        (best == nullptr || pattern.size() > best->host.value.size())) {
      best = rule;
    }
  }
  return best;
}

}  // namespace weir::config

namespace weir::config {

const std::vector<EndpointSpec>& ServiceCatalog::endpoints(const ServiceEntryObject& entry) const {
  const auto found = selected_.find(&entry);
  return found == selected_.end() ? entry.endpoints : found->second;
}

}  // namespace weir::config
