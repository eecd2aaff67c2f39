#include "config/export_to.h"

#include <set>
#include <string>

#include "config/host_names.h"

namespace weir::config {

std::set<std::string> checkExportTo(const FieldReader& export_to, std::string_view ns,
                                    ExportToOwner owner) {
  // "." is the object's own namespace, so `[., ns]` names it twice.
  std::set<std::string> seen;
  std::set<std::string> written;
  size_t count = 0;
  for (const FieldReader& item : export_to.items()) {
    ++count;
    const std::optional<std::string> value = item.string();
    if (!value) {
      if (!item.present()) {
        item.error("expected a string, got a null value");
      }
      continue;
    }
    const std::string key = *value == "." ? std::string(ns) : *value;
    if (seen.contains(key)) {
      item.error(key != *value ? "duplicate entries in exportTo: . and current namespace " + key
                               : "duplicate entries in exportTo for entry " + *value);
    } else if (*value == "~" && owner == ExportToOwner::kServiceEntry) {
      seen.insert(key);
      written.insert(*value);
    } else if (*value == "~") {
      item.error("exportTo ~ (none) is not allowed for Istio configuration objects");
    } else if (*value != "." && *value != "*" && !isDns1123Label(*value)) {
      item.error("only .,*, or a valid DNS 1123 label is allowed as exportTo entry");
    } else {
      seen.insert(key);
      written.insert(*value);
    }
  }
  if (owner == ExportToOwner::kDestinationRuleWithSelector && !seen.empty()) {
    if (!seen.contains(std::string(ns))) {
      export_to.error(
          "destination rule with workload selector cannot have exportTo beyond current "
          "namespace");
    } else if (seen.size() > 1) {
      export_to.error(
          "destination rule with workload selector cannot have multiple entries in exportTo");
    }
  }
  if (seen.contains("*") && count > 1) {
    export_to.error("cannot have both public (*) and non-public exportTo values for a resource");
  }
  if (seen.contains("~") && count > 1) {
    export_to.error("cannot export service entry to no one (~) and someone");
  }
  return written;
}

}  // namespace weir::config
