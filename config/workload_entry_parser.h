// Reading a WorkloadEntry: an inline ServiceEntry endpoint or the spec of a
// standalone WorkloadEntry object (parseWorkloadEntry, object_parsers.h). Both have
// the same fields (address, ports, labels, weight, …) and Istio checks them alike.
#pragma once

#include <set>
#include <string>

#include "config/field_reader.h"
#include "config/istio_objects.h"

namespace weir::config {

// What `address` may be, as Istio checks it:
// - kIp: an endpoint of a ServiceEntry with resolution STATIC: an IP address (or a
//   unix socket);
// - kIpOrFqdn: a standalone WorkloadEntry, which may also have a host name;
// - kDnsEndpoint: an endpoint of a ServiceEntry with resolution DNS or
//   DNS_ROUND_ROBIN: an IP address or a host name, nothing else, and required;
// - kUnchecked: the ServiceEntry's resolution is itself invalid (already reported).
// Except for kDnsEndpoint, an entry without address but with a `network` is valid
// (Istio warns, and the entry is skipped: it stands for a remote network's gateway).
enum class EndpointAddressRule { kIp, kIpOrFqdn, kDnsEndpoint, kUnchecked };

// `service_ports`: the port names of the ServiceEntry an inline endpoint belongs
// to, which its `ports` keys must be; nullptr for a standalone WorkloadEntry, whose
// port names need only be valid names (Istio cannot know which ServiceEntry will
// select it). Reports every problem; a bad or missing address leaves it empty.
EndpointSpec readWorkloadEntry(const FieldReader& item, EndpointAddressRule rule,
                               const std::set<std::string>* service_ports);

// A port number of a ServiceEntry or a workload, 1..65535, refused in Istio's words
// and the CRD's: "port number 99999 must be in the range 1..65535 (CRD: port must
// be between 1-65535)".
std::optional<uint16_t> readServicePortNumber(const FieldReader& number);

}  // namespace weir::config
