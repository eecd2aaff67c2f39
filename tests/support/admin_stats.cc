#include "admin_stats.h"

#include <charconv>

namespace weir::test {
namespace {

std::optional<uint64_t> parseUnsigned(std::string_view text) {
  uint64_t value = 0;
  auto [stop, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || stop != text.data() + text.size()) {
    return std::nullopt;
  }
  return value;
}

// The digits inside "KEY(" ... ")" of a histogram line.
std::optional<uint64_t> parenthesized(const std::string& text, const std::string& key) {
  const size_t start = text.find(key + "(");
  if (start == std::string::npos) return std::nullopt;
  const size_t open = start + key.size() + 1;
  const size_t close = text.find(')', open);
  if (close == std::string::npos) return std::nullopt;
  return parseUnsigned(std::string_view(text).substr(open, close - open));
}

}  // namespace

std::optional<StatsSnapshot> StatsSnapshot::parse(const std::string& text, std::string* error) {
  StatsSnapshot snapshot;
  size_t position = 0;
  while (position < text.size()) {
    size_t end = text.find('\n', position);
    if (end == std::string::npos) end = text.size();
    const std::string line = text.substr(position, end - position);
    position = end + 1;
    if (line.empty()) continue;
    const size_t separator = line.find(": ");
    if (separator == std::string::npos || separator == 0) {
      if (error != nullptr) *error = "not a \"name: value\" line: " + line;
      return std::nullopt;
    }
    snapshot.values_[line.substr(0, separator)] = line.substr(separator + 2);
  }
  return snapshot;
}

std::optional<uint64_t> StatsSnapshot::number(const std::string& name) const {
  auto found = values_.find(name);
  if (found == values_.end()) return std::nullopt;
  return parseUnsigned(found->second);
}

std::optional<HistogramSummary> StatsSnapshot::histogram(const std::string& name) const {
  auto found = values_.find(name);
  if (found == values_.end()) return std::nullopt;
  std::optional<uint64_t> count = parenthesized(found->second, "count");
  std::optional<uint64_t> sum = parenthesized(found->second, "sum");
  if (!count || !sum) return std::nullopt;
  return HistogramSummary{*count, *sum};
}

std::string clusterName(uint16_t service_port, const std::string& subset,
                        const std::string& host) {
  return "outbound|" + std::to_string(service_port) + "|" + subset + "|" + host;
}

std::string clusterStat(uint16_t service_port, const std::string& subset, const std::string& stat,
                        const std::string& host) {
  return "cluster." + clusterName(service_port, subset, host) + "." + stat;
}

}  // namespace weir::test
