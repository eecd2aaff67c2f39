// DestinationRule: named subsets of a host, told apart by endpoint labels.
#include <set>

#include "config/duration.h"
#include "config/host_names.h"
#include "config/known_fields.h"
#include "config/object_parsers.h"

namespace weir::config {
namespace {

// A Go duration of at least 1 ms, or (where `zero_disables`) "0s" to turn it off.
std::optional<std::chrono::milliseconds> readDuration(const FieldReader& field,
                                                      bool zero_disables) {
  std::optional<std::string> text = field.string();
  if (!text) {
    return std::nullopt;
  }
  if (zero_disables && (*text == "0s" || *text == "0")) {
    return std::chrono::milliseconds(0);
  }
  std::optional<std::chrono::milliseconds> duration = parseGoDuration(*text);
  if (!duration) {
    field.error("invalid duration \"" + *text +
                "\": expected a Go duration of at least 1ms, such as 10s, 500ms or 1h30m");
  }
  return duration;
}

TrafficPolicySpec parseTrafficPolicy(const FieldReader& policy) {
  TrafficPolicySpec spec;
  if (!policy.present() || !policy.expectMap()) {
    return spec;
  }
  policy.checkFields(known_fields::kTrafficPolicy);
  const FieldReader pool = policy.field("connectionPool");
  if (!pool.present() || !pool.expectMap()) {
    return spec;
  }
  pool.checkFields(known_fields::kConnectionPool);
  const FieldReader tcp = pool.field("tcp");
  if (!tcp.present() || !tcp.expectMap()) {
    return spec;
  }
  tcp.checkFields(known_fields::kTcpConnectionPool);
  spec.connect_timeout = readDuration(tcp.field("connectTimeout"), false);
  spec.idle_timeout = readDuration(tcp.field("idleTimeout"), true);
  return spec;
}

}  // namespace

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

  rule.traffic_policy = parseTrafficPolicy(spec.field("trafficPolicy"));

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
    rule.subsets.push_back(SubsetSpec{locate(*value, name), readStringMap(item.field("labels")),
                                      parseTrafficPolicy(item.field("trafficPolicy"))});
  }
  return rule;
}

}  // namespace weir::config
