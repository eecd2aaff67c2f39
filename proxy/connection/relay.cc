#include "proxy/connection/relay.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <optional>

#include "common/socket_error.h"

namespace weir::proxy {
namespace {

// A read at least this large means the source had a backlog: bulk traffic, worth
// splicing. Line-sized exchanges never reach it, however long they go on.
constexpr size_t kLargeRead = 16 * 1024;
// A pipe holding less than this after a short splice almost surely had page slots
// to spare (filling them all would take segments of a few bytes each), so the splice
// was short because the socket had no more. Were it wrong, the later check
// (short_read_checks.h) reads on a few milliseconds late; nothing is lost.
constexpr size_t kNearlyEmptyPipe = 4096;
// Reads per run before other connections get their turn.
constexpr int kRoundsPerRun = 16;

bool wouldBlock(int error) { return error == EAGAIN || error == EWOULDBLOCK || error == EINTR; }


}  // namespace

void Relay::attach(SocketSide* from, SocketSide* to) {
  from_ = from;
  to_ = to;
  splicing_ = false;
  pipe_full_ = false;
  paused_ = false;
  bulk_bytes_ = 0;
}

void Relay::detach(PipePool& pipes) {
  pipes.release(pipe_);
  pending_.clear();
}

void Relay::sendFin() {
  to_->write_shut = true;
  shutdown(to_->fd, SHUT_WR);
}

void Relay::discard() {
  closePipe(pipe_);
  pending_.clear();
}

size_t Relay::limit(const RelayContext& context) const {
  const size_t buffer_limit = context.settings->buffer_limit;
  if (splicing_ && pipe_.read_fd >= 0) return std::min(buffer_limit, pipe_.capacity);
  return buffer_limit;
}

Relay::Result Relay::run(const RelayContext& context) {
  Result result;
  int rounds = 0;
  while (true) {
    if (!flush(result)) return result;
    if (from_->read_eof || !from_->readable) break;
    if (waiting() >= limit(context) || pipe_full_) {
      // The destination is the bottleneck: leave the bytes in the source's
      // kernel buffer, so TCP flow control slows the sender down. A paused
      // source is not read, so a reset from it would go unseen until the
      // destination drained (if ever): ask the socket, once per read event.
      if (!from_->error_checked) {
        from_->error_checked = true;
        if (pendingSocketError(from_->fd) != 0) {
          result.failure = Failure::kSource;
          return result;
        }
      }
      if (!paused_) result.paused = true;
      paused_ = true;
      break;
    }
    if (rounds++ == kRoundsPerRun) {
      result.more = true;
      break;
    }
    if (paused_) result.resumed = true;
    paused_ = false;
    if (!readOnce(context, result)) {
      if (result.failure != Failure::kNone) return result;
    }
  }
  if (pipe_.read_fd >= 0 && pipe_.held == 0 && context.pipes != nullptr) {
    context.pipes->release(pipe_);  // idle connections hold no pipe
  }
  return result;
}

bool Relay::flush(Result& result) {
  while (waiting() > 0 && to_->writable) {
    ssize_t written;
    if (!pending_.empty()) {
      written = send(to_->fd, pending_.data(), pending_.size(), MSG_NOSIGNAL);
      if (written > 0) {
        to_->unverified = false;  // a reset socket refuses writes: there was none
        pending_.consume(static_cast<size_t>(written));
        // A short write means the socket buffer is full; a new edge comes with room.
        if (!pending_.empty()) to_->writable = false;
        continue;
      }
    } else {
      written = splice(pipe_.read_fd, nullptr, to_->fd, nullptr, pipe_.held,
                       SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
      if (written > 0) {
        to_->unverified = false;
        pipe_.held -= static_cast<size_t>(written);
        pipe_full_ = false;
        continue;  // a short splice proves nothing: try again until EAGAIN
      }
    }
    if (written < 0 && wouldBlock(errno)) {
      to_->writable = false;
      break;
    }
    result.failure = Failure::kDestination;
    return false;
  }
  return true;
}

bool Relay::readOnce(const RelayContext& context, Result& result) {
  const std::optional<uint64_t>& splice_after = context.settings->splice_after;
  const bool splice_now = splice_after && context.pipes != nullptr && pending_.empty() &&
                          (splicing_ || bulk_bytes_ >= *splice_after);
  if (splice_now) {
    if (pipe_.read_fd >= 0 || context.pipes->acquire(pipe_)) {
      splicing_ = true;
      return spliceIn(context, result);
    }
    // No descriptor for a pipe: copy this time.
  }
  if (pipe_.held > 0) return false;  // spliced bytes go out first
  return copyIn(context, result);
}

bool Relay::spliceIn(const RelayContext& context, Result& result) {
  const size_t room = limit(context) - pipe_.held;
  const ssize_t count = splice(from_->fd, nullptr, pipe_.write_fd, nullptr, room,
                               SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
  if (count > 0) {
    pipe_.held += static_cast<size_t>(count);
    result.moved += static_cast<uint64_t>(count);
    result.spliced += static_cast<uint64_t>(count);
    // Short, with the pipe nearly empty (so not for want of its page slots): the
    // socket is drained, or a reset waits behind the bytes; as in copyIn.
    if (static_cast<size_t>(count) < room && pipe_.held < kNearlyEmptyPipe &&
        context.short_read_checks != nullptr && !from_->fin_seen) {
      from_->readable = false;
      from_->unverified = true;
      result.short_read = true;
    }
    return true;
  }
  if (count == 0) {
    from_->read_eof = true;
    from_->unverified = false;
    return false;
  }
  if (wouldBlock(errno)) {
    // With bytes in the pipe, EAGAIN may mean the pipe is full rather than the
    // socket empty: keep `readable` and retry once some bytes have gone out.
    if (pipe_.held > 0) {
      pipe_full_ = true;
    } else {
      from_->readable = false;
      from_->unverified = false;
    }
    return false;
  }
  result.failure = Failure::kSource;
  return false;
}

bool Relay::copyIn(const RelayContext& context, Result& result) {
  ssize_t count;
  size_t wanted;
  const size_t buffer_limit = context.settings->buffer_limit;
  if (pending_.empty()) {
    wanted = std::min(context.scratch_size, buffer_limit);
    count = read(from_->fd, context.scratch, wanted);
  } else {
    wanted = std::min(context.scratch_size, buffer_limit - pending_.size());
    count = read(from_->fd, pending_.reserve(wanted, buffer_limit), wanted);
  }
  if (count == 0) {
    from_->read_eof = true;
    from_->unverified = false;
    return false;
  }
  if (count < 0) {
    if (wouldBlock(errno)) {
      from_->readable = false;
      from_->unverified = false;
      return false;
    }
    result.failure = Failure::kSource;
    return false;
  }
  const size_t got = static_cast<size_t>(count);
  result.moved += got;
  // A short read: the socket is most likely drained. A FIN comes with EV_CLOSED, so
  // with one seen, read on to it. But a reset sets EPOLLERR, which libevent 2.1
  // reports as bare EV_READ|EV_WRITE, the same as plain data; once the bytes before
  // it are read, edge triggering brings no later event, so a reset that came with
  // the last bytes would stay unread (issue 14). Reading again at once until EAGAIN
  // costs a system call per message in each direction; so the socket is marked
  // unverified and checked later, unless a write to it proves it first
  // (short_read_checks.h). Without a checker, read on at once.
  if (got < wanted && context.short_read_checks != nullptr && !from_->fin_seen) {
    from_->readable = false;
    from_->unverified = true;
    result.short_read = true;
  }
  if (got >= kLargeRead) bulk_bytes_ += got;

  if (!pending_.empty()) {
    pending_.commit(got);
    return true;
  }
  // The common case: straight from the scratch buffer to the destination.
  size_t written = 0;
  if (to_->writable) {
    const ssize_t sent = send(to_->fd, context.scratch, got, MSG_NOSIGNAL);
    if (sent < 0 && !wouldBlock(errno)) {
      result.failure = Failure::kDestination;
      return false;
    }
    written = sent > 0 ? static_cast<size_t>(sent) : 0;
    if (written > 0) to_->unverified = false;
    if (written < got) to_->writable = false;
  }
  if (written < got) pending_.append(context.scratch + written, got - written);
  return true;
}

}  // namespace weir::proxy
