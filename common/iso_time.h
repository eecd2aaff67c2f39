// The one timestamp style of weir's log, its access log and the echo tools' logs:
// ISO 8601 in UTC with milliseconds and the zone, 2026-11-25T19:20:17.042Z (Envoy's
// default access-log START_TIME has the same shape).
#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace weir {

std::string isoUtcTime(std::chrono::system_clock::time_point time);
// The same appended to `out`: no allocation once `out` has the room (the access log).
void appendIsoUtcTime(std::string& out, std::chrono::system_clock::time_point time);

// The same in spdlog's pattern flags; use it with spdlog::pattern_time_type::utc.
inline constexpr std::string_view kIsoUtcTimePattern = "%Y-%m-%dT%H:%M:%S.%eZ";

}  // namespace weir
