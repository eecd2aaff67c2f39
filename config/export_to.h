// `exportTo`: the namespaces a VirtualService, DestinationRule or ServiceEntry is
// visible to, checked as Istio's validateExportTo. Weir is one gateway that sees every namespace, so it
// validates the list and then ignores it (docs/behaviour.md).
#pragma once

#include <string_view>

#include "config/field_reader.h"

namespace weir::config {

enum class ExportToOwner {
  kVirtualService,
  kDestinationRule,
  kDestinationRuleWithSelector,  // may be exported to its own namespace only
  kServiceEntry,                 // may also be exported to no one: "~"
};

// Reports every problem of the list `export_to` in an object of namespace `ns`.
void checkExportTo(const FieldReader& export_to, std::string_view ns, ExportToOwner owner);

}  // namespace weir::config
