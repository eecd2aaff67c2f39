// Reading a WorkloadEntry: an inline ServiceEntry endpoint or the spec of a
// standalone WorkloadEntry object (parseWorkloadEntry, object_parsers.h). Both have
// the same fields (address, ports, labels, weight, …) and Istio checks them alike.
#pragma once

#include <set>
#include <string>

#include "config/field_reader.h"
#include "config/istio_objects.h"

namespace weir::config {

// What `address` may be: a ServiceEntry with resolution STATIC needs IP addresses,
// one with DNS (and a standalone WorkloadEntry) also takes host names; kUnchecked
// when the ServiceEntry's resolution is itself invalid (already reported).
enum class EndpointAddressRule { kIp, kIpOrFqdn, kUnchecked };

// `service_ports`: the port names of the ServiceEntry an inline endpoint belongs
// to, which its `ports` keys must be; nullptr for a standalone WorkloadEntry, whose
// port names need only be valid names (Istio cannot know which ServiceEntry will
// select it). Reports every problem; a bad address leaves the address empty.
EndpointSpec readWorkloadEntry(const FieldReader& item, EndpointAddressRule rule,
                               const std::set<std::string>* service_ports);

}  // namespace weir::config
