// Parsing of the values the echo tools take on their command lines: numbers, port
// lists and HOST:PORT. Pure functions; each throws UsageError with a message that names
// the offending text.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace weir::echo {

// A decimal integer in [min, max], digits only (no sign, no spaces). `what` names the
// value in the error message, e.g. "--max-line-bytes".
std::uint64_t parseUnsigned(std::string_view text, std::string_view what, std::uint64_t min,
                            std::uint64_t max);

// A confidence in (0, 1), written as a percentage with '%' ("99.9%", "95%") or as a
// fraction without ("0.999"): digits with at most one '.', nothing else. `what` names the
// value in the error message, e.g. "--tolerance".
double parseConfidence(std::string_view text, std::string_view what);

// "9000" or "9000,9001,0": one or more ports, 0 meaning "any free port". A non-zero port
// may appear only once.
std::vector<std::uint16_t> parsePortList(std::string_view text);

struct HostPort {
  std::string host;  // without brackets: "127.0.0.1", "::1", "localhost"
  std::uint16_t port = 0;

  bool operator==(const HostPort&) const = default;
};

// "127.0.0.1:9000", "localhost:9000", "[::1]:9000". An IPv6 literal needs brackets;
// the port must be 1..65535.
HostPort parseHostPort(std::string_view text);

}  // namespace weir::echo
