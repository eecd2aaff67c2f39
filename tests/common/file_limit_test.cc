#include "common/file_limit.h"

#include <sys/resource.h>

#include <algorithm>
#include <cstdint>
#include <fstream>

#include <gtest/gtest.h>

namespace weir {
namespace {

// What the soft limit can be raised to: the hard limit, within fs.nr_open.
rlim_t reachableLimit(const rlimit& limit) {
  std::ifstream nr_open("/proc/sys/fs/nr_open");
  rlim_t ceiling = 0;
  if (!(nr_open >> ceiling) || ceiling == 0) ceiling = 1 << 20;
  return limit.rlim_max == RLIM_INFINITY ? ceiling : std::min(limit.rlim_max, ceiling);
}

// Lowers the soft limit for one test and puts it back afterwards.
class OpenFileLimit : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &original_), 0); }
  void TearDown() override { setrlimit(RLIMIT_NOFILE, &original_); }

  rlimit original_{};
};

TEST_F(OpenFileLimit, RaisesTheSoftLimitToTheHardOne) {
  if (original_.rlim_max < 128) GTEST_SKIP() << "hard limit " << original_.rlim_max;
  rlimit lowered = original_;
  lowered.rlim_cur = 64;
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &lowered), 0);

  const std::uint64_t reported = raiseOpenFileLimit();

  rlimit now{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &now), 0);
  EXPECT_EQ(now.rlim_cur, reachableLimit(original_));
  EXPECT_EQ(reported, now.rlim_cur);
  EXPECT_EQ(now.rlim_max, original_.rlim_max);  // the hard limit is left alone
}

TEST_F(OpenFileLimit, AtTheHardLimitAlreadyNothingChanges) {
  rlimit at_most = original_;
  at_most.rlim_cur = reachableLimit(original_);
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &at_most), 0);

  EXPECT_EQ(raiseOpenFileLimit(), at_most.rlim_cur);
  rlimit now{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &now), 0);
  EXPECT_EQ(now.rlim_cur, at_most.rlim_cur);
}

}  // namespace
}  // namespace weir
