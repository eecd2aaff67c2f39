// The log lines for connects that fail for weir's own reasons (see
// connect_failure_cause.h): one warning when a burst of them starts, naming the
// errno, and one line when it ends with how many failed — not one line per
// connection, which during an overload would be thousands a second.
//
// A burst starts at a local failure and ends at a connect that gets going
// (socket() and connect() accepted it) once either `quiet` has passed without a
// local failure or kSuccessesToEnd connects in a row have got going; a failure
// after a quiet spell starts a new burst. Near a limit successes and failures
// interleave (every close lets one connect through), and that stays one burst.
// Within a burst a failure with a different cause or errno is announced too, so
// every reason is named once.
//
// Threads: any. Shared by every worker and the health checker. The success path
// is one relaxed atomic load while no burst is on, and a relaxed increment during
// one; the rest takes a mutex.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>

#include <spdlog/common.h>

#include "proxy/upstream/connect_failure_cause.h"

namespace weir::proxy {

class LocalErrorLog {
 public:
  using Clock = std::chrono::steady_clock;
  // Where the lines go: spdlog by default, a recorder in tests.
  using Sink = std::function<void(spdlog::level::level_enum level, const std::string& line)>;
  static constexpr std::chrono::milliseconds kDefaultQuiet{1000};
  static constexpr uint32_t kSuccessesToEnd = 10;

  LocalErrorLog();
  explicit LocalErrorLog(Sink sink, std::chrono::milliseconds quiet = kDefaultQuiet);
  LocalErrorLog(const LocalErrorLog&) = delete;
  LocalErrorLog& operator=(const LocalErrorLog&) = delete;

  // A connect for `what` (e.g. "outbound|9000|v1|… 127.0.0.1:9001") failed for
  // `cause`, a local one; `error` is its errno (0 for a late timer).
  void onFailure(ConnectFailureCause cause, int error, std::string_view what,
                 Clock::time_point now = Clock::now());
  // A connect got going: ends the burst if one is on and this is the end of it.
  void onSuccess(Clock::time_point now = Clock::now()) {
    if (!in_burst_.load(std::memory_order_relaxed)) return;
    const uint32_t in_a_row = successes_in_a_row_.fetch_add(1, std::memory_order_relaxed) + 1;
    if (in_a_row >= kSuccessesToEnd || quietSince(now)) endBurst(now);
  }

 private:
  bool quietSince(Clock::time_point now) const {
    return now.time_since_epoch().count() - last_failure_.load(std::memory_order_relaxed) >=
           quiet_ticks_;
  }
  void endBurst(Clock::time_point now);
  // The line that ends the current burst (mutex held); resets it.
  std::string endLineLocked();

  const Sink sink_;
  const Clock::rep quiet_ticks_;
  std::atomic<bool> in_burst_{false};
  std::atomic<Clock::rep> last_failure_{0};  // ticks since the clock's epoch
  std::atomic<uint32_t> successes_in_a_row_{0};  // since the last failure
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
