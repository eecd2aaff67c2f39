// Which DestinationRule applies to a host. The rules of each namespace for each
// host are merged as Istio merges them (destination_rule_merge.h); a host is then
// looked up as Istio's gateway looks it up (push_context.go, destinationRule):
// - in one namespace at a time, never merging the rules of two namespaces;
// - in a namespace, the rule for exactly the host, else the one with the most
//   specific wildcard host that matches it (`*.example.com`); the exact rule does
//   not inherit subsets or policy from the wildcard one.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "config/destination_rule_merge.h"
#include "config/diagnostics.h"
#include "config/istio_objects.h"

namespace weir::config {

// Istio's default meshConfig.rootNamespace, whose rules apply mesh-wide.
inline constexpr std::string_view kIstioRootNamespace = "istio-system";

class DestinationRuleIndex {
 public:
  // `rules`: the load's rules (one per namespace/name, valid host), in load order.
  // Reports what merging the rules of one namespace for one host loses.
  DestinationRuleIndex(const std::vector<const DestinationRuleObject*>& rules,
                       Diagnostics& diagnostics);

  // The rule for `host`, a service of namespace `service_namespace` (empty when
  // no ServiceEntry defines it); null when none. Namespaces are tried in Istio's
  // order as far as Weir knows it: the service's, then istio-system; Istio tries
  // the gateway's own namespace before both, which Weir does not know, so the
  // other namespaces follow in load order.
  const DestinationRuleObject* find(std::string_view host,
                                    std::string_view service_namespace) const;

  // Warns about each rule for exactly `host` in a namespace other than the one
  // whose rule find() takes for it: it is not used for that service.
  void reportShadowed(std::string_view host, std::string_view service_namespace,
                      Diagnostics& diagnostics) const;

 private:
  struct NamespaceRules {
    std::string name;
    std::map<std::string, MergedDestinationRule, std::less<>> by_host;  // host as written
  };
  // find(), with the namespace it was found in.
  struct Found {
    const NamespaceRules* ns = nullptr;
    const MergedDestinationRule* rule = nullptr;
  };
  Found lookup(std::string_view host, std::string_view service_namespace) const;

  std::vector<NamespaceRules> namespaces_;  // in the order of their first rule
};

}  // namespace weir::config
