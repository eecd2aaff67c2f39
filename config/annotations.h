// Weir's own settings, written as `weir.dev/` annotations in an object's
// metadata.annotations so that the YAML stays valid Istio (docs/behaviour.md,
// "Weir annotations"):
//   ServiceEntry, DestinationRule: weir.dev/health-check-interval (turns active
//     TCP health checks on), -timeout, -healthy-threshold, -unhealthy-threshold,
//     -send, -expect;
//   VirtualService: weir.dev/max-connect-attempts;
//   Gateway: weir.dev/max-connections.
// Values are Kubernetes annotation strings; plain YAML scalars (`3`) are read the
// same. Any other `weir.dev/` key, or a known one on another kind, is an error
// (typo protection, as for unknown fields); other prefixes are not Weir's and are
// ignored.
#pragma once

#include <string_view>

#include "config/field_reader.h"
#include "config/istio_objects.h"

namespace weir::config {

// Reads metadata.annotations of an object of `kind`, reporting every problem.
WeirAnnotations parseWeirAnnotations(const FieldReader& annotations, std::string_view kind);

}  // namespace weir::config
