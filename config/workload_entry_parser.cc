// WorkloadEntry: one workload's address, ports and labels, inline in a ServiceEntry
// or as an object of its own that ServiceEntries select by labels.
#include "config/workload_entry_parser.h"

#include "config/host_names.h"
#include "config/known_fields.h"
#include "config/labels.h"
#include "config/object_parsers.h"
#include "config/unix_address.h"

namespace weir::config {

std::optional<uint16_t> readServicePortNumber(const FieldReader& number) {
  const std::optional<int64_t> value = number.integer();
  if (!value) {
    return std::nullopt;
  }
  if (*value < 1 || *value > 65535) {
    number.error("port number " + std::to_string(*value) +
                 " must be in the range 1..65535 (CRD: port must be between 1-65535)");
    return std::nullopt;
  }
  return static_cast<uint16_t>(*value);
}

EndpointSpec readWorkloadEntry(const FieldReader& item, EndpointAddressRule rule,
                               const std::set<std::string>* service_ports) {
  EndpointSpec endpoint;
  endpoint.address.at = item.where();
  item.checkFields(known_fields::kWorkloadEntry);

  const FieldReader ports = item.field("ports");
  const std::vector<std::pair<std::string, FieldReader>> port_entries = ports.entries();
  const FieldReader address = item.field("address");
  const std::optional<std::string> network = item.field("network").string();
  const std::optional<std::string> written = address.string();
  if (rule == EndpointAddressRule::kDnsEndpoint) {
    // Istio's DNS branch: an IP address or a host name, however the entry is written.
    const std::string value = written.value_or("");
    if (address.present() && !written) {
      // a type error, reported
    } else if (!isIpAddress(value) && fqdnError(value)) {
      address.error("endpoint address \"" + value + "\" is not a valid FQDN or an IP address");
    } else {
      endpoint.address = locate(value, address);
    }
  } else if (!address.present() || written == "") {
    if (network.value_or("").empty()) {
      address.error("address is required (CRD: Address is required)");
    } else {
      item.warning("address is unset with network \"" + *network +
                   "\"; the entry stands for that network's gateway and is skipped");
    }
  } else if (std::optional<std::string> value = written) {
    // Istio's validateWorkloadEntry takes unix:// for STATIC endpoints and standalone
    // WorkloadEntries (a DNS ServiceEntry's endpoints are handled above). Where the
    // CRD's own rule words it differently, both are given.
    const bool unix_allowed = rule == EndpointAddressRule::kIp || service_ports == nullptr;
    if (unix_allowed && isUnixAddress(*value)) {
      const std::string_view path = unixSocketPath(*value);
      if (const std::optional<std::string> error = unixAddressError(path)) {
        const std::string crd = path.ends_with("/") && path.starts_with("/")
                                    ? " (CRD: UDS may not be a dir)"
                                    : path.empty() ? ""
                                                   : " (CRD: UDS must be an absolute path or abstract socket)";
        address.error(*error + crd);
      } else if (!port_entries.empty()) {
        ports.error("unix endpoint " + *value +
                    " must not include ports (CRD: UDS may not include ports)");
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
    const std::optional<uint16_t> number = readServicePortNumber(port);
    bool usable = number.has_value();
    if (service_ports != nullptr && !service_ports->contains(name)) {
      if (number) {  // else the port's own error says enough
        port.error("endpoint port " + std::to_string(*number) +
                   " is not defined by the service entry");
      }
      usable = false;
    }
    if (!isDns1123Label(name)) {
      ports.entryKey(name).error("invalid port name: " + name +
                                 " (CRD: port name must be valid)");
      usable = false;
    }
    if (usable) {
      endpoint.ports[name] = *number;
    }
  }

  endpoint.labels = readLabels(item.field("labels"));

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
  item.field("locality").string();
  item.field("serviceAccount").string();
  return endpoint;
}

WorkloadEntryObject parseWorkloadEntry(const FieldReader& spec, ObjectMeta meta) {
  WorkloadEntryObject entry;
  entry.meta = std::move(meta);
  entry.endpoint = readWorkloadEntry(spec, EndpointAddressRule::kIpOrFqdn, nullptr);
  return entry;
}

}  // namespace weir::config
