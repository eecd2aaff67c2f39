// Consistent hashing for DestinationRule loadBalancer.consistentHash.useSourceIp:
// a Maglev lookup table (Eisenbud et al., NSDI 2016; Envoy's default for
// consistent hashing, with its default size of 65537 entries).
//
// Each endpoint, named by a stable key ("127.0.0.1:9001"), walks its own
// permutation of the table and claims free entries in turn, more often in
// proportion to its weight. The same client address therefore keeps its
// endpoint while the endpoint set is unchanged, and when one of N endpoints goes
// away only the clients of that endpoint (about 1/N) and a small number of others
// move. Built once per cluster of each ConfigSnapshot, read by any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace weir::proxy {

class MaglevTable {
 public:
  static constexpr size_t kDefaultSize = 65537;  // prime, as the permutation needs

  // `keys[i]` and `weights[i]` describe endpoint i; weight 0 leaves it out.
  MaglevTable(std::span<const std::string> keys, std::span<const uint32_t> weights,
              size_t size = kDefaultSize);

  bool empty() const { return entries_.empty(); }
  // The endpoint index for a hash of the client's address.
  size_t lookup(uint64_t hash) const { return entries_[hash % entries_.size()]; }
  // The same, skipping entries whose endpoint has weight 0 in `usable` (out of
  // rotation): the next entries of the table, so a client whose endpoint is out
  // keeps one stable fallback and the fallbacks spread like the table does.
  // nullopt if no entry's endpoint is usable.
  std::optional<size_t> lookup(uint64_t hash, std::span<const uint32_t> usable) const;

 private:
  std::vector<uint32_t> entries_;  // empty when no endpoint has a weight
};

// Stable across processes and runs (FNV-1a, 64 bits), for keys and addresses.
uint64_t stableHash(std::span<const uint8_t> bytes, uint64_t seed = 0);

}  // namespace weir::proxy
