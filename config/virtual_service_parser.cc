// VirtualService: ordered tcp[] rules, each with L4 match blocks and weighted
// destinations.
#include <limits>

#include "config/host_names.h"
#include "config/known_fields.h"
#include "config/object_parsers.h"

namespace weir::config {
namespace {

// Istio's ResolveGatewayName: "name" and "./name" are in the VirtualService's
// namespace, "ns/name" is explicit, "mesh" stays as is, and the legacy form
// "name.ns[.svc.cluster.local]" means ns/name (with a warning).
std::optional<std::string> resolveGatewayName(const std::string& text, const FieldReader& item,
                                              const std::string& ns) {
  if (text == kMeshGateway) {
    return text;
  }
  const size_t slash = text.find('/');
  if (slash != std::string::npos) {
    std::string gateway_ns = text.substr(0, slash);
    const std::string name = text.substr(slash + 1);
    if (gateway_ns.empty() || name.empty()) {
      item.error("config namespace and gateway name cannot be empty");
      return std::nullopt;
    }
    if (gateway_ns == ".") {
      gateway_ns = ns;
    }
    return gateway_ns + "/" + name;
  }
  const size_t dot = text.find('.');
  if (dot == std::string::npos) {
    return ns + "/" + text;
  }
  const std::string name = text.substr(0, dot);
  const std::string rest = text.substr(dot + 1);
  const std::string resolved = rest.substr(0, rest.find('.')) + "/" + name;
  item.warning("using legacy gatewayName format \"" + text +
               "\"; prefer the <namespace>/<name> format: \"" + resolved + "\"");
  return resolved;
}

std::vector<Located<std::string>> parseGatewayRefs(const FieldReader& gateways,
                                                   const std::string& ns) {
  std::vector<Located<std::string>> result;
  for (const FieldReader& item : gateways.items()) {
    std::optional<std::string> text = item.string();
    if (!text) {
      if (!item.present()) {
        item.error("expected a string, got a null value");
      }
      continue;
    }
    if (std::optional<std::string> resolved = resolveGatewayName(*text, item, ns)) {
      result.push_back(locate(std::move(*resolved), item));
    }
  }
  return result;
}

DestinationRef parseDestination(const FieldReader& destination, const std::string& ns) {
  DestinationRef ref;
  ref.at = destination.where();
  ref.host.at = destination.where();
  if (!destination.present()) {
    destination.error("destination is required");
    return ref;
  }
  if (!destination.expectMap()) {
    return ref;
  }
  destination.checkFields(known_fields::kDestination);

  const FieldReader host = destination.field("host");
  if (std::optional<std::string> value = host.requiredString()) {
    if (*value == "*") {
      host.error("invalid destination host *");
    } else if (std::optional<std::string> error = wildcardDomainError(*value)) {
      host.error(*error);
    } else {
      ref.host = locate(canonicalHost(*value, ns), host);
    }
  }

  const FieldReader subset = destination.field("subset");
  if (std::optional<std::string> value = subset.string()) {
    if (value->empty()) {
      subset.error("subset name cannot be empty");
    } else if (!isDns1123Label(*value)) {
      subset.error("subset name is invalid: " + *value);
    } else {
      ref.subset = locate(*value, subset);
    }
  }

  const FieldReader port = destination.field("port");
  if (port.expectMap()) {
    port.checkFields(known_fields::kPortSelector);
    const FieldReader number = port.field("number");
    if (!number.present()) {
      number.reportMissing();
    } else if (std::optional<uint16_t> value = readPortNumber(number)) {
      ref.port = locate(*value, number);
    }
  }
  return ref;
}

std::vector<RouteDestinationSpec> parseRoute(const FieldReader& route, const std::string& ns) {
  std::vector<RouteDestinationSpec> result;
  const std::vector<FieldReader> items = route.items();
  if (!route.present() || (route.isList() && items.empty())) {
    route.error("TCP route is required");
    return result;
  }
  int64_t total_weight = 0;
  for (const FieldReader& item : items) {
    RouteDestinationSpec spec;
    spec.at = item.where();
    if (!item.present()) {
      item.error("weight may not be nil");
      continue;
    }
    if (!item.expectMap()) {
      continue;
    }
    item.checkFields(known_fields::kRouteDestination);
    spec.destination = parseDestination(item.field("destination"), ns);

    const FieldReader weight = item.field("weight");
    if (std::optional<int64_t> value = weight.integer()) {
      if (*value < 0) {
        weight.error("weight " + std::to_string(*value) + " < 0");
      } else if (*value > std::numeric_limits<int32_t>::max()) {
        weight.error("weight " + std::to_string(*value) + " is too large (max 2147483647)");
      } else {
        spec.weight = static_cast<uint32_t>(*value);
      }
      total_weight += *value;
    }
    result.push_back(std::move(spec));
  }
  if (items.size() > 1 && total_weight == 0) {
    route.error("total destination weight = 0");
  }
  // A lone destination takes all traffic whatever its weight; Istio gives it 100.
  if (result.size() == 1 && result.front().weight == 0) {
    result.front().weight = 100;
  }
  return result;
}

L4MatchSpec parseMatch(const FieldReader& item, const std::string& ns) {
  L4MatchSpec match;
  match.at = item.where();
  if (!item.present()) {
    item.error("tcp match may not be nil");
    return match;
  }
  if (!item.expectMap()) {
    return match;
  }
  item.checkFields(known_fields::kL4Match);
  const FieldReader port = item.field("port");
  if (port.present()) {
    match.port = readPortNumber(port).value_or(0);
  }
  match.gateways = parseGatewayRefs(item.field("gateways"), ns);
  return match;
}

TcpRuleSpec parseTcpRule(const FieldReader& item, size_t index, const std::string& ns) {
  TcpRuleSpec rule;
  rule.index = index;
  rule.at = item.where();
  if (!item.present()) {
    item.error("tcp route may not be null");
    return rule;
  }
  if (!item.expectMap()) {
    return rule;
  }
  item.checkFields(known_fields::kTcpRoute);
  for (const FieldReader& match : item.field("match").items()) {
    rule.matches.push_back(parseMatch(match, ns));
  }
  rule.route = parseRoute(item.field("route"), ns);
  return rule;
}

bool hasItems(const FieldReader& list) { return list.isList() && !list.items().empty(); }

}  // namespace

VirtualServiceObject parseVirtualService(const FieldReader& spec, ObjectMeta meta) {
  VirtualServiceObject vs;
  vs.meta = std::move(meta);
  const std::string& ns = vs.meta.namespace_name;
  spec.checkFields(known_fields::kVirtualServiceSpec);

  const FieldReader hosts = spec.field("hosts");
  if (!hosts.present()) {
    hosts.reportMissing();
  } else {
    const std::vector<FieldReader> items = hosts.items();
    if (hosts.isList() && items.empty()) {
      hosts.error("virtual service must have at least one host");
    }
    for (const FieldReader& item : items) {
      std::optional<std::string> host = item.string();
      if (!host) {
        if (!item.present()) {
          item.error("expected a string, got a null value");
        }
        continue;
      }
      if (*host != "*" && !isIpAddress(*host)) {
        if (std::optional<std::string> error = wildcardDomainError(*host)) {
          item.error(*error);
          continue;
        }
      }
      vs.hosts.push_back(locate(std::move(*host), item));
    }
  }

  const FieldReader gateways = spec.field("gateways");
  vs.gateways_at = gateways.where();
  vs.gateways = parseGatewayRefs(gateways, ns);

  const FieldReader tcp = spec.field("tcp");
  const std::vector<FieldReader> rules = tcp.items();
  const bool tcp_is_list_or_absent = !tcp.present() || tcp.isList();
  if (rules.empty() && tcp_is_list_or_absent && !hasItems(spec.field("http")) &&
      !hasItems(spec.field("tls"))) {
    tcp.error("http, tcp or tls must be provided in virtual service");
  }
  for (size_t i = 0; i < rules.size(); ++i) {
    vs.tcp.push_back(parseTcpRule(rules[i], i, ns));
  }
  return vs;
}

}  // namespace weir::config
