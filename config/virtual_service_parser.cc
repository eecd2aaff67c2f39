// VirtualService: ordered tcp[] and tls[] rules, each with L4 match blocks (for
// tls[], with SNI names) and weighted destinations. Checked as Istio's validation
// checks them, with its wording, including its warnings about rules and match
// blocks that can never be reached.
#include <algorithm>
#include <cctype>
#include <limits>
#include <map>
#include <variant>

#include "config/export_to.h"
#include "config/host_names.h"
#include "config/ip_prefix.h"
#include "config/known_fields.h"
#include "config/labels.h"
#include "config/object_parsers.h"

namespace weir::config {
namespace {

// Istio's resolveGatewayName: "name" and "./name" are in the VirtualService's
// namespace, "ns/name" is explicit, "mesh" stays as is, and the legacy form
// "name.ns[.svc.cluster.local]" means ns/name.
std::string resolveGatewayName(const std::string& text, const std::string& ns) {
  if (text.starts_with("./")) {
    return ns + text.substr(1);
  }
  if (text == kMeshGateway || text.find('/') != std::string::npos) {
    return text;
  }
  const size_t dot = text.find('.');
  if (dot == std::string::npos) {
    return ns + "/" + text;
  }
  const std::string rest = text.substr(dot + 1);
  return rest.substr(0, rest.find('.')) + "/" + text.substr(0, dot);
}

// Istio's validateGatewayNames for one name: "ns/name" with two DNS-1123 labels
// (so neither "*/name" nor "./name"), or a name without a slash that is a domain
// name, where a dot marks the legacy "name.namespace" form (a warning).
std::vector<std::string> gatewayNameErrors(const std::string& text, const FieldReader& item) {
  std::vector<std::string> errors;
  const size_t slash = text.find('/');
  if (slash == std::string::npos) {
    if (text.find('.') != std::string::npos) {
      item.warning("using legacy gatewayName format \"" + text +
                   "\"; prefer the <namespace>/<name> format: \"" +
                   resolveGatewayName(text, "") + "\"");
    }
    if (std::optional<std::string> error = fqdnError(text)) {
      errors.push_back(std::move(*error));
    }
    return errors;
  }
  const std::string gateway_ns = text.substr(0, slash);
  const std::string name = text.substr(slash + 1);
  if (gateway_ns.empty() || name.empty()) {
    errors.push_back("config namespace and gateway name cannot be empty");
  }
  if (!isDns1123Label(gateway_ns)) {
    errors.push_back("invalid value for namespace: \"" + gateway_ns + "\"");
  }
  if (!isDns1123Label(name)) {
    errors.push_back("invalid value for gateway name: \"" + name + "\"");
  }
  return errors;
}

// `gateways` of a VirtualService or of a match block, checked and resolved to
// "namespace/name" (or "mesh"). As in Istio, the checks stop after the first name
// without a slash (validateGatewayNames returns there); every name is resolved.
std::vector<Located<std::string>> parseGatewayRefs(const FieldReader& gateways,
                                                   const std::string& ns) {
  std::vector<Located<std::string>> result;
  bool checking = true;
  for (const FieldReader& item : gateways.items()) {
    std::optional<std::string> text = item.string();
    if (!text) {
      if (!item.present()) {
        item.error("expected a string, got a null value");
      }
      continue;
    }
    if (checking) {
      const std::vector<std::string> errors = gatewayNameErrors(*text, item);
      checking = text->find('/') != std::string::npos;
      for (const std::string& error : errors) {
        item.error(error);
      }
      if (!errors.empty()) {
        continue;
      }
    }
    result.push_back(locate(resolveGatewayName(*text, ns), item));
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

  // Absent fields are proto3's zero values: no host is "", and no port number 0.
  const FieldReader host = destination.field("host");
  if (std::optional<std::string> value = host.present() ? host.string() : "") {
    if (*value == "*") {
      host.error("invalid destination host *");
    } else if (std::optional<std::string> error = wildcardDomainError(*value)) {
      host.error(*error);
    } else {
      ref.host = locate(canonicalHost(*value, ns), host);
    }
  }

  const FieldReader subset = destination.field("subset");
  if (std::optional<std::string> value = subset.string(); value && !value->empty()) {
    if (!isDns1123Label(*value)) {
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
      number.error("port number 0 must be in the range 1..65535");
    } else if (std::optional<uint16_t> value = readPortNumber(number)) {
      ref.port = locate(*value, number);
    }
  }
  return ref;
}

std::vector<RouteDestinationSpec> parseRoute(const FieldReader& route, const std::string& ns,
                                             bool tls) {
  std::vector<RouteDestinationSpec> result;
  const std::vector<FieldReader> items = route.items();
  if (!route.present() || (route.isList() && items.empty())) {
    route.error(tls ? "TLS route is required" : "TCP route is required");
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

std::string lowerCase(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

// Istio's host.Name.SubsetOf: every name that `name` covers is covered by `of`.
bool isSubsetOf(std::string_view name, std::string_view of) {
  const auto wildcard = [](std::string_view host) { return host.starts_with('*'); };
  if (wildcard(name)) {
    return wildcard(of) && name.substr(1).ends_with(of.substr(1));
  }
  if (wildcard(of)) {
    return name.ends_with(of.substr(1));
  }
  return name == of;
}

// A CIDR block or bare IP (Istio's ValidateIPSubnet and its messages).
std::optional<IpPrefix> readSubnet(const FieldReader& reader) {
  const std::optional<std::string> text = reader.string();
  if (!text) {
    return std::nullopt;
  }
  std::variant<IpPrefix, std::string> parsed = parseIpPrefix(*text);
  if (const std::string* error = std::get_if<std::string>(&parsed)) {
    reader.error(*error);
    return std::nullopt;
  }
  return std::get<IpPrefix>(parsed);
}

// What the checks of a VirtualService's rules need from the rest of the object.
struct RuleContext {
  std::string ns;                  // the VirtualService's namespace
  std::vector<std::string> hosts;  // spec.hosts as written, valid or not
  bool mesh_listed = false;        // "mesh" is among spec.gateways
};

// One entry of sniHosts: Istio's validateSniHost. Matched as Envoy's server_names
// match: exact names, "*" and "*." wildcards; any other wildcard is a literal name
// that no client sends.
std::optional<std::string> readSniHost(const FieldReader& item, const RuleContext& context) {
  std::optional<std::string> text = item.string();
  if (!text) {
    if (!item.present()) {
      item.error("expected a string, got a null value");
    }
    return std::nullopt;
  }
  // Istio's isGateway: true unless "mesh" is among the gateways (so also without any).
  const std::optional<std::string> error = context.mesh_listed
                                               ? wildcardDomainError(*text)
                                               : gatewayBoundHostError(*text, true);
  if (error) {
    if (isIpAddress(*text)) {
      item.warning("using an IP address (\"" + *text +
                   "\") goes against SNI spec and most clients do not support this");
      return lowerCase(*text);
    }
    item.error(*error);
    return std::nullopt;
  }
  std::string hosts;
  bool covered = false;
  for (const std::string& vs_host : context.hosts) {
    covered = covered || isSubsetOf(*text, vs_host);
    hosts += (hosts.empty() ? "" : ", ") + vs_host;
  }
  if (!covered) {
    item.error("SNI host \"" + *text +
               "\" is not a compatible subset of any of the virtual service hosts: [" + hosts +
               "]");
    return std::nullopt;
  }
  if (text->starts_with('*') && *text != "*" && !text->starts_with("*.")) {
    item.warning("SNI host \"" + *text +
                 "\" never matches: Envoy reads a wildcard only as a whole first label "
                 "(\"*.example.com\"), so this is a literal name no client sends");
  }
  return lowerCase(*text);
}

// What a match block says, for finding duplicates (Istio compares the blocks'
// JSON).
std::optional<std::string> matchIdentity(const L4MatchSpec& match) {
  std::string key = "port=" + std::to_string(match.port) + ";gateways=";
  for (const Located<std::string>& gateway : match.gateways) {
    key += gateway.value + ",";
  }
  key += ";destinationSubnets=";
  for (const IpPrefix& subnet : match.destination_subnets) {
    key += toString(subnet) + ",";
  }
  key += ";sourceSubnet=" + (match.source_subnet ? toString(*match.source_subnet) : "");
  key += ";sniHosts=";
  for (const Located<std::string>& host : match.sni_hosts) {
    key += host.value + ",";
  }
  key += ";sourceLabels=";
  for (const auto& [label, value] : match.source_labels) {
    key += label + "=" + value + ",";
  }
  key += ";sourceNamespace=" + match.source_namespace;
  return key;
}

struct ParsedMatch {
  L4MatchSpec spec;
  std::optional<std::string> identity;
};

ParsedMatch parseMatch(const FieldReader& item, const RuleContext& context, bool tls) {
  ParsedMatch parsed;
  L4MatchSpec& match = parsed.spec;
  match.at = item.where();
  if (!item.present()) {
    item.error(tls ? "TLS match may not be null" : "tcp match may not be nil");
    return parsed;
  }
  if (!item.expectMap()) {
    return parsed;
  }
  item.checkFields(tls ? known_fields::kTlsMatch : known_fields::kL4Match);
  // Port 0 is proto3's unset value: any port.
  const FieldReader port = item.field("port");
  if (const std::optional<int64_t> number = port.integer(); number && *number != 0) {
    if (*number < 1 || *number > 65535) {
      port.error("port number " + std::to_string(*number) + " must be in the range 1..65535");
    } else {
      match.port = static_cast<uint16_t>(*number);
    }
  }
  match.gateways = parseGatewayRefs(item.field("gateways"), context.ns);
  for (const FieldReader& subnet : item.field("destinationSubnets").items()) {
    if (std::optional<IpPrefix> prefix = readSubnet(subnet)) {
      match.destination_subnets.push_back(*prefix);
    }
  }
  // Istio checks sourceLabels as labels (labels.Instance.Validate).
  match.source_labels = readLabels(item.field("sourceLabels"));
  match.source_namespace = item.field("sourceNamespace").string().value_or("");
  if (!tls) {
    match.source_subnet = readSubnet(item.field("sourceSubnet"));
  } else {
    const FieldReader sni_hosts = item.field("sniHosts");
    const std::vector<FieldReader> hosts = sni_hosts.items();
    if (hosts.empty() && (!sni_hosts.present() || sni_hosts.isList())) {
      sni_hosts.error("TLS match must have at least one SNI host");
    }
    for (const FieldReader& host : hosts) {
      if (std::optional<std::string> name = readSniHost(host, context)) {
        match.sni_hosts.push_back(locate(std::move(*name), host));
      }
    }
  }
  parsed.identity = matchIdentity(match);
  return parsed;
}

struct ParsedRule {
  TcpRuleSpec spec;
  bool has_match_list = false;  // `match` written with at least one block
  std::vector<std::optional<std::string>> match_identities;
  std::vector<FieldReader> match_readers;
};

ParsedRule parseRule(const FieldReader& item, size_t index, bool tls,
                     const RuleContext& context) {
  ParsedRule parsed;
  TcpRuleSpec& rule = parsed.spec;
  rule.index = index;
  rule.tls = tls;
  rule.at = item.where();
  if (!item.expectMap()) {
    return parsed;
  }
  item.checkFields(tls ? known_fields::kTlsRoute : known_fields::kTcpRoute);
  const FieldReader match_list = item.field("match");
  const std::vector<FieldReader> matches = match_list.items();
  if (tls && matches.empty() && (!match_list.present() || match_list.isList())) {
    match_list.error("TLS route must have at least one match condition");
  }
  parsed.has_match_list = !matches.empty();
  for (const FieldReader& match : matches) {
    ParsedMatch block = parseMatch(match, context, tls);
    parsed.match_identities.push_back(std::move(block.identity));
    parsed.match_readers.push_back(match);
    rule.matches.push_back(std::move(block.spec));
  }
  rule.route = parseRoute(item.field("route"), context.ns, tls);
  return parsed;
}

// Istio's analyzeUnreachable{TCP,TLS}Rules: with first-match-wins, a rule after
// one without matches, and a match block equal to an earlier one, are never used.
// Warnings, as in Istio; Weir keeps the rules (they are harmless).
void warnUnreachable(const std::vector<FieldReader>& items,
                     const std::vector<ParsedRule>& rules) {
  std::map<std::string, size_t> seen;  // match identity -> first rule with it
  std::optional<size_t> catch_all;
  for (const ParsedRule& rule : rules) {
    const std::string rule_name = "#" + std::to_string(rule.spec.index);
    const auto unused = [&](const std::string& reason) {
      items[rule.spec.index].warning("virtualService rule " + rule_name + " not used (" +
                                     reason + ")");
    };
    if (!rule.has_match_list) {
      if (catch_all) {
        unused("only the last rule can have no matches");
      }
      catch_all = rule.spec.index;
      continue;
    }
    if (catch_all) {
      // Istio says this once per match block; once per rule says the same.
      unused("route without matches defined before");
      continue;
    }
    size_t duplicates = 0;
    for (size_t m = 0; m < rule.match_identities.size(); ++m) {
      const std::optional<std::string>& identity = rule.match_identities[m];
      if (!identity) {
        continue;
      }
      const auto [it, inserted] = seen.emplace(*identity, rule.spec.index);
      if (!inserted) {
        ++duplicates;
        rule.match_readers[m].warning("virtualService rule " + rule_name + " match #" +
                                      std::to_string(m) +
                                      " is not used (duplicate/overlapping match in rule #" +
                                      std::to_string(it->second) + ")");
      }
    }
    if (duplicates == rule.match_identities.size()) {
      unused("all matches used by prior rules");
    }
  }
}

std::vector<TcpRuleSpec> parseRules(const std::vector<FieldReader>& items, bool tls,
                                    const RuleContext& context) {
  std::vector<ParsedRule> parsed;
  for (size_t i = 0; i < items.size(); ++i) {
    if (!items[i].present()) {
      // Istio's validation and its gateway pass over a null rule.
      items[i].warning(std::string("a null ") + (tls ? "tls" : "tcp") +
                       " rule does nothing; ignored");
      continue;
    }
    parsed.push_back(parseRule(items[i], i, tls, context));
  }
  warnUnreachable(items, parsed);
  std::vector<TcpRuleSpec> rules;
  for (ParsedRule& rule : parsed) {
    rules.push_back(std::move(rule.spec));
  }
  return rules;
}

bool hasItems(const FieldReader& list) { return list.isList() && !list.items().empty(); }

// Istio's isSniHost: some tls match block names SNI hosts.
bool matchesOnSni(const FieldReader& tls) {
  if (!tls.isList()) {
    return false;
  }
  for (const FieldReader& rule : tls.items()) {
    const FieldReader matches = rule.field("match");
    if (!matches.isList()) {
      continue;
    }
    for (const FieldReader& match : matches.items()) {
      if (hasItems(match.field("sniHosts"))) {
        return true;
      }
    }
  }
  return false;
}

// Istio's checks of spec.hosts. A VirtualService bound to gateways (and not also
// to "mesh") may name Istio's auto-generated SNI hosts when it matches on SNI; one
// for the mesh may not be "*". IP addresses are accepted everywhere. Duplicates
// (overlapping wildcards included) are checked once every host is valid.
void parseHosts(const std::vector<FieldReader>& items, bool bound_to_gateway, bool sni,
                VirtualServiceObject& vs, RuleContext& context) {
  bool all_valid = true;
  std::vector<std::pair<std::string, const FieldReader*>> written;
  for (const FieldReader& item : items) {
    std::optional<std::string> host = item.string();
    if (!host) {
      if (!item.present()) {
        item.error("expected a string, got a null value");
      }
      continue;
    }
    context.hosts.push_back(*host);
    written.emplace_back(*host, &item);
    const std::optional<std::string> error =
        bound_to_gateway ? gatewayBoundHostError(*host, sni) : wildcardDomainError(*host);
    if (error && !isIpAddress(*host)) {
      item.error(*error);
      all_valid = false;
      continue;
    }
    if (!error && !bound_to_gateway && *host == "*") {
      item.error("wildcard host * is not allowed for virtual services bound to the mesh gateway");
      all_valid = false;
      continue;
    }
    vs.hosts.push_back(locate(std::move(*host), item));
  }
  if (!all_valid) {
    return;
  }
  for (size_t i = 0; i < written.size(); ++i) {
    for (size_t j = i + 1; j < written.size(); ++j) {
      if (hostsMatch(written[i].first, written[j].first)) {
        written[j].second->error("duplicate hosts in virtual service: " + written[i].first +
                                 " & " + written[j].first);
      }
    }
  }
}

}  // namespace

VirtualServiceObject parseVirtualService(const FieldReader& spec, ObjectMeta meta) {
  VirtualServiceObject vs;
  vs.meta = std::move(meta);
  RuleContext context;
  context.ns = vs.meta.namespace_name;
  spec.checkFields(known_fields::kVirtualServiceSpec);

  const FieldReader gateways = spec.field("gateways");
  vs.gateways_at = gateways.where();
  vs.gateways = parseGatewayRefs(gateways, context.ns);
  context.mesh_listed = std::any_of(
      vs.gateways.begin(), vs.gateways.end(),
      [](const Located<std::string>& gateway) { return gateway.value == kMeshGateway; });
  vs.lists_gateways = hasItems(gateways);
  const bool bound_to_gateway = vs.lists_gateways && !context.mesh_listed;

  const FieldReader tcp = spec.field("tcp");
  const FieldReader tls = spec.field("tls");
  const FieldReader hosts = spec.field("hosts");
  const std::vector<FieldReader> host_items = hosts.items();
  if (host_items.empty() && (!hosts.present() || hosts.isList())) {
    // A delegate: only the http routes of other VirtualServices use it.
    for (const auto& [field, what] : {std::pair{gateways, "gateways"}, std::pair{tls, "tls route"},
                                      std::pair{tcp, "tcp route"}}) {
      if (hasItems(field)) {
        field.error(std::string("delegate virtual service must have no ") + what + " specified");
      }
    }
  }
  parseHosts(host_items, bound_to_gateway, matchesOnSni(tls), vs, context);

  const std::vector<FieldReader> tcp_rules = tcp.items();
  const std::vector<FieldReader> tls_rules = tls.items();
  const bool tcp_is_list_or_absent = !tcp.present() || tcp.isList();
  const bool tls_is_list_or_absent = !tls.present() || tls.isList();
  if (tcp_rules.empty() && tcp_is_list_or_absent && tls_rules.empty() &&
      tls_is_list_or_absent && !hasItems(spec.field("http"))) {
    tcp.error("http, tcp or tls must be provided in virtual service");
  }
  vs.tls = parseRules(tls_rules, true, context);
  vs.tcp = parseRules(tcp_rules, false, context);

  checkExportTo(spec.field("exportTo"), context.ns, ExportToOwner::kVirtualService);
  return vs;
}

}  // namespace weir::config
