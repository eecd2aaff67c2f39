// One direction of a proxied connection: bytes read from one socket are written
// to the other, in order, with bounded buffering and a forwarded half-close.
//
// Sockets are registered edge-triggered, so each side carries hints: `readable`
// is set by the loop when bytes, a FIN or an error arrive and cleared here once a
// read comes back with EAGAIN, or short; a short read is not proof (a reset may
// wait behind it), so the socket stays `unverified` until a write to it succeeds or
// the worker reads it again a little later (short_read_checks.h). `writable`
// likewise for writes. A relay never waits: it moves what it can and returns.
//
// Two ways to move bytes:
//  - copied: read into the worker's scratch buffer and written straight on; only
//    what the destination refuses is kept (PendingBytes), at most the buffer limit;
//  - spliced: splice(2) from the source socket into a pipe and from the pipe into
//    the destination, so bulk bytes never enter user space. A direction switches
//    to splicing once it has carried `splice_after` bytes in large reads (0: from
//    the first byte), and only when nothing is pending, so order is kept.
// Backpressure and half-close are the same on both: reading stops while the
// destination holds the limit, and the FIN is forwarded (see finOwed()) only
// after every byte before it has been written.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include <weir/proxy.h>

#include "proxy/connection/pending_bytes.h"
#include "proxy/connection/pipe_pool.h"

namespace weir::proxy {

class ShortReadChecks;

// One socket of a proxied connection, as both of its relays see it.
struct SocketSide {
  int fd = -1;
  bool readable = false;    // bytes, a FIN or an error may be waiting
  // A paused relay has asked the socket for an error (SO_ERROR) since its last
  // read event: a reset is reported as readable (EPOLLERR), and a paused side is
  // not read, so without asking it would go unseen.
  bool error_checked = false;
  bool writable = false;    // the socket may take bytes
  bool fin_seen = false;    // the loop reported the peer's FIN (EV_CLOSED): read up to it
  // A read came back short and nothing has proved since that no reset waits behind
  // the bytes: read again later (ShortReadChecks) unless a write to it succeeds.
  bool unverified = false;
  bool read_eof = false;    // the peer's FIN was read
  bool write_shut = false;  // our FIN was sent
};

// What the worker lends every relay it runs.
struct RelayContext {
  // Its buffer_limit (bytes held per direction before reading stops) and
  // splice_after (when a direction switches to splice(2); nullopt: never).
  const ProxySettings* settings = nullptr;
  char* scratch = nullptr;  // shared by the worker's connections, used within one run
  size_t scratch_size = 0;
  PipePool* pipes = nullptr;
  // Where a short read is taken as drained, to be checked later; null: every read
  // direction reads on until EAGAIN instead.
  ShortReadChecks* short_read_checks = nullptr;
};

class Relay {
 public:
  enum class Failure { kNone, kSource, kDestination };
  struct Result {
    uint64_t moved = 0;    // bytes taken from the source during this run
    uint64_t spliced = 0;  // of which through the pipe
    Failure failure = Failure::kNone;
    bool paused = false;   // reading stopped because the destination is full
    bool resumed = false;  // reading started again after a pause
    bool more = false;     // stopped for fairness with work left: run again soon
    bool short_read = false;  // the source is unverified: ask ShortReadChecks for a read
  };

  void attach(SocketSide* from, SocketSide* to);
  Result run(const RelayContext& context);
  // Bytes to write before anything read from the source (a PROXY protocol
  // header); call before the first run().
  void writeFirst(const std::string& bytes) { pending_.append(bytes.data(), bytes.size()); }
  // Gives the pipe back (or closes it if it still holds bytes) and frees buffers.
  void detach(PipePool& pipes);
  // Closes the pipe and frees buffers without a pool (the worker is going away).
  void discard();

  // The source's FIN was read and everything before it written: the FIN is owed
  // to the destination. The owner sends it (sendFin), or closes the socket when
  // the other direction is finished too, since close() sends it as well.
  bool finOwed() const { return from_->read_eof && waiting() == 0 && !to_->write_shut; }
  void sendFin();
  // The source's FIN was read, everything before it written, and the FIN sent.
  bool done() const { return from_->read_eof && waiting() == 0 && to_->write_shut; }
  size_t waiting() const { return pending_.size() + pipe_.held; }

 private:
  bool flush(Result& result);
  // Reads (or splices) once; false when nothing more can be read now.
  bool readOnce(const RelayContext& context, Result& result);
  bool spliceIn(const RelayContext& context, Result& result);
  bool copyIn(const RelayContext& context, Result& result);
  size_t limit(const RelayContext& context) const;

  SocketSide* from_ = nullptr;
  SocketSide* to_ = nullptr;
  PendingBytes pending_;
  Pipe pipe_;
  bool splicing_ = false;
  // The pipe refused more although it holds less than its capacity (its slots
  // are per page, not per byte): wait until some of it has been written out.
  bool pipe_full_ = false;
  bool paused_ = false;
  uint64_t bulk_bytes_ = 0;  // carried in large reads, towards splice_after
};

}  // namespace weir::proxy
