// The reads a worker owes to sockets whose last read came back short.
//
// A short read usually means the socket is drained, but not always: a reset that
// arrives together with the last bytes waits behind them, and libevent 2.1 reports
// it (EPOLLERR) exactly like data, so edge triggering brings no later event for it
// (issue 14). Reading again at once until EAGAIN costs a system call per message in
// each direction. Instead the relay marks the socket unverified and its connection
// asks here for a read later; a later successful write to that socket proves there
// was no reset (the kernel fails a send on a reset socket), and so do a new event or
// the connection ending. Whatever is still unverified after one to two ticks is read
// then. So a reset hidden behind data is forwarded within 2 × kTick, and a
// request/response exchange, whose answer goes back through the socket long before
// that, costs no extra read.
//
// Loop thread only.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "common/embedded_event.h"

namespace weir::proxy {

// A connection that may owe a read (ProxiedConnection).
class ShortReadCheckable {
 public:
  // Reads every socket still unverified (and forwards what comes, a reset included).
  virtual void checkShortReads() = 0;

 protected:
  ~ShortReadCheckable() = default;

 private:
  friend class ShortReadChecks;
  static constexpr size_t kNotQueued = SIZE_MAX;
  size_t check_slot_ = kNotQueued;  // index in its generation's list
  uint64_t check_tick_ = 0;         // the tick it was queued in
};

class ShortReadChecks {
 public:
  static constexpr std::chrono::milliseconds kTick{2};

  explicit ShortReadChecks(event_base* loop);
  ShortReadChecks(const ShortReadChecks&) = delete;
  ShortReadChecks& operator=(const ShortReadChecks&) = delete;

  // Checks `connection` one to two ticks from now (no-op if it is queued already).
  void add(ShortReadCheckable& connection);
  // Forgets `connection` (it finished); no-op if it is not queued.
  void remove(ShortReadCheckable& connection);
  size_t queued() const { return current_.size() + due_.size(); }

 private:
  static void onTick(evutil_socket_t, short, void* self);
  std::vector<ShortReadCheckable*>& listOf(const ShortReadCheckable& connection);
  void arm();

  EmbeddedEvent timer_;
  uint64_t tick_ = 0;
  bool armed_ = false;
  std::vector<ShortReadCheckable*> current_;  // queued during this tick
  std::vector<ShortReadCheckable*> due_;      // queued during the previous one: checked next
  std::vector<ShortReadCheckable*> checking_;  // reused by onTick
};

}  // namespace weir::proxy
