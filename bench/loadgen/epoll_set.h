// One epoll instance, edge-triggered, owned by one thread. Each registration carries a
// 64-bit tag of the caller's choosing (here: slot index and connection generation, so a
// stale event for a closed socket whose slot was reused is recognised and ignored).
#pragma once

#include <sys/epoll.h>

#include <chrono>
#include <cstdint>
#include <span>
#include <vector>

#include "common/unique_fd.h"

namespace weir::bench {

class EpollSet {
 public:
  // Throws std::system_error when the kernel refuses an epoll instance.
  explicit EpollSet(std::size_t max_events = 256);

  // Watches `fd` for `events` (EPOLLET is added); false with errno set on failure.
  bool add(int fd, std::uint32_t events, std::uint64_t tag);

  // Waits at most `timeout` (rounded up to whole milliseconds) for events; EINTR is an
  // empty result. The span stays valid until the next wait().
  std::span<const epoll_event> wait(std::chrono::microseconds timeout);

 private:
  UniqueFd epoll_;
  std::vector<epoll_event> events_;
};

// The tag of slot `index` for its connection number `generation`.
constexpr std::uint64_t epollTag(std::uint32_t index, std::uint32_t generation) {
  return (static_cast<std::uint64_t>(index) << 32) | generation;
}
constexpr std::uint32_t tagIndex(std::uint64_t tag) { return static_cast<std::uint32_t>(tag >> 32); }
constexpr std::uint32_t tagGeneration(std::uint64_t tag) { return static_cast<std::uint32_t>(tag); }

}  // namespace weir::bench
