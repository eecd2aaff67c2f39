#include "bench/loadgen/epoll_set.h"

#include <cerrno>
#include <system_error>

namespace weir::bench {

EpollSet::EpollSet(std::size_t max_events)
    : epoll_(::epoll_create1(EPOLL_CLOEXEC)), events_(max_events) {
  if (!epoll_) {
    throw std::system_error(errno, std::generic_category(), "epoll_create1");
  }
}

bool EpollSet::add(int fd, std::uint32_t events, std::uint64_t tag) {
  epoll_event event{};
  event.events = events | EPOLLET;
  event.data.u64 = tag;
  return ::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, fd, &event) == 0;
}

std::span<const epoll_event> EpollSet::wait(std::chrono::microseconds timeout) {
  const auto millis = timeout.count() <= 0 ? 0 : static_cast<int>((timeout.count() + 999) / 1000);
  const int ready = ::epoll_wait(epoll_.get(), events_.data(), static_cast<int>(events_.size()), millis);
  if (ready <= 0) {
    return {};
  }
  return {events_.data(), static_cast<std::size_t>(ready)};
}

}  // namespace weir::bench
