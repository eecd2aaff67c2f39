#include "proxy/connection/pending_bytes.h"

#include <algorithm>
#include <cstring>

namespace weir::proxy {
namespace {
constexpr size_t kMinimumCapacity = 16 * 1024;
}

char* PendingBytes::reserve(size_t wanted, size_t ceiling) {
  if (capacity_ - tail_ >= wanted) {
    return storage_.get() + tail_;
  }
  const size_t held = size();
  if (capacity_ - held >= wanted && head_ > 0) {
    // Enough room once the consumed front is reclaimed.
    std::memmove(storage_.get(), storage_.get() + head_, held);
  } else {
    const size_t doubled = std::min(std::max(kMinimumCapacity, capacity_ * 2), ceiling);
    const size_t capacity = std::max(doubled, held + wanted);
    auto bigger = std::make_unique_for_overwrite<char[]>(capacity);
    if (held > 0) std::memcpy(bigger.get(), storage_.get() + head_, held);
    storage_ = std::move(bigger);
    capacity_ = capacity;
  }
  head_ = 0;
  tail_ = held;
  return storage_.get() + tail_;
}

void PendingBytes::append(const char* bytes, size_t count) {
  std::memcpy(reserve(count, count), bytes, count);
  commit(count);
}

void PendingBytes::consume(size_t count) {
  head_ += count;
  if (head_ == tail_) clear();
}

void PendingBytes::clear() {
  storage_.reset();
  capacity_ = head_ = tail_ = 0;
}

}  // namespace weir::proxy
