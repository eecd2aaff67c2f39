// Runs functions on an event loop's thread, posted from any thread: how the main
// thread hands snapshots and commands to a worker, and how an embedding program
// talks to a proxy whose control loop runs on another thread.
//
// The loop is woken through an eventfd it reads, not by event_active() from the
// posting thread, so the loop may be one without libevent's locks
// (EVENT_BASE_FLAG_NOLOCK): a worker's loop takes no mutex per event operation.
#pragma once

#include <deque>
#include <functional>
#include <mutex>

#include "common/libevent_handles.h"

namespace weir::proxy {

class LoopTaskQueue {
 public:
  // Call on the loop's thread, or before it runs. Throws if no eventfd is left.
  explicit LoopTaskQueue(event_base* loop);
  ~LoopTaskQueue();
  LoopTaskQueue(const LoopTaskQueue&) = delete;
  LoopTaskQueue& operator=(const LoopTaskQueue&) = delete;

  // Any thread: `task` runs on the loop's thread soon, in posting order.
  void post(std::function<void()> task);
  // Any thread other than the loop's: posts `task` and waits (bounded) until it
  // has run. Returns false if it did not run within `limit`.
  bool postAndWait(std::function<void()> task, std::chrono::milliseconds limit);

 private:
  static void onWake(evutil_socket_t, short, void* self);

  int wake_fd_ = -1;  // eventfd: readable while tasks wait
  EventPtr event_;
  std::mutex mutex_;
  std::deque<std::function<void()>> tasks_;  // guarded by mutex_
  bool woken_ = false;  // guarded by mutex_: wake_fd_ has been written since the last run
};

}  // namespace weir::proxy
