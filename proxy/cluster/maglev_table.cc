#include "proxy/cluster/maglev_table.h"

#include <algorithm>

namespace weir::proxy {

uint64_t stableHash(std::span<const uint8_t> bytes, uint64_t seed) {
  uint64_t hash = 0xcbf29ce484222325ULL ^ seed;
  for (uint8_t byte : bytes) {
    hash ^= byte;
    hash *= 0x100000001b3ULL;
  }
  // FNV alone mixes the last bytes poorly; finish with a SplitMix64 round.
  hash ^= hash >> 30;
  hash *= 0xbf58476d1ce4e5b9ULL;
  hash ^= hash >> 27;
  hash *= 0x94d049bb133111ebULL;
  hash ^= hash >> 31;
  return hash;
}

MaglevTable::MaglevTable(std::span<const std::string> keys, std::span<const uint32_t> weights,
                         size_t size) {
  const uint32_t max_weight = weights.empty() ? 0 : *std::max_element(weights.begin(), weights.end());
  if (max_weight == 0 || size < 2) return;

  struct Walker {
    uint64_t offset;
    uint64_t skip;
    uint64_t next = 0;     // position in its permutation
    uint64_t credit = 0;   // weight earned towards the next claim
  };
  std::vector<Walker> walkers;
  walkers.reserve(keys.size());
  for (const std::string& key : keys) {
    std::span<const uint8_t> bytes(reinterpret_cast<const uint8_t*>(key.data()), key.size());
    walkers.push_back({stableHash(bytes, 0) % size, stableHash(bytes, 1) % (size - 1) + 1});
  }

  constexpr uint32_t kUnclaimed = 0xFFFFFFFFu;
  entries_.assign(size, kUnclaimed);
  size_t filled = 0;
  while (filled < size) {
    for (size_t i = 0; i < walkers.size() && filled < size; ++i) {
      if (weights[i] == 0) continue;
      // Each round every endpoint earns its weight; a claim costs max_weight, so
      // an endpoint claims entries in proportion to its weight.
      Walker& walker = walkers[i];
      walker.credit += weights[i];
      while (walker.credit >= max_weight && filled < size) {
        walker.credit -= max_weight;
        uint64_t slot;
        do {
          slot = (walker.offset + walker.next * walker.skip) % size;
          ++walker.next;
        } while (entries_[slot] != kUnclaimed);
        entries_[slot] = static_cast<uint32_t>(i);
        ++filled;
      }
    }
  }
}

std::optional<size_t> MaglevTable::lookup(uint64_t hash, std::span<const uint32_t> usable) const {
  for (size_t step = 0, at = hash % entries_.size(); step < entries_.size(); ++step) {
    const size_t endpoint = entries_[at];
    if (endpoint < usable.size() && usable[endpoint] != 0) return endpoint;
    at = at + 1 == entries_.size() ? 0 : at + 1;
  }
  return std::nullopt;
}

}  // namespace weir::proxy
