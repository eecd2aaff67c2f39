// trafficPolicy.tls (ClientTLSSettings): how Istio would originate TLS to the
// upstream. Weir forwards bytes as they come and does not originate TLS, so it only
// checks the settings as Istio's ValidateTLS does (the parser warns that the field
// is ignored).
#pragma once

#include <string_view>

#include "config/field_reader.h"

namespace weir::config {

// Reports every problem of `tls` in an object of namespace `ns`.
void checkClientTlsSettings(const FieldReader& tls, std::string_view ns);

}  // namespace weir::config
