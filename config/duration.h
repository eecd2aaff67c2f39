// Durations written in Go's syntax, as Istio's YAML uses them (connectTimeout: 10s).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace weir::config {

// Go's time.ParseDuration: an optional sign, then one or more <number><unit> with
// units ns, us (or µs, μs), ms, s, m, h and optional decimal fractions: "30ms",
// "10s", "5m", "1h30m", "1.5s", "-2s", "0". nullopt when the text is not a Go
// duration ("1d", "10", "10 s") or does not fit Go's int64 nanoseconds.
std::optional<std::chrono::nanoseconds> parseGoDurationExact(std::string_view text);

// Istio's check of a duration field (ValidateDuration), in its words: nullopt when
// `value` is at least 1ms and a whole number of milliseconds.
std::optional<std::string> istioDurationError(std::chrono::nanoseconds value);

// Both: a Go duration that Istio accepts, in milliseconds; anything else (including
// "0", negative durations, "1d", "10", "1500us") is nullopt.
std::optional<std::chrono::milliseconds> parseGoDuration(std::string_view text);

}  // namespace weir::config
