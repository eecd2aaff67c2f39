// /logging: the levels of a proxy's loggers ("weir", its own log; "access", the
// access log), listed and changed at run time as Envoy's admin does. The loggers are
// the proxy's, not spdlog's registry: an embedded proxy's logger is not registered.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <spdlog/logger.h>

namespace weir::proxy {

// The loggers /logging shows and changes, by the name it shows.
using NamedLoggers = std::map<std::string, std::shared_ptr<spdlog::logger>>;

// "active loggers:\n  access: info\n  weir: debug\n", sorted by name.
std::string loggerLevelsText(const NamedLoggers& loggers);

// Applies one /logging query, Envoy's forms: `level=L` (every logger),
// `<logger>=L` (one), `paths=<logger>:L,<logger>:L` (several). Levels are spdlog's:
// trace, debug, info, warning (or warn), error, critical, off. Changes nothing and
// returns the error when the query is wrong (two parameters, an unknown logger or
// level); returns "" on success. Each change is logged to the logger named "weir",
// if there is one.
std::string changeLoggerLevels(const NamedLoggers& loggers,
                               const std::vector<std::pair<std::string, std::string>>& query);

// The usage lines Envoy prints with a /logging error.
std::string loggingUsage();

}  // namespace weir::proxy
