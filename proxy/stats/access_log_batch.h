// A worker's access-log lines on their way to the logger, a batch at a time.
//
// Lines are formatted straight into one buffer that keeps its capacity, and the
// buffer goes to the logger (spdlog's "access", whose background thread writes it)
// as one message when it holds kFlushBytes, kFlushAfter after its first line, or
// when the worker stops. Handing over one line at a time cost a queue push, a
// wake-up of the writer thread and a write(2) per connection (bench/PROFILE.md);
// now that is paid per batch, and nothing is allocated per line. Envoy buffers its
// access logs the same way (flushed every second by default); a line still shows up
// within kFlushAfter of its connection's end.
//
// A batch is lines separated by '\n' without a final one: a logger whose pattern is
// "%v" (weir's) writes them exactly as one line each. Loop thread only.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include <spdlog/logger.h>

#include "common/embedded_event.h"
#include "proxy/stats/access_log.h"

namespace weir::proxy {

class AccessLogBatch {
 public:
  static constexpr size_t kFlushBytes = 32 * 1024;
  static constexpr std::chrono::milliseconds kFlushAfter{100};

  // `loop` runs the flush timer; `json` picks the line format.
  AccessLogBatch(std::shared_ptr<spdlog::logger> logger, bool json, event_base* loop);
  ~AccessLogBatch();  // flushes what is left
  AccessLogBatch(const AccessLogBatch&) = delete;
  AccessLogBatch& operator=(const AccessLogBatch&) = delete;

  void add(const ConnectionRecord& record);
  void flush();
  size_t pendingBytes() const { return lines_.size(); }

 private:
  static void onTimer(evutil_socket_t, short, void* self);

  std::shared_ptr<spdlog::logger> logger_;
  bool json_;
  std::string lines_;
  EmbeddedEvent timer_;
  bool timer_armed_ = false;
};

}  // namespace weir::proxy
