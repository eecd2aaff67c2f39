#include "common/iso_time.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <ctime>
#include <iterator>

namespace weir {

void appendIsoUtcTime(std::string& out, std::chrono::system_clock::time_point time) {
  const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(
                          time.time_since_epoch()).count() % 1000;
  const std::time_t seconds = std::chrono::system_clock::to_time_t(time);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  fmt::format_to(std::back_inserter(out), "{:%Y-%m-%dT%H:%M:%S}.{:03d}Z", utc, millis);
}

std::string isoUtcTime(std::chrono::system_clock::time_point time) {
  std::string text;
  appendIsoUtcTime(text, time);
  return text;
}

}  // namespace weir
