#include "proxy/local_error_log.h"

#include <cstring>

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

LocalErrorLog::LocalErrorLog(Sink sink) : sink_(std::move(sink)) {}

void LocalErrorLog::onFailure(ConnectFailureCause cause, int error, std::string_view what,
                              Clock::time_point now) {
  std::string line;
  {
    std::lock_guard lock(mutex_);
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
    const std::string reason = error != 0 ? describeErrno(error)
                                          : std::string("timeout noticed over a timeout late");
    line = fmt::format(
        "{}upstream connects fail for weir's own reasons: {}: {} (at {}); not held against "
        "endpoints, counted in upstream_cx_connect_local_fail (flag LF) and "
        "health_check.local_failure; logged again when connects work",
        starts ? "" : "also: ", reason, describe(cause), what);
  }
  sink_(spdlog::level::warn, line);
}

void LocalErrorLog::endBurst(Clock::time_point now) {
  std::string line;
  {
    std::lock_guard lock(mutex_);
    if (failures_ == 0) return;  // another thread ended it first
    const auto lasted = std::chrono::duration_cast<std::chrono::milliseconds>(now - started_);
    line = fmt::format("upstream connects work again: {} failed for weir's own reasons in {} ms",
                       failures_, lasted.count());
    failures_ = 0;
    in_burst_.store(false, std::memory_order_relaxed);
  }
  sink_(spdlog::level::info, line);
}

}  // namespace weir::proxy
