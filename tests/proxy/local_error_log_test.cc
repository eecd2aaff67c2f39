#include "proxy/upstream/local_error_log.h"

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

  // The first connect that works after a quiet second ends it.
  log_.onSuccess(start_ + milliseconds(1498));
  EXPECT_EQ(lines_.size(), 1u) << "not quiet for a second yet";
  log_.onSuccess(start_ + milliseconds(1499));
  ASSERT_EQ(lines_.size(), 2u);
  EXPECT_EQ(lines_[1].level, spdlog::level::info);
  EXPECT_NE(lines_[1].text.find("500 failed in 499 ms"), std::string::npos) << lines_[1].text;

  // Successes outside a burst log nothing; the next burst is announced again.
  log_.onSuccess(start_ + milliseconds(3000));
  log_.onSuccess(start_ + milliseconds(4000));
  EXPECT_EQ(lines_.size(), 2u);
  log_.onFailure(Cause::kLocalShortage, EMFILE, "x", start_ + milliseconds(5000));
  EXPECT_EQ(lines_.size(), 3u);
}

TEST_F(LocalErrorLogTest, SuccessesBetweenFailuresNearTheLimitDoNotSplitTheBurst) {
  // At the limit every close lets one connect through, and the next one fails.
  for (int i = 0; i < 100; ++i) {
    log_.onFailure(Cause::kLocalShortage, EMFILE, "x", start_ + milliseconds(10 * i));
    log_.onSuccess(start_ + milliseconds(10 * i + 5));
  }
  ASSERT_EQ(lines_.size(), 1u);
  log_.onSuccess(start_ + milliseconds(990 + 1000));
  ASSERT_EQ(lines_.size(), 2u);
  EXPECT_NE(lines_[1].text.find("100 failed in 990 ms"), std::string::npos) << lines_[1].text;
}

TEST_F(LocalErrorLogTest, TenConnectsInARowEndItWithoutWaitingForTheQuietTime) {
  log_.onFailure(Cause::kLocalShortage, EMFILE, "x", start_);
  for (uint32_t i = 1; i < LocalErrorLog::kSuccessesToEnd; ++i) log_.onSuccess(start_);
  EXPECT_EQ(lines_.size(), 1u);
  log_.onSuccess(start_);
  ASSERT_EQ(lines_.size(), 2u);
  EXPECT_EQ(lines_[1].level, spdlog::level::info);
}

TEST_F(LocalErrorLogTest, AFailureAfterAQuietSpellEndsTheBurstAndStartsANewOne) {
  log_.onFailure(Cause::kLocalAddress, EADDRNOTAVAIL, "x", start_);
  log_.onFailure(Cause::kLocalAddress, EADDRNOTAVAIL, "x", start_ + milliseconds(100));
  // No connect at all meanwhile: the next failure, a second later, is a new burst.
  log_.onFailure(Cause::kLocalAddress, EADDRNOTAVAIL, "x", start_ + milliseconds(1100));
  ASSERT_EQ(lines_.size(), 3u);
  EXPECT_EQ(lines_[0].level, spdlog::level::warn);
  EXPECT_EQ(lines_[1].level, spdlog::level::info);
  EXPECT_NE(lines_[1].text.find("2 failed in 100 ms"), std::string::npos) << lines_[1].text;
  EXPECT_EQ(lines_[2].level, spdlog::level::warn);
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
  log_.onSuccess(start_ + milliseconds(1000));
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
  const auto start = LocalErrorLog::Clock::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&log, start] {
      for (int i = 0; i < 1000; ++i) {
        log.onFailure(Cause::kLocalShortage, ENFILE, "x", start + milliseconds(i % 10));
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  threads.clear();
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&log, start] {
      for (int i = 0; i < 1000; ++i) log.onSuccess(start + std::chrono::seconds(2));
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
