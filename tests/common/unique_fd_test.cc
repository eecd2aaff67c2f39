#include "common/unique_fd.h"

#include <fcntl.h>
#include <unistd.h>

#include <utility>

#include <gtest/gtest.h>

namespace weir {
namespace {

bool isOpen(int fd) { return fcntl(fd, F_GETFD) != -1; }

// A pipe's ends, each owned; `raw` keeps their numbers for checking afterwards.
struct OwnedPipe {
  OwnedPipe() {
    EXPECT_EQ(pipe(raw), 0);
    read_end = UniqueFd(raw[0]);
    write_end = UniqueFd(raw[1]);
  }
  int raw[2] = {-1, -1};
  UniqueFd read_end;
  UniqueFd write_end;
};

TEST(UniqueFd, ClosesWhatItHoldsOnce) {
  int number = -1;
  {
    OwnedPipe pipe;
    number = pipe.raw[0];
    EXPECT_TRUE(isOpen(number));
    EXPECT_TRUE(pipe.read_end);
    EXPECT_EQ(pipe.read_end.get(), number);
  }
  EXPECT_FALSE(isOpen(number));
  EXPECT_FALSE(UniqueFd());
  EXPECT_FALSE(UniqueFd(-1).valid());
}

TEST(UniqueFd, AMoveHandsOverTheDescriptor) {
  OwnedPipe pipe;
  UniqueFd moved(std::move(pipe.read_end));
  EXPECT_FALSE(pipe.read_end);
  EXPECT_EQ(moved.get(), pipe.raw[0]);
  // Assigning closes what the target held before.
  moved = std::move(pipe.write_end);
  EXPECT_FALSE(isOpen(pipe.raw[0]));
  EXPECT_TRUE(isOpen(pipe.raw[1]));
  EXPECT_EQ(moved.get(), pipe.raw[1]);
}

TEST(UniqueFd, ReleaseGivesItUpWithoutClosing) {
  OwnedPipe pipe;
  const int released = pipe.read_end.release();
  EXPECT_EQ(released, pipe.raw[0]);
  EXPECT_FALSE(pipe.read_end);
  pipe.read_end.reset();  // holds nothing: closes nothing
  EXPECT_TRUE(isOpen(released));
  close(released);
}

TEST(UniqueFd, ResetClosesAndTakesAnother) {
  OwnedPipe pipe;
  pipe.read_end.reset(pipe.write_end.release());
  EXPECT_FALSE(isOpen(pipe.raw[0]));
  EXPECT_EQ(pipe.read_end.get(), pipe.raw[1]);
}

}  // namespace
}  // namespace weir
