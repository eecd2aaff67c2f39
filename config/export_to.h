// Istio's rules for `exportTo` (validateExportTo), shared by the kinds that have
// it. Weir serves one namespace-less proxy, so exportTo changes nothing it does,
// but a list Istio refuses is refused here too, in Istio's words.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "config/diagnostics.h"

namespace weir::config {

enum class ExportToRules {
  kConfig,                       // VirtualService, DestinationRule without selector
  kServiceEntry,                 // may also say "~" (visible to no one)
  kDestinationRuleWithSelector,  // may export only to its own namespace
};

// Every problem of `values` (exportTo of an object in namespace `ns`), in Istio's
// words; empty when valid or when the list is empty.
std::vector<std::string> exportToErrors(std::string_view ns,
                                        const std::vector<Located<std::string>>& values,
                                        ExportToRules rules);

}  // namespace weir::config
