// ShortReadChecks: a connection queued after a short read is read again one to two
// ticks later, once, and not at all if it finished meanwhile. Runs a real libevent
// loop; each EVLOOP_ONCE waits for the next tick (2 ms), so every test is bounded.
#include "proxy/connection/short_read_checks.h"

#include <gtest/gtest.h>

#include <functional>

#include "common/libevent_handles.h"

namespace weir::proxy {
namespace {

class CountingConnection final : public ShortReadCheckable {
 public:
  void checkShortReads() override {
    ++checks;
    if (on_check) on_check();
  }
  int checks = 0;
  std::function<void()> on_check;
};

class ShortReadChecksTest : public ::testing::Test {
 protected:
  // Runs the loop until its next tick has fired.
  void tick() { ASSERT_EQ(event_base_loop(base_.get(), EVLOOP_ONCE), 0); }

  EventBasePtr base_{event_base_new()};
  ShortReadChecks checks_{base_.get()};
};

TEST_F(ShortReadChecksTest, AQueuedConnectionIsCheckedOnceAfterAWholeTick) {
  CountingConnection connection;
  checks_.add(connection);
  checks_.add(connection);  // queued once, however often it reads short
  EXPECT_EQ(checks_.queued(), 1u);
  tick();  // the tick it was queued in ends: not yet a whole tick old
  EXPECT_EQ(connection.checks, 0);
  tick();
  EXPECT_EQ(connection.checks, 1);
  EXPECT_EQ(checks_.queued(), 0u);
  // Nothing left: the timer is not armed again, so the loop has nothing to wait for.
  EXPECT_EQ(event_base_loop(base_.get(), EVLOOP_NONBLOCK), 1);
  EXPECT_EQ(connection.checks, 1);
}

TEST_F(ShortReadChecksTest, AFinishedConnectionIsNotChecked) {
  CountingConnection finished, open;
  checks_.add(finished);
  checks_.add(open);
  checks_.remove(finished);
  checks_.remove(finished);  // harmless twice
  tick();
  tick();
  EXPECT_EQ(finished.checks, 0);
  EXPECT_EQ(open.checks, 1);
}

TEST_F(ShortReadChecksTest, RemovingFromEitherGenerationKeepsTheOthers) {
  CountingConnection a, b, c, d;
  checks_.add(a);
  checks_.add(b);
  tick();  // a and b are due at the next tick
  checks_.add(c);
  checks_.add(d);
  checks_.remove(a);  // from the due generation
  checks_.remove(c);  // from the current one
  EXPECT_EQ(checks_.queued(), 2u);
  tick();
  EXPECT_EQ(a.checks + b.checks + c.checks + d.checks, 1);
  EXPECT_EQ(b.checks, 1);
  tick();
  EXPECT_EQ(d.checks, 1);
  EXPECT_EQ(a.checks + c.checks, 0);
}

TEST_F(ShortReadChecksTest, AConnectionThatReadsShortAgainWhileCheckedIsQueuedAgain) {
  CountingConnection connection;
  connection.on_check = [&] {
    if (connection.checks == 1) checks_.add(connection);
  };
  checks_.add(connection);
  tick();
  tick();
  EXPECT_EQ(connection.checks, 1);
  EXPECT_EQ(checks_.queued(), 1u);
  tick();
  tick();
  EXPECT_EQ(connection.checks, 2);
  EXPECT_EQ(checks_.queued(), 0u);
}

}  // namespace
}  // namespace weir::proxy
