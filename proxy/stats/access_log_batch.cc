#include "proxy/stats/access_log_batch.h"

namespace weir::proxy {

AccessLogBatch::AccessLogBatch(std::shared_ptr<spdlog::logger> logger, bool json, event_base* loop)
    : logger_(std::move(logger)), json_(json) {
  lines_.reserve(kFlushBytes + 1024);
  timer_.assign(loop, -1, 0, &AccessLogBatch::onTimer, this);
}

AccessLogBatch::~AccessLogBatch() { flush(); }

void AccessLogBatch::add(const ConnectionRecord& record) {
  if (!lines_.empty()) lines_.push_back('\n');
  if (json_) {
    appendAccessLogJson(lines_, record);
  } else {
    appendAccessLogText(lines_, record);
  }
  if (lines_.size() >= kFlushBytes) {
    flush();
    return;
  }
  if (!timer_armed_) {
    timer_armed_ = true;
    const timeval after{0, static_cast<suseconds_t>(
                               std::chrono::microseconds(kFlushAfter).count())};
    timer_.add(&after);
  }
}

void AccessLogBatch::flush() {
  if (timer_armed_) {
    timer_armed_ = false;
    timer_.remove();
  }
  if (lines_.empty()) return;
  // An event-loop callback never throws: a logger that fails loses this batch only.
  try {
    logger_->log(spdlog::level::info, spdlog::string_view_t(lines_.data(), lines_.size()));
  } catch (...) {
  }
  lines_.clear();  // keeps its capacity
}

void AccessLogBatch::onTimer(evutil_socket_t, short, void* self) {
  auto* batch = static_cast<AccessLogBatch*>(self);
  batch->timer_armed_ = false;
  batch->flush();
}

}  // namespace weir::proxy
