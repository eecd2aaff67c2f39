// Limits with the real binary: --max-connections closes what is over it at once
// and nothing else; running out of file descriptors pauses accepting instead of
// spinning, and weir recovers when descriptors free up.
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

#include "tests/support/echo_server.h"
#include "tests/support/istio_scenarios.h"
#include "tests/support/ready_weir.h"
#include "tests/support/tcp_connection.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_paths.h"

namespace weir::test {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr uint16_t kPort = 9000;

std::filesystem::path writeScenario(const TempDir& dir, uint16_t echo_port) {
  return istio::walkThrough(kPort, {{"v1", 100, {echo_port}}}).writeSplitIn(dir);
}

std::optional<TcpConnection> greeted(uint16_t port) {
  auto connection = TcpConnection::connect(port, seconds(5));
  if (!connection || connection->sendAll("hi\n", seconds(5)) != IoStatus::kOk ||
      connection->readLine(seconds(5)) != "one hi") {
    return std::nullopt;
  }
  return connection;
}

// utime + stime of a process, in clock ticks.
uint64_t cpuTicks(int pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), {});
  std::istringstream fields(text.substr(text.rfind(')') + 2));
  std::string field;
  uint64_t utime = 0, stime = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i) {
    if (i == 14) utime = std::stoull(field);
    if (i == 15) stime = std::stoull(field);
  }
  return utime + stime;
}

TEST(Limits, MaxConnectionsClosesOnlyTheConnectionOverTheLimit) {
  TempDir dir;
  EchoServer one(dir, "one");
  ReadyWeir weir(dir, {writeScenario(dir, one.port())},
                 {.concurrency = 2,
                  .ephemeral_gateway_ports = {kPort},
                  .extra_args = {"--max-connections", "3"}});
  std::vector<TcpConnection> open;
  for (int i = 0; i < 3; ++i) {
    auto connection = greeted(weir.port(kPort));
    ASSERT_TRUE(connection.has_value()) << i;
    open.push_back(std::move(*connection));
  }
  auto over = TcpConnection::connect(weir.port(kPort), seconds(5));
  ASSERT_TRUE(over.has_value());
  TcpConnection::ReadResult closed = over->readUntilEof(seconds(5));
  EXPECT_TRUE(closed.data.empty());
  EXPECT_NE(closed.end, IoStatus::kTimeout);
  EXPECT_EQ(weir.stat("tcp.tcp-echo-gateway_9000.downstream_global_cx_overflow"), 1u);
  EXPECT_EQ(weir.stat("tcp.tcp-echo-gateway_9000.downstream_cx_overflow"), 0u);
  // The three still work.
  for (TcpConnection& connection : open) {
    ASSERT_EQ(connection.sendAll("again\n", seconds(5)), IoStatus::kOk);
    EXPECT_EQ(connection.readLine(seconds(5)), "one again");
  }
  // A slot frees up once one closes.
  open.pop_back();
  ASSERT_TRUE(weir.waitForStats(
      [](const StatsSnapshot& stats) {
        return stats.number("tcp.tcp-echo-gateway_9000.downstream_cx_active") == 2u;
      },
      seconds(5)));
  EXPECT_TRUE(greeted(weir.port(kPort)).has_value());
}

TEST(Limits, AGatewayMaxConnectionsAnnotationLimitsItsListenerOverEveryWorker) {
  TempDir dir;
  EchoServer one(dir, "one");
  istio::Config config = istio::singleCluster({istio::Endpoint::local(one.port())});
  config.gateway().annotation("weir.dev/max-connections", "2");
  ReadyWeir weir(dir, {config.writeFileIn(dir)},
                 {.concurrency = 2, .ephemeral_gateway_ports = {kPort}});
  const std::string listener = "tcp.gw_9000.";
  std::vector<TcpConnection> open;
  for (int i = 0; i < 2; ++i) {
    auto connection = greeted(weir.port(kPort));
    ASSERT_TRUE(connection.has_value()) << i;
    open.push_back(std::move(*connection));
  }
  // Whichever worker takes the third, it is over the listener's limit.
  for (int i = 0; i < 3; ++i) {
    auto over = TcpConnection::connect(weir.port(kPort), seconds(5));
    ASSERT_TRUE(over.has_value());
    TcpConnection::ReadResult closed = over->readUntilEof(seconds(5));
    EXPECT_TRUE(closed.data.empty());
    EXPECT_NE(closed.end, IoStatus::kTimeout);
  }
  EXPECT_EQ(weir.stat(listener + "downstream_cx_overflow"), 3u);
  EXPECT_EQ(weir.stat(listener + "downstream_global_cx_overflow"), 0u);
  EXPECT_EQ(weir.stat("cluster." + istio::kSingleCluster + ".upstream_cx_total"), 2u)
      << "refused connections never reach the upstream";
  for (TcpConnection& connection : open) {
    ASSERT_EQ(connection.sendAll("again\n", seconds(5)), IoStatus::kOk);
    EXPECT_EQ(connection.readLine(seconds(5)), "one again");
  }
  open.pop_back();
  ASSERT_TRUE(weir.waitForStats(
      [&](const StatsSnapshot& stats) {
        return stats.number(listener + "downstream_cx_active") == 1u;
      },
      seconds(5)));
  EXPECT_TRUE(greeted(weir.port(kPort)).has_value());
}

// A TLS passthrough listener holds exactly one descriptor per client that has
// not sent its ClientHello yet, which makes running out of descriptors exact.
std::filesystem::path writeTlsScenario(const TempDir& dir, uint16_t echo_port) {
  istio::Config config;
  config.add(istio::Gateway("gw").server(
      istio::Server(9000, "tls", "TLS").hosts({"*.example.com"}).tlsPassthrough()));
  config.add(istio::VirtualService("vs")
                 .hosts({"*.example.com"})
                 .gateways({"gw"})
                 .tls(istio::Rule()
                          .match(istio::Match().sniHosts({"*.example.com"}))
                          .to({"echo", "", 9000})));
  config.add(istio::ServiceEntry("echo")
                 .hosts({"echo"})
                 .port(9000, "tls", "TLS")
                 .resolution("STATIC")
                 .endpoint(istio::Endpoint::local(echo_port, "tls")));
  return config.writeFileIn(dir);
}

// A real ClientHello (SNI a.example.com) through weir to the raw echo upstream
// and back, byte for byte.
bool echoedThrough(uint16_t port) {
  std::ifstream in(std::filesystem::path(kSourceDir) /
                       "tests/fuzz/corpus/tls_client_hello/tls13_sni_a.example.com.bin",
                   std::ios::binary);
  const std::string hello((std::istreambuf_iterator<char>(in)), {});
  auto connection = TcpConnection::connect(port, seconds(2));
  if (!connection || hello.empty() || connection->sendAll(hello, seconds(2)) != IoStatus::kOk ||
      !connection->shutdownWrite()) {
    return false;
  }
  TcpConnection::ReadResult echoed = connection->readUntilEof(seconds(2));
  return echoed.end == IoStatus::kEof && echoed.data == hello;
}

TEST(Limits, OutOfDescriptorsPausesAcceptingWithoutSpinningAndRecovers) {
  TempDir dir;
  auto raw = EchoServer::raw(dir);
  ReadyWeir weir(dir, {writeTlsScenario(dir, raw->port())},
                 {.concurrency = 1,
                  .ephemeral_gateway_ports = {kPort},
                  .extra_args = {"--listener-filter-timeout", "60s"}});
  // weir raises its own soft limit to the hard one at start, so lower both from
  // outside once it runs: 64 descriptors.
  const int pid = weir.process().pid();
  const rlimit low{64, 64};
  ASSERT_EQ(prlimit(pid, RLIMIT_NOFILE, &low, nullptr), 0) << std::strerror(errno);
  const uint16_t port = weir.port(kPort);

  // 80 silent clients: each one weir accepts waits for its ClientHello on one
  // descriptor, so the 50-odd that fit use them all and accept() fails (EMFILE).
  std::vector<TcpConnection> clients;
  for (int i = 0; i < 80; ++i) {
    auto connection = TcpConnection::connect(port, seconds(5));  // the kernel's backlog accepts
    ASSERT_TRUE(connection.has_value()) << i;
    clients.push_back(std::move(*connection));
  }
  std::this_thread::sleep_for(milliseconds(300));
  // While the backlog holds connections it cannot accept, weir must not spin: a
  // busy accept loop uses about all of one CPU (100 ticks per second).
  const uint64_t before = cpuTicks(pid);
  std::this_thread::sleep_for(seconds(1));
  const uint64_t used = cpuTicks(pid) - before;
  EXPECT_LT(used, 30u) << "weir used " << used << " ticks of CPU in 1 s while out of descriptors";

  // Descriptors come back when the clients go; weir serves again: a ClientHello
  // and the bytes after it come back from the raw echo upstream unchanged.
  clients.clear();
  bool served = false;
  for (int attempt = 0; attempt < 50 && !served; ++attempt) {
    served = echoedThrough(port);
    if (!served) std::this_thread::sleep_for(milliseconds(100));
  }
  EXPECT_TRUE(served) << "weir did not recover after descriptors were freed";
  // (Read only now: the admin server needs a descriptor to answer too.)
  EXPECT_GE(weir.stat("tcp.gw_9000.downstream_cx_accept_error").value_or(0), 1u);
  EXPECT_TRUE(weir.process().running());
}

}  // namespace
}  // namespace weir::test
