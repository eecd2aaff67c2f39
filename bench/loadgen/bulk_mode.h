// Bulk: one connection streams BYTES to a sink (the generator's sink mode, directly or
// through a proxy), shuts down writing, and reads back the count the sink received as a
// line. The transfer counts only if that count equals BYTES. Throughput is measured
// from the start of connect() to the count's arrival, so the proxy's last flush is in it.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "bench/loadgen/options.h"

namespace weir::bench {

// The sink's answer line as a byte count: decimal digits only, nothing else.
std::optional<std::uint64_t> parseSinkCount(std::string_view line);

// Runs the mode, prints its JSON result line, returns the exit status (0: no errors).
int runBulk(const Options& options);

}  // namespace weir::bench
