#include "config/destination_rule_merge.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>

namespace weir::config {
namespace {

using Labels = std::map<std::string, std::string>;

// The exportTo Istio compares when it merges: a rule with a workloadSelector is
// visible in its own namespace only, whatever it says.
std::set<std::string> exportToForMerge(const DestinationRuleObject& rule) {
  return rule.workload_selector ? std::set<std::string>{"."} : rule.export_to;
}

// One entry of Istio's list of rules for the host (a ConsolidatedDestRule): the
// rule that started it, the later ones joined to it, and what they lost there.
struct Entry {
  MergedDestinationRule merged;
  std::set<std::string> export_to;
  // Whose subsets and trafficPolicy the merged rule has, for the messages.
  std::map<std::string, const DestinationRuleObject*> subset_from;
  const DestinationRuleObject* policy_from = nullptr;
  std::vector<std::pair<FieldRef, std::string>> losses;
};

// How Istio's merge treats a later rule against one entry.
struct Joining {
  bool joins = false;      // its subsets (and maybe policy) go into the entry
  bool kept_apart = true;  // it starts an entry of its own (the last entry decides)
};

Joining join(const Entry& entry, const DestinationRuleObject& rule,
             const std::set<std::string>& export_to) {
  const bool same_export = export_to == entry.export_to;
  const bool wider_export =
      !entry.export_to.empty() && std::includes(export_to.begin(), export_to.end(),
                                                entry.export_to.begin(), entry.export_to.end());
  if (!same_export && !wider_export) {
    return {};
  }
  const std::optional<Labels>& selector = rule.workload_selector;
  const std::optional<Labels>& existing = entry.merged.rule.workload_selector;
  if (selector && existing && *selector != *existing) {
    return {};
  }
  const bool same_selection = selector.has_value() == existing.has_value();
  return {true, !same_export && !same_selection};
}

Entry startEntry(const DestinationRuleObject& rule) {
  Entry entry{MergedDestinationRule{rule, {&rule}}, exportToForMerge(rule), {}, nullptr, {}};
  for (const SubsetSpec& subset : rule.subsets) {
    entry.subset_from[subset.name.value] = &rule;
  }
  if (rule.traffic_policy_at) {
    entry.policy_from = &rule;
  }
  return entry;
}

void mergeInto(Entry& entry, const DestinationRuleObject& rule) {
  DestinationRuleObject& merged = entry.merged.rule;
  entry.merged.from.push_back(&rule);
  const std::string& host = merged.host.value;
  const std::string into = "Istio merges this rule into DestinationRule " +
                           merged.meta.qualifiedName() + " for host \"" + host + "\" and keeps ";

  for (const SubsetSpec& subset : rule.subsets) {
    const auto [taken, added] = entry.subset_from.try_emplace(subset.name.value, &rule);
    if (added) {
      merged.subsets.push_back(subset);
      continue;
    }
    entry.losses.emplace_back(subset.name.at, "Duplicate subset " + subset.name.value +
                                                  " found while merging destination rules for " +
                                                  host + "; the one of DestinationRule " +
                                                  taken->second->meta.qualifiedName() +
                                                  " is kept");
  }

  if (rule.traffic_policy_at) {
    if (entry.policy_from == nullptr) {
      merged.traffic_policy = rule.traffic_policy;
      merged.traffic_policy_at = rule.traffic_policy_at;
      entry.policy_from = &rule;
    } else {
      entry.losses.emplace_back(*rule.traffic_policy_at,
                                "trafficPolicy ignored: " + into + "the trafficPolicy of DestinationRule " +
                                    entry.policy_from->meta.qualifiedName() +
                                    ", the first rule that has one");
    }
  }

  // weir.dev/health-check-*: rule-wide like trafficPolicy, so the first one wins too.
  if (rule.meta.annotations.health_check) {
    if (!merged.meta.annotations.health_check) {
      merged.meta.annotations.health_check = rule.meta.annotations.health_check;
    } else {
      entry.losses.emplace_back(rule.meta.at,
                                "weir.dev/health-check-* ignored: " + into +
                                    "the health check of the first rule that has one, as for "
                                    "trafficPolicy");
    }
  }
}

std::string whyUnused(const Entry& applied) {
  const std::string other = "DestinationRule " + applied.merged.rule.meta.qualifiedName();
  if (applied.merged.rule.workload_selector) {
    return other +
           " has a workloadSelector, which Weir takes as selecting itself, and Istio gives a "
           "workload the first rule that selects it (merged with the rules of the same "
           "selector), not the others";
  }
  return "its exportTo differs from that of " + other +
         ", and Istio merges only rules whose exportTo agree and gives a gateway the last one";
}

}  // namespace

MergedDestinationRule mergeDestinationRules(const std::vector<const DestinationRuleObject*>& rules,
                                            Diagnostics& diagnostics) {
  std::vector<const DestinationRuleObject*> ordered = rules;
  std::stable_partition(ordered.begin(), ordered.end(), [](const DestinationRuleObject* rule) {
    return rule->workload_selector.has_value();
  });

  std::vector<Entry> entries;
  for (const DestinationRuleObject* rule : ordered) {
    const std::set<std::string> export_to = exportToForMerge(*rule);
    bool kept_apart = true;
    for (Entry& entry : entries) {
      const Joining joining = join(entry, *rule, export_to);
      if (joining.joins) {
        mergeInto(entry, *rule);
      }
      kept_apart = joining.kept_apart;
    }
    if (kept_apart) {
      entries.push_back(startEntry(*rule));
    }
  }

  const auto selected = std::find_if(entries.begin(), entries.end(), [](const Entry& entry) {
    return entry.merged.rule.workload_selector.has_value();
  });
  Entry& applied = selected != entries.end() ? *selected : entries.back();
  for (auto& [at, message] : applied.losses) {
    diagnostics.warning(at, std::move(message));
  }
  const std::vector<const DestinationRuleObject*>& used = applied.merged.from;
  for (const DestinationRuleObject* rule : rules) {
    if (std::find(used.begin(), used.end(), rule) == used.end()) {
      diagnostics.warning(rule->host.at, "DestinationRule " + rule->meta.qualifiedName() +
                                             " for host \"" + rule->host.value +
                                             "\" is not used: " + whyUnused(applied));
    }
  }
  return std::move(applied.merged);
}

}  // namespace weir::config
