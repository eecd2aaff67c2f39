// Bytes read from one side that the other side has not accepted yet.
//
// Empty most of the time: a read is written straight on, and only what the
// destination's socket buffer could not take lands here. The memory is taken when
// needed and given back as soon as everything has been written, so an idle
// connection holds none. Never grows past the limit its owner checks.
#pragma once

#include <cstddef>
#include <memory>

namespace weir::proxy {

class PendingBytes {
 public:
  size_t size() const { return tail_ - head_; }
  bool empty() const { return head_ == tail_; }
  const char* data() const { return storage_.get() + head_; }

  // Room for at least `wanted` more bytes at the end, growing (by doubling, but
  // not past `ceiling` unless `wanted` needs it) to hold them.
  char* reserve(size_t wanted, size_t ceiling);
  // After writing `count` bytes at reserve()'s pointer.
  void commit(size_t count) { tail_ += count; }
  void append(const char* bytes, size_t count);
  // After `count` bytes from data() were written out; frees the memory when empty.
  void consume(size_t count);
  void clear();

 private:
  std::unique_ptr<char[]> storage_;
  size_t capacity_ = 0;
  size_t head_ = 0;
  size_t tail_ = 0;
};

}  // namespace weir::proxy
