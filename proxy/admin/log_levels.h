// /logging: the levels of spdlog's loggers ("weir", the process's log; "access",
// the access log), listed and changed at run time as Envoy's admin does.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace weir::proxy {

// "active loggers:\n  access: info\n  weir: debug\n", sorted by name; the default
// logger shows as "default" when it has no name.
std::string loggerLevelsText();

// Applies one /logging query, Envoy's forms: `level=L` (every logger),
// `<logger>=L` (one), `paths=<logger>:L,<logger>:L` (several). Levels are spdlog's:
// trace, debug, info, warning (or warn), error, critical, off. Changes nothing and
// returns the error when the query is wrong (two parameters, an unknown logger or
// level); returns "" on success.
std::string changeLoggerLevels(const std::vector<std::pair<std::string, std::string>>& query);

// The usage lines Envoy prints with a /logging error.
std::string loggingUsage();

}  // namespace weir::proxy
