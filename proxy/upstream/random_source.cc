#include "proxy/upstream/random_source.h"

#include <random>

namespace weir::proxy {

uint64_t SeededRandom::next() {
  uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

std::unique_ptr<RandomSource> makeWorkerRandom(std::optional<uint64_t> seed,
                                               unsigned worker_index) {
  uint64_t base;
  if (seed) {
    base = *seed;
  } else {
    std::random_device device;
    base = (uint64_t{device()} << 32) ^ device();
  }
  // Spread the workers' streams apart; worker 0 keeps the seed unchanged.
  return std::make_unique<SeededRandom>(base + worker_index * 0xd1b54a32d192ed03ULL);
}

}  // namespace weir::proxy
