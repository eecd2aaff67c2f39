#include "proxy/control/proxy_log.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>

#include <string>

#include "common/iso_time.h"
#include "common/json_text.h"

namespace weir::proxy {
namespace {

// One JSON object per line: time, level, logger, message (JSON-escaped, which a
// pattern cannot do).
class JsonLineFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& message, spdlog::memory_buf_t& line) override {
    const spdlog::string_view_t level = spdlog::level::to_string_view(message.level);
    std::string text = "{\"time\":\"" + isoUtcTime(message.time) + "\",\"level\":" +
                       jsonString(std::string_view(level.data(), level.size())) +
                       ",\"logger\":" +
                       jsonString(std::string_view(message.logger_name.data(),
                                                   message.logger_name.size())) +
                       ",\"message\":" +
                       jsonString(std::string_view(message.payload.data(),
                                                   message.payload.size())) +
                       "}\n";
    line.append(text.data(), text.data() + text.size());
  }
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<JsonLineFormatter>();
  }
};

}  // namespace

void setLogFormat(spdlog::logger& logger, LogFormat format) {
  if (format == LogFormat::kJson) {
    logger.set_formatter(std::make_unique<JsonLineFormatter>());
    return;
  }
  logger.set_formatter(std::make_unique<spdlog::pattern_formatter>(
      "[" + std::string(kIsoUtcTimePattern) + "] [%^%l%$] %v", spdlog::pattern_time_type::utc));
}

std::shared_ptr<spdlog::logger> proxyLogger(const ProxySettings& settings) {
  if (settings.logger) return settings.logger;
  auto logger =
      std::make_shared<spdlog::logger>("weir", std::make_shared<spdlog::sinks::stderr_sink_mt>());
  setLogFormat(*logger, LogFormat::kText);
  logger->set_level(settings.log_level);
  return logger;
}

}  // namespace weir::proxy
