// Counters keyed by a short name: answers by the echo server's prefix ("one", "two"),
// errors by what went wrong ("connect ECONNREFUSED", "wrong answer"). Ordered by name so
// that the JSON output is stable. Not thread-safe: one per thread, merged at the end.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>

namespace weir::bench {

class CountsByName {
 public:
  void add(std::string_view name, std::uint64_t count = 1);
  void merge(const CountsByName& other);

  std::uint64_t total() const;
  const std::map<std::string, std::uint64_t, std::less<>>& counts() const { return counts_; }

  // {"one":801,"two":199}
  std::string toJson() const;

 private:
  std::map<std::string, std::uint64_t, std::less<>> counts_;
};

}  // namespace weir::bench
