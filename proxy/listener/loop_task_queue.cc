#include "proxy/listener/loop_task_queue.h"

#include <condition_variable>
#include <memory>

namespace weir::proxy {

LoopTaskQueue::LoopTaskQueue(event_base* loop)
    : event_(event_new(loop, -1, 0, &LoopTaskQueue::onActive, this)) {}

void LoopTaskQueue::post(std::function<void()> task) {
  {
    std::lock_guard lock(mutex_);
    tasks_.push_back(std::move(task));
  }
  event_active(event_.get(), EV_READ, 0);
}

bool LoopTaskQueue::postAndWait(std::function<void()> task, std::chrono::milliseconds limit) {
  struct Completion {
    std::mutex mutex;
    std::condition_variable done_changed;
    bool done = false;
  };
  auto completion = std::make_shared<Completion>();
  post([task = std::move(task), completion] {
    task();
    std::lock_guard lock(completion->mutex);
    completion->done = true;
    completion->done_changed.notify_all();
  });
  std::unique_lock lock(completion->mutex);
  return completion->done_changed.wait_for(lock, limit, [&] { return completion->done; });
}

void LoopTaskQueue::onActive(evutil_socket_t, short, void* self) {
  auto* queue = static_cast<LoopTaskQueue*>(self);
  std::deque<std::function<void()>> ready;
  {
    std::lock_guard lock(queue->mutex_);
    ready.swap(queue->tasks_);
  }
  for (auto& task : ready) {
    task();
  }
}

}  // namespace weir::proxy
