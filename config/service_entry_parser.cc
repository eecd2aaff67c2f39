// ServiceEntry: where a host's workloads are (endpoints, ports, labels).
//
// Validation follows Istio's ValidateServiceEntry, in its words; where the CRD
// schema words the same refusal differently, its words follow in parentheses.
#include <set>

#include "config/export_to.h"
#include "config/host_names.h"
#include "config/ip_prefix.h"
#include "config/known_fields.h"
#include "config/labels.h"
#include "config/object_parsers.h"
#include "config/protocols.h"
#include "config/workload_entry_parser.h"

namespace weir::config {
namespace {

struct PortsResult {
  std::vector<ServicePortSpec> ports;
  std::set<std::string> names;
  bool any_null = false;
  bool any_tcp = false;             // TCP, TLS, HTTPS, Mongo, Redis or MySQL
  bool any_not_http_or_tls = false; // for Istio's multiple-hosts check
  bool any_not_dynamic_dns = false; // not HTTP, TLS, GRPC or HTTP2
  FieldRef first_not_dynamic_dns;
};

// Istio's protocol.Instance.IsTCP: the protocols Envoy proxies as TCP.
bool isTcpProtocol(const std::string& normalized) {
  return normalized == "TCP" || normalized == "HTTPS" || normalized == "TLS" ||
         normalized == "MONGO" || normalized == "REDIS" || normalized == "MYSQL";
}

// `ports` is optional: a ServiceEntry without ports says which hosts exist, not how
// to reach them.
PortsResult parsePorts(const FieldReader& ports) {
  PortsResult result;
  std::set<uint16_t> numbers;
  for (const FieldReader& item : ports.items()) {
    if (!item.present()) {
      item.error("service entry port may not be null");
      result.any_null = true;
      continue;
    }
    if (!item.expectMap()) {
      continue;
    }
    item.checkFields(known_fields::kServicePort);
    ServicePortSpec port;
    port.at = item.where();

    const FieldReader number = item.field("number");
    if (!number.present()) {
      number.error("port number 0 must be in the range 1..65535 (CRD: " + number.path() +
                   ": Required value)");
    } else if (std::optional<uint16_t> value = readServicePortNumber(number)) {
      port.number = *value;
      if (!numbers.insert(*value).second) {
        number.error("service entry port " + std::to_string(*value) +
                     " already defined (CRD: port number cannot be duplicated)");
      }
    }

    const FieldReader name = item.field("name");
    if (!name.present()) {
      name.error("invalid port name:  (CRD: " + name.path() + ": Required value)");
    } else if (std::optional<std::string> value = name.string()) {
      port.name = *value;
      if (!result.names.insert(*value).second) {
        name.error("service entry port name \"" + *value +
                   "\" already defined (CRD: Duplicate value)");
      }
      if (!isDns1123Label(*value)) {
        name.error("invalid port name: " + *value);
      }
    }

    const FieldReader protocol = item.field("protocol");
    std::string normalized;
    if (std::optional<std::string> value = protocol.string()) {
      normalized = normalizeProtocol(*value);
      if (!value->empty() && !isIstioProtocol(normalized)) {
        protocol.error("unsupported protocol: " + *value);
      }
    }
    result.any_tcp = result.any_tcp || isTcpProtocol(normalized);
    result.any_not_http_or_tls = result.any_not_http_or_tls || !isHttpOrTlsProtocol(normalized);
    if (normalized != "HTTP" && normalized != "TLS" && normalized != "GRPC" &&
        normalized != "HTTP2" && !result.any_not_dynamic_dns) {
      result.any_not_dynamic_dns = true;
      result.first_not_dynamic_dns = protocol.where();
    }

    // targetPort 0 is proto3's "unset".
    const FieldReader target_port = item.field("targetPort");
    if (const std::optional<int64_t> value = target_port.integer(); value && *value != 0) {
      if (*value < 1 || *value > 65535) {
        target_port.error("port number " + std::to_string(*value) +
                          " must be in the range 1..65535 (CRD: port must be between 1-65535)");
      } else {
        port.target_port = static_cast<uint16_t>(*value);
      }
    }
    result.ports.push_back(std::move(port));
  }
  return result;
}

// Absent means NONE, the proto's zero value.
std::optional<EndpointResolution> parseResolution(const FieldReader& resolution) {
  const std::optional<std::string> value = resolution.string();
  if (!resolution.present()) {
    return EndpointResolution::kNone;
  }
  if (!value) {
    return std::nullopt;
  }
  if (*value == "STATIC") {
    return EndpointResolution::kStatic;
  }
  if (*value == "DNS") {
    return EndpointResolution::kDns;
  }
  if (*value == "DNS_ROUND_ROBIN") {
    return EndpointResolution::kDnsRoundRobin;
  }
  if (*value == "NONE") {
    return EndpointResolution::kNone;
  }
  if (*value == "DYNAMIC_DNS") {
    return EndpointResolution::kDynamicDns;
  }
  resolution.error("unsupported resolution type " + *value);
  return std::nullopt;
}

std::string resolutionName(EndpointResolution resolution) {
  switch (resolution) {
    case EndpointResolution::kStatic:
      return "STATIC";
    case EndpointResolution::kDns:
      return "DNS";
    case EndpointResolution::kDnsRoundRobin:
      return "DNS_ROUND_ROBIN";
    case EndpointResolution::kNone:
      return "NONE";
    case EndpointResolution::kDynamicDns:
      return "DYNAMIC_DNS";
  }
  return "";
}

struct HostsResult {
  std::vector<ServiceHostSpec> hosts;
  size_t written = 0;  // entries in the list, valid or not
};

HostsResult parseHosts(const FieldReader& hosts, const ObjectMeta& meta,
                       std::optional<EndpointResolution> resolution) {
  HostsResult result;
  const std::vector<FieldReader> items = hosts.items();
  result.written = items.size();
  if (!hosts.present()) {
    hosts.error("service entry must have at least one host (CRD: " + hosts.path() +
                ": Required value)");
  } else if (hosts.isList() && items.empty()) {
    hosts.error("service entry must have at least one host");
  }
  for (const FieldReader& item : items) {
    const std::optional<std::string> host = item.string();
    if (!host) {
      if (!item.present()) {
        item.error("expected a string, got a null value");
      }
      continue;
    }
    if (*host == "*") {
      item.error("invalid host * (CRD: hostname cannot be wildcard)");
      continue;
    }
    if (std::optional<std::string> error = wildcardDomainError(*host)) {
      item.error(*error);
      continue;
    }
    // Istio's ValidatePartialWildCard, a warning except for DYNAMIC_DNS.
    if (host->find('*') != std::string::npos && !host->starts_with("*.") &&
        resolution != EndpointResolution::kDynamicDns) {
      item.warning("partial wildcard \"" + *host + "\" not allowed");
    }
    result.hosts.push_back(
        ServiceHostSpec{canonicalHost(*host, meta.namespace_name), *host, item.where()});
  }
  return result;
}

// `addresses`: the service's virtual IPs (a sidecar's capture addresses), IPs or
// CIDR blocks. Nothing for a gateway; checked as Istio does. True when one is a CIDR
// block.
bool checkAddresses(const FieldReader& addresses) {
  bool cidr = false;
  for (const FieldReader& item : addresses.items()) {
    const std::optional<std::string> text = item.string();
    if (!text) {
      continue;
    }
    cidr = cidr || text->find('/') != std::string::npos;
    if (const auto parsed = parseIpPrefix(*text);
        std::holds_alternative<std::string>(parsed)) {
      item.error(std::get<std::string>(parsed));
    }
  }
  return cidr;
}

// The checks that only apply to DYNAMIC_DNS, Envoy's dynamic forward proxy.
void checkDynamicDns(const FieldReader& spec, const ObjectMeta& meta, const HostsResult& hosts,
                     const PortsResult& ports) {
  const std::string mode = "resolution type DYNAMIC_DNS";
  const FieldReader hosts_field = spec.field("hosts");
  if (hosts.written == 0) {
    hosts_field.error("at least one wildcard host must be provided for " + mode);
  }
  for (const ServiceHostSpec& host : hosts.hosts) {
    if (!host.written.starts_with('*')) {
      hosts_field.error("host must be wildcarded for resolution mode DYNAMIC_DNS");
      break;
    }
  }
  const FieldReader addresses = spec.field("addresses");
  if (!addresses.items().empty()) {
    addresses.error("addresses cannot be set for " + mode +
                    ". HTTP route domains will only be generatedfrom the hosts field values");
  }
  const FieldReader endpoints = spec.field("endpoints");
  if (!endpoints.items().empty()) {
    endpoints.error("endpoints cannot be set for " + mode +
                    ". Destination IP address determined from hostsfield values");
  }
  if (ports.any_null) {
    spec.field("ports").error("port cannot be nil");
  }
  if (ports.any_not_dynamic_dns) {
    spec.field("ports").error("only HTTP, TLS, GRPC, and HTTP2 protocols are supported for " +
                              mode);
  }
  // A MESH_INTERNAL entry's traffic would go through its waypoint, which cannot
  // forward dynamically.
  const FieldReader location = spec.field("location");
  const auto waypoint = meta.labels.find("istio.io/use-waypoint");
  if (location.string() == "MESH_INTERNAL" && waypoint != meta.labels.end() &&
      !waypoint->second.empty() && waypoint->second != "none" && waypoint->second != "None" &&
      waypoint->second != "NONE") {
    location.error("location MESH_INTERNAL with " + mode +
                   " is not supported when using waypoints");
  }
}

}  // namespace

ServiceEntryObject parseServiceEntry(const FieldReader& spec, ObjectMeta meta) {
  ServiceEntryObject entry;
  entry.meta = std::move(meta);
  spec.checkFields(known_fields::kServiceEntrySpec);

  const FieldReader resolution_field = spec.field("resolution");
  const std::optional<EndpointResolution> resolution = parseResolution(resolution_field);
  entry.resolution = resolution.value_or(EndpointResolution::kStatic);

  const HostsResult hosts = parseHosts(spec.field("hosts"), entry.meta, resolution);
  entry.hosts = hosts.hosts;

  const FieldReader addresses = spec.field("addresses");
  const bool cidr = checkAddresses(addresses);
  if (cidr && resolution && *resolution != EndpointResolution::kNone &&
      *resolution != EndpointResolution::kStatic) {
    addresses.error("CIDR addresses are allowed only for NONE/STATIC resolution types");
  }

  const PortsResult ports = parsePorts(spec.field("ports"));
  entry.ports = ports.ports;

  const FieldReader location = spec.field("location");
  if (std::optional<std::string> value = location.string()) {
    if (*value != "MESH_EXTERNAL" && *value != "MESH_INTERNAL") {
      location.error("invalid location \"" + *value +
                     "\", expected MESH_EXTERNAL or MESH_INTERNAL");
    }
  }
  readStringList(spec.field("subjectAltNames"));

  // workloadSelector: standalone WorkloadEntries instead of `endpoints`.
  const FieldReader endpoints = spec.field("endpoints");
  const std::vector<FieldReader> endpoint_items = endpoints.items();
  const FieldReader selector = spec.field("workloadSelector");
  entry.workload_selector_at = selector.where();
  if (selector.expectMap()) {
    selector.checkFields(known_fields::kServiceEntryWorkloadSelector);
    entry.workload_selector = readLabelSelector(selector.field("labels"));
    if (entry.workload_selector->empty()) {
      selector.warning(
          "service entry: workload selector specified without labels, will be applied to all "
          "services in namespace");
    }
    if (!endpoint_items.empty()) {
      selector.error(
          "only one of WorkloadSelector or Endpoints is allowed in Service Entry (CRD: only one "
          "of WorkloadSelector or Endpoints can be set)");
      entry.workload_selector.reset();  // keep the endpoints, so no follow-on errors
    }
  }

  if (resolution == EndpointResolution::kNone || resolution == EndpointResolution::kDynamicDns) {
    resolution_field.warning(
        "resolution " + resolutionName(*resolution) +
        ": Weir, like an Istio gateway, has no original destination to forward to, so "
        "connections routed to these hosts are closed (upstream_cx_none_healthy)");
  }
  if (resolution == EndpointResolution::kNone) {
    if (!endpoint_items.empty()) {
      endpoints.error(
          "no endpoints should be provided for resolution type none (CRD: NONE mode cannot set "
          "endpoints)");
    }
    if (selector.present()) {
      selector.warning("workloadSelector should not be set when resolution mode is NONE");
    }
  } else if (resolution == EndpointResolution::kDynamicDns) {
    checkDynamicDns(spec, entry.meta, hosts, ports);
  } else {
    const bool dns = resolution == EndpointResolution::kDns ||
                     resolution == EndpointResolution::kDnsRoundRobin;
    const EndpointAddressRule address_rule = !resolution ? EndpointAddressRule::kUnchecked
                                             : dns       ? EndpointAddressRule::kDnsEndpoint
                                                         : EndpointAddressRule::kIp;
    for (const FieldReader& item : endpoint_items) {
      if (!item.present()) {
        item.error("endpoint cannot be nil");
        continue;
      }
      if (item.expectMap()) {
        entry.endpoints.push_back(readWorkloadEntry(item, address_rule, &ports.names));
      }
    }
    if (dns && endpoint_items.empty()) {
      for (const ServiceHostSpec& host : entry.hosts) {
        if (std::optional<std::string> error = fqdnError(host.written)) {
          spec.field("hosts").error(
              "hosts must be FQDN or contain only prefix wildcards if no endpoints are provided "
              "for resolution mode " + resolutionName(*resolution) + ", " + *error);
          break;
        }
      }
    }
    if (resolution == EndpointResolution::kDnsRoundRobin && endpoint_items.size() > 1) {
      endpoints.error(
          "there must only be 0 or 1 endpoint for resolution mode DNS_ROUND_ROBIN (CRD: "
          "DNS_ROUND_ROBIN mode cannot have multiple endpoints)");
    }
    if (dns && !addresses.items().empty() && ports.any_tcp && hosts.written > 1) {
      addresses.warning(
          "service entry can not have more than one host specified simultaneously with address "
          "and tcp port");
    }
  }

  // Plain TCP cannot tell several hosts apart on one port; with NONE the hosts are
  // ignored (Istio's check).
  if (resolution && resolution != EndpointResolution::kNone && hosts.written > 1 &&
      (ports.any_not_http_or_tls || ports.any_null)) {
    spec.field("hosts").error(ports.any_null ? "ports cannot be nil"
                                             : "multiple hosts provided with non-HTTP, non-TLS "
                                               "ports");
  }
  entry.export_to = checkExportTo(spec.field("exportTo"), entry.meta.namespace_name,
                                  ExportToOwner::kServiceEntry);
  return entry;
}

}  // namespace weir::config
