#include "config/service_catalog.h"

#include "config/host_names.h"
#include "config/unique_objects.h"

namespace weir::config {

ServiceCatalog::ServiceCatalog(const ParsedConfig& config, Diagnostics& diagnostics) {
  for (const ServiceEntryObject* entry : uniqueObjects(config.service_entries, diagnostics)) {
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
