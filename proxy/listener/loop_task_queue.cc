#include "proxy/listener/loop_task_queue.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <memory>
#include <system_error>

namespace weir::proxy {

LoopTaskQueue::LoopTaskQueue(event_base* loop) : wake_fd_(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
  if (wake_fd_ < 0) throw std::system_error(errno, std::generic_category(), "eventfd");
  event_.reset(event_new(loop, wake_fd_, EV_READ | EV_PERSIST, &LoopTaskQueue::onWake, this));
  event_add(event_.get(), nullptr);
}

LoopTaskQueue::~LoopTaskQueue() {
  event_.reset();
  close(wake_fd_);
}

void LoopTaskQueue::post(std::function<void()> task) {
  bool wake;
  {
    std::lock_guard lock(mutex_);
    tasks_.push_back(std::move(task));
    wake = !woken_;
    woken_ = true;
  }
  if (wake) {
    const uint64_t one = 1;
    // Cannot fail short of a counter overflow, which one write per run rules out.
    [[maybe_unused]] const ssize_t written = write(wake_fd_, &one, sizeof one);
  }
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

void LoopTaskQueue::onWake(evutil_socket_t fd, short, void* self) {
  auto* queue = static_cast<LoopTaskQueue*>(self);
  uint64_t count;
  [[maybe_unused]] const ssize_t got = read(fd, &count, sizeof count);
  std::deque<std::function<void()>> ready;
  {
    std::lock_guard lock(queue->mutex_);
    ready.swap(queue->tasks_);
    queue->woken_ = false;
  }
  for (auto& task : ready) {
    task();
  }
}

}  // namespace weir::proxy
