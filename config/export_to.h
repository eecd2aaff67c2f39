// `exportTo`: the namespaces a VirtualService, DestinationRule or ServiceEntry is
// visible to, checked as Istio's validateExportTo. Weir is one gateway that sees every namespace, so it
// validates the list and does not restrict visibility by it (docs/behaviour.md);
// Istio's merge of several objects for one host compares the lists, and so does Weir.
#pragma once

#include <set>
#include <string>
#include <string_view>

#include "config/field_reader.h"

namespace weir::config {

enum class ExportToOwner {
  kVirtualService,
  kDestinationRule,
  kDestinationRuleWithSelector,  // may be exported to its own namespace only
  kServiceEntry,                 // may also be exported to no one: "~"
};

// Reports every problem of the list `export_to` in an object of namespace `ns`, and
// returns its valid entries as written ("." stays "."), as Istio's set of them.
std::set<std::string> checkExportTo(const FieldReader& export_to, std::string_view ns,
                                    ExportToOwner owner);

}  // namespace weir::config
