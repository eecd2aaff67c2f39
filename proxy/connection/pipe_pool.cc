#include "proxy/connection/pipe_pool.h"

#include <fcntl.h>
#include <unistd.h>

namespace weir::proxy {

void closePipe(Pipe& pipe) {
  if (pipe.read_fd >= 0) close(pipe.read_fd);
  if (pipe.write_fd >= 0) close(pipe.write_fd);
  pipe = Pipe{};
}

PipePool::PipePool(size_t wanted_capacity, size_t max_kept)
    : wanted_capacity_(wanted_capacity), max_kept_(max_kept) {}

PipePool::~PipePool() {
  for (Pipe& pipe : free_) closePipe(pipe);
}

bool PipePool::acquire(Pipe& pipe) {
  if (!free_.empty()) {
    pipe = free_.back();
    free_.pop_back();
    return true;
  }
  int fds[2];
  if (pipe2(fds, O_NONBLOCK | O_CLOEXEC) != 0) {
    return false;
  }
  pipe.read_fd = fds[0];
  pipe.write_fd = fds[1];
  pipe.held = 0;
  // A bigger pipe means fewer splice calls per megabyte; the kernel may refuse
  // (fs.pipe-max-size, or the per-user pipe budget), and the default still works.
  int capacity = fcntl(pipe.write_fd, F_SETPIPE_SZ, static_cast<int>(wanted_capacity_));
  if (capacity < 0) capacity = fcntl(pipe.write_fd, F_GETPIPE_SZ);
  pipe.capacity = capacity > 0 ? static_cast<size_t>(capacity) : 4096;
  return true;
}

void PipePool::release(Pipe& pipe) {
  if (pipe.read_fd < 0) return;
  if (pipe.held == 0 && free_.size() < max_kept_) {
    free_.push_back(pipe);
    pipe = Pipe{};
    return;
  }
  closePipe(pipe);
}

}  // namespace weir::proxy
