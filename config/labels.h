// Kubernetes labels as Istio checks them (pkg/config/labels): the labels of a
// subset or an endpoint, and the label selectors of a ServiceEntry
// (workloadSelector.labels) and a DestinationRule (workloadSelector.matchLabels).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "config/field_reader.h"

namespace weir::config {

// A label key: an optional DNS-subdomain prefix of at most 253 characters and '/',
// then a name of at most 63 letters, digits, '-', '_' and '.', starting and ending
// with a letter or digit. Istio's message when invalid: `invalid tag key: "-a"`.
std::optional<std::string> labelKeyError(std::string_view key);

// A label value: empty, or like the name part of a key. `invalid tag value: "-a"`.
std::optional<std::string> labelValueError(std::string_view value);

// `labels` of a subset or a workload: a map of strings whose keys and values are
// checked as above, each error at its entry.
std::map<std::string, std::string> readLabels(const FieldReader& labels);

// A label selector: empty keys and wildcards are refused ("empty key is not
// supported in selector: \"=bar\"", "wildcard is not supported in selector:
// \"app=*\""); the labels themselves are not checked further, as in Istio.
std::map<std::string, std::string> readLabelSelector(const FieldReader& labels);

}  // namespace weir::config
