#include "config/destination_rule_index.h"

#include <algorithm>
#include <utility>

#include "config/host_names.h"

namespace weir::config {
namespace {

// In one namespace: the rule for exactly `host`, else the most specific wildcard
// rule that matches it (Istio's MostSpecificHostMatch).
const MergedDestinationRule* mostSpecific(
    const std::map<std::string, MergedDestinationRule, std::less<>>& by_host,
    std::string_view host) {
  if (const auto exact = by_host.find(host); exact != by_host.end()) {
    return &exact->second;
  }
  const MergedDestinationRule* best = nullptr;
  for (const auto& [pattern, rule] : by_host) {
    if (pattern.starts_with('*') && hostsMatch(pattern, host) &&
        (best == nullptr || pattern.size() > best->rule.host.value.size())) {
      best = &rule;
    }
  }
  return best;
}

}  // namespace

DestinationRuleIndex::DestinationRuleIndex(const std::vector<const DestinationRuleObject*>& rules,
                                           Diagnostics& diagnostics) {
  // Group by namespace and host, keeping load order within and between groups.
  std::vector<std::pair<std::string, std::string>> groups;
  std::map<std::pair<std::string, std::string>, std::vector<const DestinationRuleObject*>>
      members;
  for (const DestinationRuleObject* rule : rules) {
    auto key = std::make_pair(rule->meta.namespace_name, rule->host.value);
    std::vector<const DestinationRuleObject*>& group = members[key];
    if (group.empty()) {
      groups.push_back(std::move(key));
    }
    group.push_back(rule);
  }
  for (const auto& key : groups) {
    const std::string& ns = key.first;
    const std::string& host = key.second;  // not a structured binding: clang 14 cannot capture one
    auto in = std::find_if(namespaces_.begin(), namespaces_.end(),
                           [&](const NamespaceRules& known) { return known.name == ns; });
    if (in == namespaces_.end()) {
      in = namespaces_.insert(namespaces_.end(), NamespaceRules{ns, {}});
    }
    in->by_host.emplace(host, mergeDestinationRules(members[key], diagnostics));
  }
}

DestinationRuleIndex::Found DestinationRuleIndex::lookup(
    std::string_view host, std::string_view service_namespace) const {
  std::vector<const NamespaceRules*> order;
  for (const std::string_view first : {service_namespace, kIstioRootNamespace}) {
    for (const NamespaceRules& ns : namespaces_) {
      if (ns.name == first && std::find(order.begin(), order.end(), &ns) == order.end()) {
        order.push_back(&ns);
      }
    }
  }
  for (const NamespaceRules& ns : namespaces_) {
    if (std::find(order.begin(), order.end(), &ns) == order.end()) {
      order.push_back(&ns);
    }
  }
  for (const NamespaceRules* ns : order) {
    if (const MergedDestinationRule* rule = mostSpecific(ns->by_host, host)) {
      return {ns, rule};
    }
  }
  return {};
}

const DestinationRuleObject* DestinationRuleIndex::find(std::string_view host,
                                                        std::string_view service_namespace) const {
  const Found found = lookup(host, service_namespace);
  return found.rule != nullptr ? &found.rule->rule : nullptr;
}

void DestinationRuleIndex::reportShadowed(std::string_view host,
                                          std::string_view service_namespace,
                                          Diagnostics& diagnostics) const {
  const Found applied = lookup(host, service_namespace);
  if (applied.rule == nullptr) {
    return;
  }
  std::string why;
  if (applied.ns->name == service_namespace) {
    why = "those of the service's namespace (" + std::string(service_namespace) + ")";
  } else if (applied.ns->name == kIstioRootNamespace) {
    why = "those of " + std::string(kIstioRootNamespace) +
          " (the mesh's root namespace) when the service's namespace has none";
  } else {
    why = "one namespace's; with none in the service's namespace or " +
          std::string(kIstioRootNamespace) + ", Weir takes the first loaded";
  }
  const DestinationRuleObject& winner = applied.rule->rule;
  for (const NamespaceRules& ns : namespaces_) {
    const auto same_host = ns.by_host.find(host);
    if (&ns == applied.ns || same_host == ns.by_host.end()) {
      continue;
    }
    for (const DestinationRuleObject* rule : same_host->second.from) {
      diagnostics.warning(rule->host.at,
                          "DestinationRule " + rule->meta.qualifiedName() + " for host \"" +
                              std::string(host) +
                              "\" is not used: Istio does not merge the rules of different "
                              "namespaces, and takes " + why + "; DestinationRule " +
                              winner.meta.qualifiedName() + " applies");
    }
  }
}

}  // namespace weir::config
