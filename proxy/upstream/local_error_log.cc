#include "proxy/upstream/local_error_log.h"

#include <cstring>
#include <vector>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace weir::proxy {

std::string describeErrno(int error) {
  const char* name = strerrorname_np(error);
  return fmt::format("{} ({})", std::strerror(error), name != nullptr ? name : "?");
}

LocalErrorLog::LocalErrorLog()
    : LocalErrorLog([](spdlog::level::level_enum level, const std::string& line) {
        spdlog::log(level, "{}", line);
      }) {}

LocalErrorLog::LocalErrorLog(Sink sink, std::chrono::milliseconds quiet)
    : sink_(std::move(sink)),
      quiet_ticks_(std::chrono::duration_cast<Clock::duration>(quiet).count()) {}

void LocalErrorLog::onFailure(ConnectFailureCause cause, int error, std::string_view what,
                              Clock::time_point now) {
  std::vector<std::pair<spdlog::level::level_enum, std::string>> lines;
  {
    std::lock_guard lock(mutex_);
    const Clock::rep ticks = now.time_since_epoch().count();
    if (failures_ > 0 && ticks - last_failure_.load(std::memory_order_relaxed) >= quiet_ticks_) {
      lines.emplace_back(spdlog::level::info, endLineLocked());  // after a quiet spell: a new burst
    }
    last_failure_.store(ticks, std::memory_order_relaxed);
    successes_in_a_row_.store(0, std::memory_order_relaxed);
    const bool starts = failures_ == 0;
    ++failures_;
    if (starts) {
      started_ = now;
      in_burst_.store(true, std::memory_order_relaxed);
    } else if (cause == last_cause_ && error == last_error_) {
      return;  // announced already
    }
    last_cause_ = cause;
    last_error_ = error;
    const std::string reason =
        error != 0 ? describeErrno(error)
                   : std::string("a connect timeout noticed over a timeout late");
    lines.emplace_back(
        spdlog::level::warn,
        fmt::format("{}upstream connects fail for weir's own reasons: {}: {} (at {}); not held "
                    "against endpoints, counted in upstream_cx_connect_local_fail (flag LF) and "
                    "health_check.local_failure; one line follows when they stop",
                    starts ? "" : "also: ", reason, describe(cause), what));
  }
  for (const auto& [level, line] : lines) sink_(level, line);
}

void LocalErrorLog::endBurst(Clock::time_point now) {
  std::string line;
  {
    std::lock_guard lock(mutex_);
    // Another thread may have ended it, or a failure come, meanwhile.
    if (failures_ == 0 ||
        (successes_in_a_row_.load(std::memory_order_relaxed) < kSuccessesToEnd &&
         !quietSince(now))) {
      return;
    }
    line = endLineLocked();
  }
  sink_(spdlog::level::info, line);
}

std::string LocalErrorLog::endLineLocked() {
  const Clock::time_point last{Clock::duration(last_failure_.load(std::memory_order_relaxed))};
  const auto lasted = std::chrono::duration_cast<std::chrono::milliseconds>(last - started_);
  std::string line = fmt::format(
      "upstream connects failing for weir's own reasons stopped: {} failed in {} ms", failures_,
      lasted.count());
  failures_ = 0;
  in_burst_.store(false, std::memory_order_relaxed);
  return line;
}

}  // namespace weir::proxy
