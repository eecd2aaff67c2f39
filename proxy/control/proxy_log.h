// The proxy's own log (not the access log): the logger a proxy writes to when the
// embedding program gives none, and the two line formats of weir's log, both with
// the ISO 8601 UTC timestamps of common/iso_time.h:
//   text  [2026-11-25T19:20:17.042Z] [info] ready: 1 listener(s), 2 worker(s)
//   json  {"time":"2026-11-25T19:20:17.042Z","level":"info","logger":"weir","message":"ready: …"}
#pragma once

#include <memory>

#include <spdlog/logger.h>

#include <weir/proxy.h>

namespace weir::proxy {

enum class LogFormat { kText, kJson };

// Makes `logger` write its lines in `format`.
void setLogFormat(spdlog::logger& logger, LogFormat format);

// settings.logger, or else a new logger named "weir" writing text lines to standard
// error at settings.log_level. Never null. Not registered with spdlog, so that two
// proxies in one process keep their own levels.
std::shared_ptr<spdlog::logger> proxyLogger(const ProxySettings& settings);

}  // namespace weir::proxy
