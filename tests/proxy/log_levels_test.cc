// /logging's list and changes, on spdlog loggers registered by the test.
#include <gtest/gtest.h>

#include <memory>

#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>

#include "proxy/admin/log_levels.h"

namespace weir::proxy {
namespace {

// Two loggers named like weir's, at info; dropped again afterwards.
class LogLevelsTest : public ::testing::Test {
 protected:
  // As the weir binary has them: "weir" the default logger, "access" beside it.
  void SetUp() override {
    spdlog::drop_all();
    for (const char* name : {"weir", "access"}) {
      auto logger = std::make_shared<spdlog::logger>(
          name, std::make_shared<spdlog::sinks::null_sink_mt>());
      logger->set_level(spdlog::level::info);
      if (logger->name() == "weir") {
        spdlog::set_default_logger(logger);
      } else {
        spdlog::register_logger(logger);
      }
    }
  }
  void TearDown() override {
    spdlog::drop_all();
    spdlog::set_default_logger(std::make_shared<spdlog::logger>(
        "", std::make_shared<spdlog::sinks::null_sink_mt>()));
  }
  static spdlog::level::level_enum levelOf(const char* name) { return spdlog::get(name)->level(); }
};

TEST_F(LogLevelsTest, ListsEveryLoggerSortedByName) {
  EXPECT_EQ(loggerLevelsText(), "active loggers:\n  access: info\n  weir: info\n");
}

TEST_F(LogLevelsTest, ChangesOneLoggerByName) {
  EXPECT_EQ(changeLoggerLevels({{"weir", "debug"}}), "");
  EXPECT_EQ(levelOf("weir"), spdlog::level::debug);
  EXPECT_EQ(levelOf("access"), spdlog::level::info);
  EXPECT_EQ(loggerLevelsText(), "active loggers:\n  access: info\n  weir: debug\n");
}

TEST_F(LogLevelsTest, LevelChangesEveryLogger) {
  EXPECT_EQ(changeLoggerLevels({{"level", "warning"}}), "");
  EXPECT_EQ(levelOf("weir"), spdlog::level::warn);
  EXPECT_EQ(levelOf("access"), spdlog::level::warn);
  EXPECT_EQ(changeLoggerLevels({{"level", "warn"}}), "") << "spdlog's short name too";
}

TEST_F(LogLevelsTest, PathsChangesSeveral) {
  EXPECT_EQ(changeLoggerLevels({{"paths", "weir:trace,access:off"}}), "");
  EXPECT_EQ(levelOf("weir"), spdlog::level::trace);
  EXPECT_EQ(levelOf("access"), spdlog::level::off);
}

// A wrong query changes nothing, not even the part that was right.
TEST_F(LogLevelsTest, WrongQueriesChangeNothing) {
  EXPECT_EQ(changeLoggerLevels({{"nosuch", "debug"}}), "unknown logger name \"nosuch\"");
  EXPECT_EQ(changeLoggerLevels({{"weir", "loud"}}), "unknown level \"loud\"");
  EXPECT_EQ(changeLoggerLevels({{"level", "loud"}}), "unknown level \"loud\"");
  EXPECT_EQ(changeLoggerLevels({{"paths", "weir:debug,nosuch:debug"}}),
            "unknown logger name \"nosuch\"");
  EXPECT_EQ(changeLoggerLevels({{"paths", "weir:"}}), "empty logger name or empty logger level");
  EXPECT_EQ(changeLoggerLevels({{"weir", "debug"}, {"access", "debug"}}),
            "invalid number of parameters");
  EXPECT_EQ(levelOf("weir"), spdlog::level::info);
  EXPECT_EQ(levelOf("access"), spdlog::level::info);
  EXPECT_NE(loggingUsage().find("usage: /logging?level=<level>"), std::string::npos);
}

}  // namespace
}  // namespace weir::proxy
