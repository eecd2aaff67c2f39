// Runs functions on an event loop's thread, posted from any thread: how the main
// thread hands snapshots and commands to a worker, and how an embedding program
// talks to a proxy whose control loop runs on another thread.
#pragma once

#include <deque>
#include <functional>
#include <mutex>

#include "common/libevent_handles.h"

namespace weir::proxy {

class LoopTaskQueue {
 public:
  // `loop` must have been created after evthread_use_pthreads(), so that
  // event_active() may be called from other threads.
  explicit LoopTaskQueue(event_base* loop);
  LoopTaskQueue(const LoopTaskQueue&) = delete;
  LoopTaskQueue& operator=(const LoopTaskQueue&) = delete;

  // Any thread: `task` runs on the loop's thread soon, in posting order.
  void post(std::function<void()> task);
  // Any thread other than the loop's: posts `task` and waits (bounded) until it
  // has run. Returns false if it did not run within `limit`.
  bool postAndWait(std::function<void()> task, std::chrono::milliseconds limit);

 private:
  static void onActive(evutil_socket_t, short, void* self);

  EventPtr event_;
  std::mutex mutex_;
  std::deque<std::function<void()>> tasks_;  // guarded by mutex_
};

}  // namespace weir::proxy
