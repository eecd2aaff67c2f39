// One parser per Istio kind. Each reads the `spec` of one object whose metadata has
// already been read, reports every problem through the reader's Diagnostics, and
// returns what it could read (see istio_objects.h for how invalid values look).
#pragma once

#include "config/field_reader.h"
#include "config/istio_objects.h"

namespace weir::config {

GatewayObject parseGateway(const FieldReader& spec, ObjectMeta meta);
VirtualServiceObject parseVirtualService(const FieldReader& spec, ObjectMeta meta);
DestinationRuleObject parseDestinationRule(const FieldReader& spec, ObjectMeta meta);
ServiceEntryObject parseServiceEntry(const FieldReader& spec, ObjectMeta meta);
WorkloadEntryObject parseWorkloadEntry(const FieldReader& spec, ObjectMeta meta);

}  // namespace weir::config
