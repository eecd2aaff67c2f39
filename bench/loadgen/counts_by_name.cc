#include "bench/loadgen/counts_by_name.h"

#include <fmt/format.h>

#include "common/json_text.h"

namespace weir::bench {

void CountsByName::add(std::string_view name, std::uint64_t count) {
  auto found = counts_.find(name);
  if (found == counts_.end()) {
    counts_.emplace(std::string(name), count);
  } else {
    found->second += count;
  }
}

void CountsByName::merge(const CountsByName& other) {
  for (const auto& [name, count] : other.counts_) {
    add(name, count);
  }
}

std::uint64_t CountsByName::total() const {
  std::uint64_t sum = 0;
  for (const auto& entry : counts_) {
    sum += entry.second;
  }
  return sum;
}

std::string CountsByName::toJson() const {
  std::string json = "{";
  for (const auto& [name, count] : counts_) {
    // Answer prefixes come from the network: any bytes.
    json += fmt::format("{}{}:{}", json.size() > 1 ? "," : "",
                        jsonString(name, JsonText::kAnyBytes), count);
  }
  return json + "}";
}

}  // namespace weir::bench
