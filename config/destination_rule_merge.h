// Several DestinationRules of one namespace for one host, merged as Istio's
// PushContext merges them (pilot/pkg/model/destination_rule.go,
// mergeDestinationRule; push_context.go, setDestinationRules):
// - rules with a workloadSelector are taken first, then the others, each group in
//   load order (Istio: creation order);
// - a rule joins an earlier (merged) rule when both have no selector or the same
//   selector labels, and their exportTo lists are equal; a rule whose exportTo
//   strictly includes the earlier one's non-empty list joins it and is also kept
//   apart. Otherwise it is kept apart (ENABLE_ENHANCED_DESTINATIONRULE_MERGE, on
//   by default). A rule with a selector counts as exported to "." only;
// - joining concatenates the subsets whose names are new (a later subset with a
//   taken name is dropped: Istio's "Duplicate subset … found while merging
//   destination rules"), and takes the later rule's trafficPolicy only when the
//   merged rule has none yet (exportTo stays the first rule's).
// Which merged rule applies to Weir: Weir takes every workloadSelector as
// selecting itself (docs/behaviour.md), and Istio gives a workload the first rule
// whose selector selects it, else its last rule without a selector.
#pragma once

#include <vector>

#include "config/diagnostics.h"
#include "config/istio_objects.h"

namespace weir::config {

struct MergedDestinationRule {
  // The first merged rule's metadata and host; the merged subsets, trafficPolicy
  // and weir.dev/health-check-* (first rule that has one, like trafficPolicy).
  DestinationRuleObject rule;
  std::vector<const DestinationRuleObject*> from;  // the rules merged, in order
};

// `rules`: every valid rule of one namespace for one host, in load order (not
// empty). Returns the merged rule that applies to Weir, and reports as warnings
// what the rules lose: a dropped subset, an ignored trafficPolicy or health
// check, a rule that is not used at all.
MergedDestinationRule mergeDestinationRules(const std::vector<const DestinationRuleObject*>& rules,
                                            Diagnostics& diagnostics);

}  // namespace weir::config
