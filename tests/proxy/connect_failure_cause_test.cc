#include "proxy/upstream/connect_failure_cause.h"

#include <sys/socket.h>

#include <gtest/gtest.h>

#include <cerrno>

namespace weir::proxy {
namespace {

using Cause = ConnectFailureCause;
using std::chrono::milliseconds;

TEST(ConnectFailureCause, RunningOutOfDescriptorsOrMemoryIsWeirsOwnAtEitherStep) {
  for (int error : {EMFILE, ENFILE, ENOBUFS, ENOMEM}) {
    for (int family : {AF_INET, AF_INET6, AF_UNIX}) {
      EXPECT_EQ(connectErrorCause(ConnectStep::kSocket, error, family), Cause::kLocalShortage)
          << error << " " << family;
      EXPECT_EQ(connectErrorCause(ConnectStep::kConnect, error, family), Cause::kLocalShortage)
          << error << " " << family;
    }
  }
}

TEST(ConnectFailureCause, AnySocketFailureIsWeirsOwnSinceNothingWasSent) {
  EXPECT_EQ(connectErrorCause(ConnectStep::kSocket, EAFNOSUPPORT, AF_INET6), Cause::kLocalAddress);
  EXPECT_EQ(connectErrorCause(ConnectStep::kSocket, EACCES, AF_INET), Cause::kLocalAddress);
  EXPECT_EQ(connectErrorCause(ConnectStep::kSocket, ECONNREFUSED, AF_INET), Cause::kLocalAddress);
}

TEST(ConnectFailureCause, NoEphemeralPortTowardsTheEndpointIsWeirsOwn) {
  EXPECT_EQ(connectErrorCause(ConnectStep::kConnect, EADDRNOTAVAIL, AF_INET), Cause::kLocalAddress);
  EXPECT_EQ(connectErrorCause(ConnectStep::kConnect, EADDRNOTAVAIL, AF_INET6),
            Cause::kLocalAddress);
  EXPECT_EQ(connectErrorCause(ConnectStep::kConnect, EADDRINUSE, AF_INET), Cause::kLocalAddress);
}

TEST(ConnectFailureCause, WhatTheEndpointOrItsNetworkAnswersIsTheUpstreams) {
  for (int error : {ECONNREFUSED, ETIMEDOUT, EHOSTUNREACH, ENETUNREACH, ECONNRESET, EACCES,
                    EPERM}) {
    EXPECT_EQ(connectErrorCause(ConnectStep::kConnect, error, AF_INET), Cause::kUpstream) << error;
    EXPECT_FALSE(isLocal(connectErrorCause(ConnectStep::kConnect, error, AF_INET6))) << error;
  }
  // A Unix socket path that is gone or refuses.
  EXPECT_EQ(connectErrorCause(ConnectStep::kConnect, ENOENT, AF_UNIX), Cause::kUpstream);
  EXPECT_EQ(connectErrorCause(ConnectStep::kConnect, ECONNREFUSED, AF_UNIX), Cause::kUpstream);
}

TEST(ConnectFailureCause, EagainIsAFullUnixBacklogButAShortKernelTableForTcp) {
  EXPECT_EQ(connectErrorCause(ConnectStep::kConnect, EAGAIN, AF_UNIX), Cause::kUpstream);
  EXPECT_EQ(connectErrorCause(ConnectStep::kConnect, EAGAIN, AF_INET), Cause::kLocalShortage);
  EXPECT_EQ(connectErrorCause(ConnectStep::kConnect, EAGAIN, AF_INET6), Cause::kLocalShortage);
}

TEST(ConnectFailureCause, ATimeoutSeenMoreThanATimeoutLateIsWeirsOwn) {
  const milliseconds timeout{200};
  EXPECT_EQ(connectTimeoutCause(milliseconds(0), timeout), Cause::kUpstream);
  EXPECT_EQ(connectTimeoutCause(milliseconds(150), timeout), Cause::kUpstream);
  EXPECT_EQ(connectTimeoutCause(milliseconds(200), timeout), Cause::kUpstream) << "exactly one";
  EXPECT_EQ(connectTimeoutCause(milliseconds(201), timeout), Cause::kLocalLateTimer);
  EXPECT_EQ(connectTimeoutCause(std::chrono::seconds(30), timeout), Cause::kLocalLateTimer);
  // A timer that fired early (clock granularity) is on time.
  EXPECT_EQ(connectTimeoutCause(milliseconds(-1), timeout), Cause::kUpstream);
}

TEST(ConnectFailureCause, OnlyUpstreamIsNotLocal) {
  EXPECT_FALSE(isLocal(Cause::kUpstream));
  EXPECT_TRUE(isLocal(Cause::kLocalShortage));
  EXPECT_TRUE(isLocal(Cause::kLocalAddress));
  EXPECT_TRUE(isLocal(Cause::kLocalLateTimer));
}

}  // namespace
}  // namespace weir::proxy
