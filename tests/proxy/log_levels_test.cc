// /logging's list and changes, on loggers the test makes (none registered with spdlog).
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <spdlog/sinks/null_sink.h>

#include "proxy/admin/log_levels.h"

namespace weir::proxy {
namespace {

// Two loggers named like a proxy's, at info, handed over as the proxy hands them.
class LogLevelsTest : public ::testing::Test {
 protected:
  LogLevelsTest() {
    for (const char* name : {"weir", "access"}) {
      auto logger = std::make_shared<spdlog::logger>(
          name, std::make_shared<spdlog::sinks::null_sink_mt>());
      logger->set_level(spdlog::level::info);
      loggers_.emplace(name, logger);
    }
  }
  std::string list() const { return loggerLevelsText(loggers_); }
  std::string change(const std::vector<std::pair<std::string, std::string>>& query) {
    return changeLoggerLevels(loggers_, query);
  }
  spdlog::level::level_enum levelOf(const char* name) const { return loggers_.at(name)->level(); }

  NamedLoggers loggers_;
};

TEST_F(LogLevelsTest, ListsEveryLoggerSortedByName) {
  EXPECT_EQ(list(), "active loggers:\n  access: info\n  weir: info\n");
}

TEST_F(LogLevelsTest, ChangesOneLoggerByName) {
  EXPECT_EQ(change({{"weir", "debug"}}), "");
  EXPECT_EQ(levelOf("weir"), spdlog::level::debug);
  EXPECT_EQ(levelOf("access"), spdlog::level::info);
  EXPECT_EQ(list(), "active loggers:\n  access: info\n  weir: debug\n");
}

TEST_F(LogLevelsTest, LevelChangesEveryLogger) {
  EXPECT_EQ(change({{"level", "warning"}}), "");
  EXPECT_EQ(levelOf("weir"), spdlog::level::warn);
  EXPECT_EQ(levelOf("access"), spdlog::level::warn);
  EXPECT_EQ(change({{"level", "warn"}}), "") << "spdlog's short name too";
}

TEST_F(LogLevelsTest, PathsChangesSeveral) {
  EXPECT_EQ(change({{"paths", "weir:trace,access:off"}}), "");
  EXPECT_EQ(levelOf("weir"), spdlog::level::trace);
  EXPECT_EQ(levelOf("access"), spdlog::level::off);
}

// A wrong query changes nothing, not even the part that was right.
TEST_F(LogLevelsTest, WrongQueriesChangeNothing) {
  EXPECT_EQ(change({{"nosuch", "debug"}}), "unknown logger name \"nosuch\"");
  EXPECT_EQ(change({{"weir", "loud"}}), "unknown level \"loud\"");
  EXPECT_EQ(change({{"level", "loud"}}), "unknown level \"loud\"");
  EXPECT_EQ(change({{"paths", "weir:debug,nosuch:debug"}}),
            "unknown logger name \"nosuch\"");
  EXPECT_EQ(change({{"paths", "weir:"}}), "empty logger name or empty logger level");
  EXPECT_EQ(change({{"weir", "debug"}, {"access", "debug"}}),
            "invalid number of parameters");
  EXPECT_EQ(levelOf("weir"), spdlog::level::info);
  EXPECT_EQ(levelOf("access"), spdlog::level::info);
  EXPECT_NE(loggingUsage().find("usage: /logging?level=<level>"), std::string::npos);
}

}  // namespace
}  // namespace weir::proxy
