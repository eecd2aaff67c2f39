#include "proxy/local_error_log.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace weir::proxy {
namespace {

using Cause = ConnectFailureCause;
using std::chrono::milliseconds;

struct Line {
  spdlog::level::level_enum level;
  std::string text;
};

class LocalErrorLogTest : public ::testing::Test {
 protected:
  std::vector<Line> lines_;
  LocalErrorLog log_{[this](spdlog::level::level_enum level, const std::string& text) {
    lines_.push_back({level, text});
  }};
  const LocalErrorLog::Clock::time_point start_ = LocalErrorLog::Clock::now();
};

TEST_F(LocalErrorLogTest, ABurstIsOneWarningWithTheErrnoAndOneLineWhenItEnds) {
  for (int i = 0; i < 500; ++i) {
    log_.onFailure(Cause::kLocalShortage, EMFILE, "outbound|9000|v1|echo 127.0.0.1:9001",
                   start_ + milliseconds(i));
  }
  ASSERT_EQ(lines_.size(), 1u);
  EXPECT_EQ(lines_[0].level, spdlog::level::warn);
  EXPECT_NE(lines_[0].text.find("EMFILE"), std::string::npos) << lines_[0].text;
  EXPECT_NE(lines_[0].text.find("127.0.0.1:9001"), std::string::npos) << lines_[0].text;

  log_.onSuccess(start_ + milliseconds(1500));
  ASSERT_EQ(lines_.size(), 2u);
  EXPECT_EQ(lines_[1].level, spdlog::level::info);
  EXPECT_NE(lines_[1].text.find("500 failed"), std::string::npos) << lines_[1].text;
  EXPECT_NE(lines_[1].text.find("1500 ms"), std::string::npos) << lines_[1].text;

  // Successes outside a burst log nothing; the next burst is announced again.
  log_.onSuccess();
  log_.onSuccess();
  EXPECT_EQ(lines_.size(), 2u);
  log_.onFailure(Cause::kLocalShortage, EMFILE, "x", start_ + milliseconds(2000));
  EXPECT_EQ(lines_.size(), 3u);
}

TEST_F(LocalErrorLogTest, ANewReasonWithinABurstIsNamedOnce) {
  log_.onFailure(Cause::kLocalShortage, EMFILE, "a", start_);
  log_.onFailure(Cause::kLocalAddress, EADDRNOTAVAIL, "b", start_);
  log_.onFailure(Cause::kLocalAddress, EADDRNOTAVAIL, "b", start_);
  log_.onFailure(Cause::kLocalLateTimer, 0, "c", start_);
  log_.onFailure(Cause::kLocalLateTimer, 0, "c", start_);
  ASSERT_EQ(lines_.size(), 3u);
  EXPECT_NE(lines_[1].text.find("EADDRNOTAVAIL"), std::string::npos) << lines_[1].text;
  EXPECT_NE(lines_[2].text.find("late"), std::string::npos) << lines_[2].text;
  log_.onSuccess(start_);
  ASSERT_EQ(lines_.size(), 4u);
  EXPECT_NE(lines_[3].text.find("5 failed"), std::string::npos) << lines_[3].text;
}

TEST(LocalErrorLog, ManyThreadsGetOneWarningAndOneEndPerBurst) {
  std::mutex mutex;
  std::vector<spdlog::level::level_enum> levels;
  LocalErrorLog log([&](spdlog::level::level_enum level, const std::string&) {
    std::lock_guard lock(mutex);
    levels.push_back(level);
  });
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&log] {
      for (int i = 0; i < 1000; ++i) log.onFailure(Cause::kLocalShortage, ENFILE, "x");
    });
  }
  for (std::thread& thread : threads) thread.join();
  threads.clear();
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&log] {
      for (int i = 0; i < 1000; ++i) log.onSuccess();
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(levels, (std::vector{spdlog::level::warn, spdlog::level::info}));
}

TEST(DescribeErrno, GivesTheMessageAndTheSymbolicName) {
  EXPECT_EQ(describeErrno(EMFILE), "Too many open files (EMFILE)");
  EXPECT_EQ(describeErrno(EADDRNOTAVAIL), "Cannot assign requested address (EADDRNOTAVAIL)");
}

}  // namespace
}  // namespace weir::proxy
