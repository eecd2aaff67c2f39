#include "proxy/admin/log_levels.h"

#include <map>
#include <memory>
#include <optional>

#include <fmt/format.h>
#include <spdlog/common.h>

namespace weir::proxy {
namespace {

std::optional<spdlog::level::level_enum> levelNamed(const std::string& text) {
  if (text == "warn") return spdlog::level::warn;
  for (int level = spdlog::level::trace; level < spdlog::level::n_levels; ++level) {
    const auto name = spdlog::level::to_string_view(static_cast<spdlog::level::level_enum>(level));
    if (text == std::string_view(name.data(), name.size())) {
      return static_cast<spdlog::level::level_enum>(level);
    }
  }
  return std::nullopt;
}

std::string levelName(spdlog::level::level_enum level) {
  const auto name = spdlog::level::to_string_view(level);
  return std::string(name.data(), name.size());
}

}  // namespace

std::string loggerLevelsText(const NamedLoggers& loggers) {
  std::string text = "active loggers:\n";
  for (const auto& [name, logger] : loggers) {
    text += fmt::format("  {}: {}\n", name, levelName(logger->level()));
  }
  return text;
}

std::string loggingUsage() {
  std::string text =
      "usage: /logging?<name>=<level> (change single level)\n"
      "usage: /logging?paths=name1:level1,name2:level2,... (change multiple levels)\n"
      "usage: /logging?level=<level> (change all levels)\n"
      "levels:";
  for (int level = spdlog::level::trace; level < spdlog::level::n_levels; ++level) {
    text += " " + levelName(static_cast<spdlog::level::level_enum>(level));
  }
  return text + "\n";
}

std::string changeLoggerLevels(const NamedLoggers& known,
                               const std::vector<std::pair<std::string, std::string>>& query) {
  if (query.size() != 1) {
    return "invalid number of parameters";
  }
  const auto& [key, value] = query.front();
  const auto own = known.find("weir");
  spdlog::logger* announce = own == known.end() ? nullptr : own->second.get();
  if (key == "level") {
    const auto level = levelNamed(value);
    if (!level) return fmt::format("unknown level \"{}\"", value);
    for (const auto& [name, logger] : known) logger->set_level(*level);
    if (announce) announce->info("change all log levels: level='{}'", levelName(*level));
    return "";
  }
  // name -> level, all checked before any is changed.
  std::vector<std::pair<std::string, std::string>> pairs;
  if (key == "paths") {
    size_t start = 0;
    while (start <= value.size()) {
      const size_t comma = std::min(value.find(',', start), value.size());
      const std::string pair = value.substr(start, comma - start);
      const size_t colon = pair.find(':');
      if (colon == std::string::npos || colon == 0 || colon + 1 == pair.size()) {
        return "empty logger name or empty logger level";
      }
      pairs.emplace_back(pair.substr(0, colon), pair.substr(colon + 1));
      start = comma + 1;
    }
  } else {
    pairs.emplace_back(key, value);
  }
  std::vector<std::pair<std::shared_ptr<spdlog::logger>, spdlog::level::level_enum>> changes;
  for (const auto& [name, level_text] : pairs) {
    const auto logger = known.find(name);
    if (logger == known.end()) return fmt::format("unknown logger name \"{}\"", name);
    const auto level = levelNamed(level_text);
    if (!level) return fmt::format("unknown level \"{}\"", level_text);
    changes.emplace_back(logger->second, *level);
  }
  for (const auto& [logger, level] : changes) {
    if (announce) {
      announce->info("change log level: name='{}' level='{}'", logger->name(), levelName(level));
    }
    logger->set_level(level);
  }
  return "";
}

}  // namespace weir::proxy
