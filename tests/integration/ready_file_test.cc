// --ready-file and --port-override: a test waits for the file, never for sleeps,
// and finds every Gateway server's and the admin server's actual port in it.
#include <gtest/gtest.h>

#include "tests/support/echo_client.h"
#include "tests/support/echo_server.h"
#include "tests/support/istio_scenarios.h"
#include "tests/support/ready_weir.h"
#include "tests/support/tcp_connection.h"
#include "tests/support/temp_dir.h"

namespace weir::test {
namespace {

using std::chrono::milliseconds;

TEST(ReadyFile, NamesEveryListenerAndTheAdminServerAndIsWrittenOnlyOnceTheyAccept) {
  TempDir dir;
  EchoServer one(dir, "one");
  EchoServer two(dir, "two");
  istio::Config scenario = istio::walkThroughObjects();
  scenario.addPortRoute("tcp", 9000, istio::walkThroughSubset("v1"))
      .addPortRoute("tcp-canary", 9100, istio::walkThroughSubset("v2"));
  scenario.addVersionSubset("v1", {one.port()}).addVersionSubset("v2", {two.port()});
  const std::filesystem::path config = scenario.writeSplitIn(dir);
  ReadyWeir weir(dir, {config}, {.ephemeral_gateway_ports = {9000, 9100}});

  const ReadyInfo& ready = weir.ready();
  ASSERT_EQ(ready.listeners.size(), 2u);
  for (uint16_t configured : {9000, 9100}) {
    const ReadyListener* listener = ready.listener(configured);
    ASSERT_NE(listener, nullptr) << "no entry for Gateway port " << configured;
    EXPECT_EQ(listener->address, "127.0.0.1");
    EXPECT_NE(listener->port, configured) << "--port-override " << configured << "=0";
    EXPECT_NE(listener->port, 0);
    EXPECT_FALSE(listener->gateway.empty());
    // Written only when ready: the first connect succeeds, no retry needed.
    EXPECT_TRUE(TcpConnection::connect(listener->port, milliseconds(1000)).has_value())
        << "listener for " << configured << " not accepting when the ready file appeared";
  }
  EXPECT_EQ(ready.listener(9000)->server, "tcp");
  EXPECT_EQ(ready.listener(9100)->server, "tcp-canary");
  EXPECT_EQ(ready.pid, weir.process().pid());
  ASSERT_TRUE(ready.admin_port.has_value());
  EXPECT_EQ(weir.get("/ready").status, 200);

  // Rules still match on the Gateway's port, wherever the listener really is.
  for (auto [configured, word] : {std::pair{9000, "one"}, std::pair{9100, "two"}}) {
    EchoClientRun run =
        runEchoClient(dir, weir.port(configured), {.connections = 20, .concurrency = 5});
    ASSERT_TRUE(run.tally.has_value()) << run.describe();
    EXPECT_EQ(run.tally->count(word), 20u) << run.describe();
  }
}

}  // namespace
}  // namespace weir::test
