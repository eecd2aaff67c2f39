// DestinationRule: named subsets of a host, told apart by endpoint labels, and the
// traffic policies (rule, port and subset level) that the cluster builder merges
// (traffic_policy_parser.h reads them, traffic_policy.h merges them).
//
// Validation follows Istio's ValidateDestinationRule, in its words; where the CRD
// schema words the same refusal differently, its words follow in parentheses.
#include <set>

#include "config/export_to.h"
#include "config/host_names.h"
#include "config/known_fields.h"
#include "config/labels.h"
#include "config/object_parsers.h"
#include "config/traffic_policy_parser.h"

namespace weir::config {
namespace {

// workloadSelector: the workloads (sidecars) the rule applies to. Weir validates it
// and applies the rule anyway (docs/behaviour.md); its labels decide which rules
// for one host Istio merges. nullopt when there is no (valid) selector.
std::optional<std::map<std::string, std::string>> readWorkloadSelector(
    const FieldReader& selector) {
  if (!selector.expectMap()) {
    return std::nullopt;
  }
  selector.checkFields(known_fields::kDestinationRuleWorkloadSelector);
  std::map<std::string, std::string> labels = readLabelSelector(selector.field("matchLabels"));
  if (labels.empty()) {
    selector.warning("workload selector specified without labels");
  }
  return labels;
}

// A subset's name: Istio's validateSubsetName.
std::optional<std::string> readSubsetName(const FieldReader& name) {
  const std::optional<std::string> value = name.string();
  if (!name.present() || (value && value->empty())) {
    name.error(std::string("subset name cannot be empty") +
               (name.present() ? "" : " (CRD: " + name.path() + ": Required value)"));
    return std::nullopt;
  }
  if (value && !isDns1123Label(*value)) {
    name.error("subset name is invalid: " + *value);
    return std::nullopt;
  }
  return value;
}

}  // namespace

DestinationRuleObject parseDestinationRule(const FieldReader& spec, ObjectMeta meta) {
  DestinationRuleObject rule;
  rule.meta = std::move(meta);
  const std::string& ns = rule.meta.namespace_name;
  spec.checkFields(known_fields::kDestinationRuleSpec);

  const FieldReader host = spec.field("host");
  rule.host.at = host.where();
  const std::optional<std::string> host_name = host.string();
  if (!host.present()) {
    host.error("empty domain name not allowed (CRD: " + host.path() + ": Required value)");
  } else if (host_name) {
    if (std::optional<std::string> error = wildcardDomainError(*host_name)) {
      host.error(*error);
    } else {
      rule.host = locate(canonicalHost(*host_name, ns), host);
    }
  }

  const FieldReader traffic_policy = spec.field("trafficPolicy");
  rule.traffic_policy = parseTrafficPolicy(traffic_policy, ns);
  if (traffic_policy.present()) {
    rule.traffic_policy_at = traffic_policy.where();
  }

  std::set<std::string> names;
  for (const FieldReader& item : spec.field("subsets").items()) {
    if (!item.present()) {
      item.error("subset may not be null");
      continue;
    }
    if (!item.expectMap()) {
      continue;
    }
    item.checkFields(known_fields::kSubset);
    const FieldReader name = item.field("name");
    const std::optional<std::string> value = readSubsetName(name);
    std::map<std::string, std::string> labels = readLabels(item.field("labels"));
    TrafficPolicySpec policy = parseTrafficPolicy(item.field("trafficPolicy"), ns);
    if (!value) {
      continue;
    }
    if (!names.insert(*value).second) {
      name.error("duplicate subset names: " + *value);
      continue;
    }
    rule.subsets.push_back(SubsetSpec{locate(*value, name), std::move(labels), std::move(policy)});
  }

  // Weir is one gateway that sees every namespace and takes itself as selected:
  // neither field restricts where the rule applies, they only decide merging.
  const FieldReader selector = spec.field("workloadSelector");
  if (selector.present()) {
    selector.warning("Weir applies the rule whatever its workloadSelector (it takes itself "
                     "as selected); the selector only decides which rules for the host merge");
  }
  rule.workload_selector = readWorkloadSelector(selector);
  const FieldReader export_to = spec.field("exportTo");
  if (export_to.present()) {
    export_to.warning("Weir applies the rule in every namespace; exportTo only decides which "
                      "rules for the host merge");
  }
  rule.export_to = checkExportTo(export_to, ns,
                                 selector.present() ? ExportToOwner::kDestinationRuleWithSelector
                                                    : ExportToOwner::kDestinationRule);
  return rule;
}

}  // namespace weir::config
