// ServiceEntry: where a host's workloads are (endpoints, ports, labels).
#include <set>

#include "config/host_names.h"
#include "config/known_fields.h"
#include "config/object_parsers.h"
#include "config/protocols.h"
#include "config/workload_entry_parser.h"

namespace weir::config {
namespace {

using LabelMap = std::map<std::string, std::string>;

struct PortsResult {
  std::vector<ServicePortSpec> ports;
  bool all_http_or_tls = true;  // for Istio's multiple-hosts check
};

PortsResult parsePorts(const FieldReader& ports) {
  PortsResult result;
  if (!ports.present()) {
    ports.reportMissing();
    return result;
  }
  const std::vector<FieldReader> items = ports.items();
  if (ports.isList() && items.empty()) {
    ports.error("service entry must have at least one port");
  }
  std::set<std::string> names;
  std::set<uint16_t> numbers;
  for (const FieldReader& item : items) {
    if (!item.present()) {
      item.error("service entry port may not be null");
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
      number.reportMissing();
    } else if (std::optional<uint16_t> value = readPortNumber(number)) {
      port.number = *value;
      if (!numbers.insert(*value).second) {
        number.error("service entry port " + std::to_string(*value) + " already defined");
      }
    }

    const FieldReader name = item.field("name");
    if (std::optional<std::string> value = name.requiredString()) {
      port.name = *value;
      if (!isDns1123Label(*value)) {
        name.error("invalid port name: " + *value);
      } else if (!names.insert(*value).second) {
        name.error("service entry port name \"" + *value + "\" already defined");
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
    result.all_http_or_tls = result.all_http_or_tls && isHttpOrTlsProtocol(normalized);

    const FieldReader target_port = item.field("targetPort");
    if (target_port.present()) {
      port.target_port = readPortNumber(target_port).value_or(0);
    }
    result.ports.push_back(std::move(port));
  }
  return result;
}

std::optional<EndpointResolution> parseResolution(const FieldReader& resolution) {
  const std::optional<std::string> value =
      resolution.present() ? resolution.string() : std::optional<std::string>("NONE");
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
  if (*value == "NONE" || *value == "DYNAMIC_DNS") {
    resolution.warning("resolution " + *value +
                       ": a gateway has no original destination to send to, so connections "
                       "routed to this ServiceEntry are closed (upstream_cx_none_healthy)");
    return *value == "NONE" ? EndpointResolution::kNone : EndpointResolution::kDynamicDns;
  }
  resolution.error("unsupported resolution type " + *value);
  return std::nullopt;
}

}  // namespace

ServiceEntryObject parseServiceEntry(const FieldReader& spec, ObjectMeta meta) {
  ServiceEntryObject entry;
  entry.meta = std::move(meta);
  spec.checkFields(known_fields::kServiceEntrySpec);

  const FieldReader hosts = spec.field("hosts");
  const std::vector<FieldReader> host_items = hosts.items();
  if (!hosts.present()) {
    hosts.reportMissing();
  } else if (hosts.isList() && host_items.empty()) {
    hosts.error("service entry must have at least one host");
  }
  for (const FieldReader& item : host_items) {
    const std::optional<std::string> host = item.string();
    if (!host) {
      if (!item.present()) {
        item.error("expected a string, got a null value");
      }
      continue;
    }
    if (*host == "*") {
      item.error("invalid host *");
    } else if (std::optional<std::string> error = wildcardDomainError(*host)) {
      item.error(*error);
    } else {
      entry.hosts.push_back(ServiceHostSpec{canonicalHost(*host, entry.meta.namespace_name),
                                            *host, item.where()});
    }
  }

  const PortsResult ports = parsePorts(spec.field("ports"));
  entry.ports = ports.ports;
  std::set<std::string> port_names;
  for (const ServicePortSpec& port : entry.ports) {
    port_names.insert(port.name);
  }

  const FieldReader location = spec.field("location");
  if (std::optional<std::string> value = location.string()) {
    if (*value != "MESH_EXTERNAL" && *value != "MESH_INTERNAL") {
      location.error("invalid location \"" + *value +
                     "\", expected MESH_EXTERNAL or MESH_INTERNAL");
    }
  }

  const std::optional<EndpointResolution> resolution =
      parseResolution(spec.field("resolution"));
  entry.resolution = resolution.value_or(EndpointResolution::kStatic);

  const EndpointAddressRule address_rule =
      !resolution                                   ? EndpointAddressRule::kUnchecked
      : *resolution == EndpointResolution::kStatic ? EndpointAddressRule::kIp
                                                    : EndpointAddressRule::kIpOrFqdn;
  const FieldReader endpoints = spec.field("endpoints");
  if (resolution == EndpointResolution::kNone && !endpoints.items().empty()) {
    endpoints.error("no endpoints should be provided for resolution type none");
  }
  for (const FieldReader& item : endpoints.items()) {
    if (!item.present()) {
      item.error("endpoint cannot be nil");
      continue;
    }
    if (item.expectMap()) {
      entry.endpoints.push_back(readWorkloadEntry(item, address_rule, &port_names));
    }
  }

  // workloadSelector: standalone WorkloadEntries instead of `endpoints`.
  const FieldReader selector = spec.field("workloadSelector");
  entry.workload_selector_at = selector.where();
  if (selector.expectMap()) {
    selector.checkFields(known_fields::kServiceEntryWorkloadSelector);
    const FieldReader labels = selector.field("labels");
    entry.workload_selector = readStringMap(labels);
    if (endpoints.present()) {
      selector.error("only one of WorkloadSelector or Endpoints is allowed in Service Entry");
      entry.workload_selector.reset();  // keep the endpoints, so no follow-on errors
    }
    if (entry.workload_selector && entry.workload_selector->empty()) {
      selector.warning(
          "service entry: workload selector specified without labels, will be applied to all "
          "services in namespace");
    }
    for (const auto& [key, value] : entry.workload_selector.value_or(LabelMap{})) {
      if (key.find('*') != std::string::npos || value.find('*') != std::string::npos) {
        labels.field(key).error("wildcard is not supported in selector: \"" + key + "=" +
                                value + "\"");
      }
    }
  }

  if ((resolution == EndpointResolution::kDns ||
       resolution == EndpointResolution::kDnsRoundRobin) &&
      entry.endpoints.empty()) {
    for (const ServiceHostSpec& host : entry.hosts) {
      if (fqdnError(host.written)) {
        spec.field("hosts").error(
            "hosts must be FQDN if no endpoints are provided for resolution mode DNS");
        break;
      }
    }
  }
  // Plain TCP cannot tell several hosts apart on one port (Istio's check).
  if (resolution && entry.hosts.size() > 1 && !entry.ports.empty() && !ports.all_http_or_tls) {
    hosts.error("multiple hosts provided with non-HTTP, non-TLS ports");
  }
  return entry;
}

}  // namespace weir::config
