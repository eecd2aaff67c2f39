// WorkloadEntry: one workload's address, ports and labels, inline in a ServiceEntry
// or as an object of its own that ServiceEntries select by labels.
#include "config/workload_entry_parser.h"

#include "config/host_names.h"
#include "config/known_fields.h"
#include "config/object_parsers.h"
#include "config/unix_address.h"

namespace weir::config {

EndpointSpec readWorkloadEntry(const FieldReader& item, EndpointAddressRule rule,
                               const std::set<std::string>* service_ports) {
  EndpointSpec endpoint;
  endpoint.address.at = item.where();
  item.checkFields(known_fields::kWorkloadEntry);

  const FieldReader ports = item.field("ports");
  const std::vector<std::pair<std::string, FieldReader>> port_entries = ports.entries();
  const FieldReader address = item.field("address");
  if (!address.present()) {
    address.error("address is required");
  } else if (std::optional<std::string> value = address.string()) {
    // Istio's validateWorkloadEntry takes unix:// for STATIC endpoints and standalone
    // WorkloadEntries; a DNS ServiceEntry's endpoints must be IPs or FQDNs.
    const bool unix_allowed = rule == EndpointAddressRule::kIp || service_ports == nullptr;
    if (unix_allowed && isUnixAddress(*value)) {
      const std::optional<std::string> error = unixAddressError(unixSocketPath(*value));
      if (error) {
        address.error(*error);
      } else if (!port_entries.empty()) {
        ports.error("unix endpoint " + *value + " must not include ports");
      } else if (service_ports != nullptr && service_ports->size() != 1) {
        address.error("exactly 1 service port required for unix endpoints");
      } else {
        endpoint.address = locate(*value, address);
      }
    } else if (rule == EndpointAddressRule::kIp && !isIpAddress(*value)) {
      address.error("endpoint address \"" + *value + "\" is not a valid IP address");
    } else if (rule == EndpointAddressRule::kIpOrFqdn && !isIpAddress(*value) &&
               fqdnError(*value)) {
      address.error("endpoint address \"" + *value + "\" is not a valid FQDN or an IP address");
    } else {
      endpoint.address = locate(*value, address);
    }
  }

  for (const auto& [name, port] : port_entries) {
    const std::optional<uint16_t> number = readPortNumber(port);
    if (!number) {
      continue;
    }
    if (service_ports != nullptr && !service_ports->contains(name)) {
      port.error("endpoint port " + std::to_string(*number) +
                 " is not defined by the service entry");
      continue;
    }
    if (service_ports == nullptr && !isDns1123Label(name)) {
      port.error("invalid port name: " + name);
      continue;
    }
    endpoint.ports[name] = *number;
  }

  endpoint.labels = readStringMap(item.field("labels"));

  const FieldReader weight = item.field("weight");
  if (std::optional<int64_t> value = weight.integer()) {
    if (*value < 0) {
      weight.error("weight " + std::to_string(*value) + " < 0");
    } else if (*value > 0xffffffffLL) {
      weight.error("weight " + std::to_string(*value) + " is too large (max 4294967295)");
    } else if (*value > 0) {  // 0 means unset, as in Istio: weight 1
      endpoint.weight = static_cast<uint32_t>(*value);
    }
  }
  return endpoint;
}

WorkloadEntryObject parseWorkloadEntry(const FieldReader& spec, ObjectMeta meta) {
  WorkloadEntryObject entry;
  entry.meta = std::move(meta);
  entry.endpoint = readWorkloadEntry(spec, EndpointAddressRule::kIpOrFqdn, nullptr);
  return entry;
}

}  // namespace weir::config
