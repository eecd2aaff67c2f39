// Kernel pipes for splice(2), kept per worker so that a bulk connection does not
// create and close a pipe for every burst.
//
// A pipe is taken from the pool when a direction of a connection starts splicing
// and given back as soon as it is empty again, so idle connections hold none. A
// pipe that still holds bytes when its connection dies is closed, never reused:
// its bytes belong to that connection. Loop thread only.
#pragma once

#include <cstddef>
#include <vector>

namespace weir::proxy {

struct Pipe {
  int read_fd = -1;
  int write_fd = -1;
  size_t capacity = 0;  // bytes the pipe holds before splicing into it blocks
  size_t held = 0;      // bytes spliced in and not yet out
};

class PipePool {
 public:
  // `wanted_capacity`: asked of the kernel with F_SETPIPE_SZ; the pipe keeps
  // the default size if refused. `max_kept`: pipes kept for reuse.
  PipePool(size_t wanted_capacity, size_t max_kept);
  ~PipePool();
  PipePool(const PipePool&) = delete;
  PipePool& operator=(const PipePool&) = delete;

  // A pipe with nothing in it; false when the system has no descriptors left
  // (the caller then copies through user space instead).
  bool acquire(Pipe& pipe);
  // Keeps an empty pipe for reuse (or closes it when the pool is full); closes a
  // pipe that still holds bytes. Leaves `pipe` empty.
  void release(Pipe& pipe);

 private:
  size_t wanted_capacity_;
  size_t max_kept_;
  std::vector<Pipe> free_;
};

void closePipe(Pipe& pipe);

}  // namespace weir::proxy
