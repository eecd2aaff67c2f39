// DestinationRule: named subsets of a host, told apart by endpoint labels.
#include <set>

#include "config/host_names.h"
#include "config/known_fields.h"
#include "config/object_parsers.h"

namespace weir::config {

DestinationRuleObject parseDestinationRule(const FieldReader& spec, ObjectMeta meta) {
  DestinationRuleObject rule;
  rule.meta = std::move(meta);
  spec.checkFields(known_fields::kDestinationRuleSpec);

  const FieldReader host = spec.field("host");
  rule.host.at = host.where();
  if (std::optional<std::string> value = host.requiredString()) {
    if (std::optional<std::string> error = wildcardDomainError(*value)) {
      host.error(*error);
    } else {
      rule.host = locate(canonicalHost(*value, rule.meta.namespace_name), host);
    }
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
    std::optional<std::string> value = name.requiredString();
    if (!value) {
      continue;
    }
    if (value->empty()) {
      name.error("subset name cannot be empty");
      continue;
    }
    if (!isDns1123Label(*value)) {
      name.error("subset name is invalid: " + *value);
      continue;
    }
    if (!names.insert(*value).second) {
      name.error("duplicate subset names: " + *value);
      continue;
    }
    rule.subsets.push_back(SubsetSpec{locate(*value, name), readStringMap(item.field("labels"))});
  }
  return rule;
}

}  // namespace weir::config
