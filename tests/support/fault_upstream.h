// An upstream server inside the test process that misbehaves on purpose: echo with a
// running checksum, accept and never read, read and never answer, reset right after
// accept, accept late, stream a large pattern, answer a line with a pattern and a
// reset, and reset every open connection on command (an upstream killed
// mid-stream). Listens on 127.0.0.1, ephemeral port.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "tcp_connection.h"

namespace weir::test {

enum class UpstreamBehaviour {
  kEcho,           // echoes every byte; after the peer's FIN and the last echo, FIN and close
  kNeverRead,      // accepts and never reads: the peer's bytes pile up in the kernel
  kNeverAnswer,    // reads and counts everything, never writes; closes after the peer's FIN
  kResetOnAccept,  // SO_LINGER 0 close right after accept: the peer sees an RST
  kStream,         // sends `stream_bytes` of StreamPattern, then FIN; reads and discards
  // Reads until the peer's first '\n', sends `stream_bytes` of StreamPattern, and
  // closes with SO_LINGER 0 at once: the RST follows the last byte closely, so the
  // proxy often finds the bytes and the reset in one wake-up (issue 14).
  kAnswerThenReset,
};
const char* toString(UpstreamBehaviour behaviour);

// The bytes kStream sends: byte i is block()[i % size()], where the block is
// fillPatternBytes(0x5eed, ...) and its size is not a power of two, so that a lost,
// repeated or reordered piece shows as a mismatch unless it is a whole multiple of
// the period (which the byte count then catches). Comparing against it is a memcmp,
// fast enough for a GiB.
class StreamPattern {
 public:
  static const StreamPattern& instance();
  size_t size() const { return block_.size(); }
  const std::string& block() const { return block_; }
  // True if `bytes` are the stream's bytes from `offset` on.
  bool matches(uint64_t offset, std::span<const char> bytes) const;

 private:
  StreamPattern();
  std::string block_;
};

// Reads what a kStream upstream sends, checking every byte against StreamPattern:
// from stream offset `position` (updated), until EOF, reset, error, `deadline`, or
// `max_bytes` more (then kOk). `intact` turns false at the first wrong byte.
struct PatternRead {
  uint64_t got = 0;
  bool intact = true;
  IoStatus end = IoStatus::kOk;
};
PatternRead readPattern(TcpConnection& connection, uint64_t& position, uint64_t max_bytes,
                        Clock::time_point deadline);

struct FaultUpstreamOptions {
  UpstreamBehaviour behaviour = UpstreamBehaviour::kEcho;
  // Slow to accept: a connection waiting in the backlog is accepted only this long
  // after the server first saw it there (the kernel completes the handshake anyway).
  std::chrono::milliseconds accept_delay{0};
  int backlog = 128;
  uint64_t stream_bytes = 0;  // kStream, kAnswerThenReset
};

// What the server saw on one accepted connection.
struct UpstreamConnectionReport {
  UpstreamBehaviour behaviour = UpstreamBehaviour::kEcho;
  uint64_t received = 0;
  uint64_t received_hash = 0;  // Fnv1a64 of the received bytes (kEcho, kNeverAnswer)
  uint64_t sent = 0;
  bool peer_fin = false;    // read EOF (or, kNeverRead, POLLRDHUP)
  bool peer_reset = false;  // ECONNRESET/EPIPE or POLLERR
  bool killed = false;      // reset by killConnections() or stop()
  bool closed = false;      // our socket is closed, for whatever reason
};

// One thread runs a poll loop over the listening socket and the accepted ones.
// Every public method may be called from any thread; reports are snapshots.
// The thread ends on stop() (also called by the destructor), and by itself after
// 30 minutes, so that a test that forgets it cannot hang the suite.
class FaultUpstream {
 public:
  explicit FaultUpstream(const FaultUpstreamOptions& options = {});
  ~FaultUpstream();
  FaultUpstream(const FaultUpstream&) = delete;
  FaultUpstream& operator=(const FaultUpstream&) = delete;

  uint16_t port() const { return port_; }

  // For connections accepted from now on.
  void setBehaviour(UpstreamBehaviour behaviour);
  // Resets (SO_LINGER 0 close) every open connection, as a killed process would;
  // returns once done (at most 5 s). Returns how many it reset.
  size_t killConnections();
  // Stops accepting, resets what is open, joins the thread. Idempotent.
  void stop();

  std::vector<UpstreamConnectionReport> connections() const;
  size_t accepted() const;
  size_t open() const;
  // Polls every 10 ms until `done(connections())`, at most `timeout`.
  bool waitUntil(const std::function<bool(const std::vector<UpstreamConnectionReport>&)>& done,
                 std::chrono::milliseconds timeout) const;

 private:
  struct Connection;
  void run();
  bool acceptOne();
  void service(Connection& connection, short revents);
  void closeConnection(Connection& connection, bool reset);
  void wake();

  FaultUpstreamOptions options_;
  int listen_fd_ = -1;
  int wake_pipe_[2] = {-1, -1};
  uint16_t port_ = 0;
  std::vector<Connection> live_;  // server thread only

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  UpstreamBehaviour behaviour_;           // guarded
  std::vector<UpstreamConnectionReport> reports_;  // guarded
  uint64_t kill_requests_ = 0;           // guarded
  uint64_t kills_done_ = 0;              // guarded
  size_t last_kill_count_ = 0;           // guarded
  bool stopping_ = false;                // guarded
  std::thread thread_;
};

}  // namespace weir::test
