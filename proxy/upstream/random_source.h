// Where the proxy's randomness comes from. Injected, so tests can script it and
// `--seed N` can make the sequence of weighted picks reproducible.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>

namespace weir::proxy {

class RandomSource {
 public:
  virtual ~RandomSource() = default;
  // A uniformly distributed 64-bit value.
  virtual uint64_t next() = 0;
};

// SplitMix64: tiny, fast and statistically good enough for load balancing; the
// same seed always yields the same sequence on every platform.
class SeededRandom final : public RandomSource {
 public:
  explicit SeededRandom(uint64_t seed) : state_(seed) {}
  uint64_t next() override;

 private:
  uint64_t state_;
};

// The random source of worker `worker_index`: derived from `seed` when one is
// given (worker 0 uses the seed itself, so `--seed N --concurrency 1` is one
// well-defined sequence), otherwise seeded from the operating system.
std::unique_ptr<RandomSource> makeWorkerRandom(std::optional<uint64_t> seed,
                                               unsigned worker_index);

}  // namespace weir::proxy
