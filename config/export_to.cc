#include "config/export_to.h"

#include <set>

#include "config/host_names.h"

namespace weir::config {
namespace {

constexpr std::string_view kPrivate = ".";  // the object's own namespace
constexpr std::string_view kPublic = "*";
constexpr std::string_view kNone = "~";

// Istio's visibility.Instance.Validate.
std::optional<std::string> visibilityError(std::string_view value) {
  if (value == kPrivate || value == kPublic) {
    return std::nullopt;
  }
  if (value == kNone) {
    return "exportTo ~ (none) is not allowed for Istio configuration objects";
  }
  if (!isDns1123Label(value)) {
    return "only .,*, or a valid DNS 1123 label is allowed as exportTo entry";
  }
  return std::nullopt;
}

}  // namespace

std::vector<std::string> exportToErrors(std::string_view ns,
                                        const std::vector<Located<std::string>>& values,
                                        ExportToRules rules) {
  std::vector<std::string> errors;
  if (values.empty()) {
    return errors;
  }
  std::set<std::string, std::less<>> seen;  // "." counted as the namespace itself
  for (const Located<std::string>& entry : values) {
    const std::string& value = entry.value;
    const std::string key = value == kPrivate ? std::string(ns) : value;
    if (seen.contains(key)) {
      errors.push_back(key != value ? "duplicate entries in exportTo: . and current namespace " +
                                          std::string(ns)
                                    : "duplicate entries in exportTo for entry " + value);
    } else if (rules == ExportToRules::kServiceEntry && value == kNone) {
      seen.insert(key);
    } else if (std::optional<std::string> error = visibilityError(key)) {
      errors.push_back(std::move(*error));
    } else {
      seen.insert(key);
    }
  }
  if (rules == ExportToRules::kDestinationRuleWithSelector && !seen.empty()) {
    if (!seen.contains(ns)) {
      errors.push_back(
          "destination rule with workload selector cannot have exportTo beyond current "
          "namespace");
    } else if (seen.size() > 1) {
      errors.push_back(
          "destination rule with workload selector cannot have multiple entries in exportTo");
    }
  }
  if (seen.contains(kPublic) && values.size() > 1) {
    errors.push_back("cannot have both public (*) and non-public exportTo values for a resource");
  }
  if (seen.contains(kNone) && values.size() > 1) {
    errors.push_back("cannot export service entry to no one (~) and someone");
  }
  return errors;
}

}  // namespace weir::config
