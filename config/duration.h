// Durations written in Go's syntax, as Istio's YAML uses them (connectTimeout: 10s).
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace weir::config {

// Parses Go's time.ParseDuration syntax: one or more <number><unit> with units
// ns, us (or µs, μs), ms, s, m, h and optional decimal fractions: "30ms", "10s",
// "5m", "1h30m", "1.5s". Like Istio's duration validation, the result must be at
// least 1ms and a whole number of milliseconds; anything else (including "0",
// negative durations, "1d", "10") is nullopt.
std::optional<std::chrono::milliseconds> parseGoDuration(std::string_view text);

}  // namespace weir::config
