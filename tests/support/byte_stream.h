// Reproducible streams of random bytes, a 64-bit hash, and a poll loop that pushes
// streams through connections while reading the echo back at the same time.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "tcp_connection.h"

namespace weir::test {

// Byte `offset` of the stream `seed` is a pure function of both, so a receiver can
// check any slice without the sender keeping the stream in memory.
void fillPatternBytes(uint64_t seed, uint64_t offset, std::span<char> out);

// FNV-1a, 64 bits (offset basis 0xcbf29ce484222325, prime 0x100000001b3).
class Fnv1a64 {
 public:
  void update(std::span<const char> bytes);
  uint64_t value() const { return hash_; }

 private:
  uint64_t hash_ = 0xcbf29ce484222325ULL;
};

// What to send on one connection: `bytes` bytes of stream `seed`, in send() calls of
// uniformly random sizes in [min_chunk, max_chunk] (drawn from `seed` as well), then
// shutdown(SHUT_WR).
struct StreamPlan {
  uint64_t seed = 0;
  uint64_t bytes = 0;
  size_t min_chunk = 1;
  size_t max_chunk = 64 * 1024;
};

// What happened on one connection. Every byte is accounted for when
// sent == received == plan.bytes, no mismatch, the hashes agree and read_end is kEof.
struct StreamOutcome {
  uint64_t sent = 0;
  uint64_t sent_hash = 0;
  bool shut_down_write = false;
  IoStatus send_end = IoStatus::kOk;  // kOk unless sending stopped early
  uint64_t received = 0;
  uint64_t received_hash = 0;
  std::optional<uint64_t> first_mismatch;  // offset of the first wrong (or extra) byte
  IoStatus read_end = IoStatus::kTimeout;  // kEof: the peer closed after what it sent
  std::chrono::milliseconds elapsed{0};    // until this connection's read side ended
  std::string describe() const;
};

// Sends every plan on its connection and reads each connection until EOF, all at once
// in one poll loop (sending everything before reading would deadlock once the buffers
// on the way fill up). Expects every connection to answer with exactly the bytes it
// was sent (a --raw echo server behind it). Stops at `timeout`; unfinished connections
// then report kTimeout.
std::vector<StreamOutcome> exchangeStreams(std::vector<TcpConnection>& connections,
                                           const std::vector<StreamPlan>& plans,
                                           std::chrono::milliseconds timeout);

}  // namespace weir::test
