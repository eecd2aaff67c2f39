// The log lines for connects that fail for weir's own reasons (see
// connect_failure_cause.h): one warning when a burst of them starts, naming the
// errno, and one line when it ends with how many failed — not one line per
// connection, which during an overload would be thousands a second.
//
// A burst starts at the first local failure and ends at the next connect that
// gets going (socket() and connect() accepted it). Within a burst a failure with
// a different cause or errno is announced too, so every reason is named once.
//
// Threads: any. Shared by every worker and the health checker. The success path
// is one relaxed atomic load while no burst is on; the rest takes a mutex, and
// happens only during a burst.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>

#include <spdlog/common.h>

#include "proxy/connect_failure_cause.h"

namespace weir::proxy {

class LocalErrorLog {
 public:
  using Clock = std::chrono::steady_clock;
  // Where the lines go: spdlog by default, a recorder in tests.
  using Sink = std::function<void(spdlog::level::level_enum level, const std::string& line)>;

  LocalErrorLog();
  explicit LocalErrorLog(Sink sink);
  LocalErrorLog(const LocalErrorLog&) = delete;
  LocalErrorLog& operator=(const LocalErrorLog&) = delete;

  // A connect for `what` (e.g. "outbound|9000|v1|… 127.0.0.1:9001") failed for
  // `cause`, a local one; `error` is its errno (0 for a late timer).
  void onFailure(ConnectFailureCause cause, int error, std::string_view what,
                 Clock::time_point now = Clock::now());
  // A connect got going: ends the burst, if one is on.
  void onSuccess(Clock::time_point now = Clock::now()) {
    if (in_burst_.load(std::memory_order_relaxed)) endBurst(now);
  }

 private:
  void endBurst(Clock::time_point now);

  const Sink sink_;
  std::atomic<bool> in_burst_{false};
  std::mutex mutex_;
  // The current burst (under mutex_).
  uint64_t failures_ = 0;
  Clock::time_point started_{};
  ConnectFailureCause last_cause_ = ConnectFailureCause::kUpstream;
  int last_error_ = 0;
};

// "Too many open files (EMFILE)": an errno for a log line.
std::string describeErrno(int error);

}  // namespace weir::proxy
