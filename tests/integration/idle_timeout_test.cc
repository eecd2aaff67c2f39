// DestinationRule trafficPolicy.connectionPool.tcp.idleTimeout: a connection with no
// byte either way for that long is closed and counted; one that keeps talking stays.
#include <gtest/gtest.h>

#include <thread>

#include "tests/support/echo_server.h"
#include "tests/support/istio_scenarios.h"
#include "tests/support/ready_weir.h"
#include "tests/support/tcp_connection.h"
#include "tests/support/temp_dir.h"

namespace weir::test {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr uint16_t kPort = 9000;

std::filesystem::path writeIdleConfig(const TempDir& dir, uint16_t echo_port) {
  istio::Config config = istio::singleCluster({echo_port});
  config.destinationRule().trafficPolicy(
      istio::TrafficPolicy().connectionPool(istio::TcpSettings().idleTimeout("1s")));
  return config.writeFileIn(dir);
}

TEST(IdleTimeout, ClosesOnlyTheConnectionThatWentQuiet) {
  TempDir dir;
  EchoServer one(dir, "one");
  ReadyWeir weir(dir, {writeIdleConfig(dir, one.port())},
                 {.concurrency = 1, .ephemeral_gateway_ports = {kPort}});

  std::optional<TcpConnection> quiet = TcpConnection::connect(weir.port(kPort), seconds(5));
  std::optional<TcpConnection> busy = TcpConnection::connect(weir.port(kPort), seconds(5));
  ASSERT_TRUE(quiet && busy);
  ASSERT_EQ(quiet->sendAll("hello\n", seconds(5)), IoStatus::kOk);
  ASSERT_EQ(quiet->readLine(seconds(5)), "one hello");
  const auto quiet_since = Clock::now();

  // The busy one talks every 300 ms for 2.5 s: never 1 s without a byte.
  for (int i = 0; i < 8; ++i) {
    ASSERT_EQ(busy->sendAll("ping\n", seconds(5)), IoStatus::kOk) << "round " << i;
    ASSERT_EQ(busy->readLine(seconds(5)), "one ping") << "round " << i;
    std::this_thread::sleep_for(milliseconds(300));
  }

  // The quiet one was closed by the proxy, about 1 s after its last byte.
  TcpConnection::ReadResult end = quiet->readUntilEof(seconds(5));
  EXPECT_EQ(end.end, IoStatus::kEof) << toString(end.end);
  EXPECT_TRUE(end.data.empty());
  EXPECT_GE(Clock::now() - quiet_since, milliseconds(900));
  EXPECT_EQ(weir.stat("cluster.outbound|9000|v1|echo.default.svc.cluster.local."
                      "upstream_cx_idle_timeout"),
            1u);
  // The busy one still works.
  ASSERT_EQ(busy->sendAll("still here\n", seconds(5)), IoStatus::kOk);
  EXPECT_EQ(busy->readLine(seconds(5)), "one still here");
}

}  // namespace
}  // namespace weir::test
