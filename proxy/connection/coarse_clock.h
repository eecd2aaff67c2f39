// The monotonic clock at the kernel tick's resolution (CLOCK_MONOTONIC_COARSE), for
// stamps taken on every transfer: reading it copies the time of the last tick
// instead of reading the CPU's time-stamp counter: 20-85 ns against 117-179 ns for
// steady_clock::now() on the benchmark's VM (bench/PROFILE.md). A stamp lags the true time by
// less than resolution(), so a deadline checked with it must add resolution() to
// never come early.
#pragma once

#include <time.h>

#include <chrono>

namespace weir::proxy {

struct CoarseClock {
  using duration = std::chrono::nanoseconds;
  using time_point = std::chrono::time_point<CoarseClock, duration>;

  static time_point now() {
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC_COARSE, &now);
    return time_point(std::chrono::seconds(now.tv_sec) + std::chrono::nanoseconds(now.tv_nsec));
  }
  static duration resolution() {
    static const duration tick = [] {
      timespec resolution{};
      clock_getres(CLOCK_MONOTONIC_COARSE, &resolution);
      return std::chrono::seconds(resolution.tv_sec) + std::chrono::nanoseconds(resolution.tv_nsec);
    }();
    return tick;
  }
};

}  // namespace weir::proxy
