// IP literals and CIDR blocks as Istio writes them in `destinationSubnets` and
// `sourceSubnet`, parsed into route_table.h's IpAddress / IpPrefix. Pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "config/route_table.h"

namespace weir::config {

// An IPv4 (dotted quad) or IPv6 literal; no brackets, no zone, no port.
std::optional<IpAddress> parseIpAddress(std::string_view text);

// "a.b.c.d/n", "x::y/n" or a bare address (which is /32 or /128). Host bits past
// the length are allowed and ignored (10.1.2.3/8 is 10.0.0.0/8), as in Go's
// netip.ParsePrefix that Istio uses. Returns Istio's message when invalid:
// "10.0.0.0/33 is not a valid CIDR block" (one '/'), "foo is not a valid IP".
std::variant<IpPrefix, std::string> parseIpPrefix(std::string_view text);

// "10.0.0.0/8", "2001:db8::/32": the canonical text, for messages and logs.
std::string toString(const IpPrefix& prefix);
std::string toString(const IpAddress& address);

}  // namespace weir::config
