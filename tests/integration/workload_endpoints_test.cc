// Endpoints beyond inline IPv4 ones, through the real binary: standalone
// WorkloadEntry objects selected by a ServiceEntry's workloadSelector (subsets
// then choose among them by label), and an IPv6 endpoint address.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

#include "tests/support/child_process.h"
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

// Gateway gw on 9000, one rule sending everything to subset `subset` of echo,
// subsets v1 and v2 by label version; the ServiceEntry echo (STATIC, port 9000
// named tcp) has no endpoint yet.
istio::Config front(const std::string& subset) {
  istio::Config config = istio::echoObjects();
  config.gateway().server(istio::Server(kPort));
  config.virtualService().tcp(istio::Rule().to(istio::echoSubset(subset)));
  config.destinationRule()
      .subset(istio::Subset::byVersion("v1"))
      .subset(istio::Subset::byVersion("v2"));
  return config;
}

// front(subset) whose ServiceEntry selects the WorkloadEntries labelled app=echo,
// and one of them: echo-v1 (version v1) on `v1_port`.
istio::Config selectingWorkloads(const std::string& subset, uint16_t v1_port) {
  istio::Config config = front(subset);
  config.serviceEntry().workloadSelector({{"app", "echo"}});
  config.add(istio::WorkloadEntry("echo-v1", "127.0.0.1")
                 .port("tcp", v1_port)
                 .labels({{"app", "echo"}, {"version", "v1"}}));
  return config;
}

std::string answerThrough(uint16_t port) {
  auto connection = TcpConnection::connect(port, seconds(5));
  if (!connection) return "connect failed";
  if (connection->sendAll("hi\n", seconds(5)) != IoStatus::kOk) return "send failed";
  IoStatus status = IoStatus::kOk;
  std::optional<std::string> line = connection->readLine(seconds(5), &status);
  return line ? *line : std::string("no answer: ") + toString(status);
}

TEST(WorkloadEndpoints, WorkloadEntriesSelectedByTheServiceEntryServeTheSubsets) {
  TempDir dir;
  EchoServer v1(dir, "v1");
  EchoServer v2(dir, "v2");
  EchoServer stray(dir, "stray");
  istio::Config config = selectingWorkloads("v2", v1.port());
  config.add(istio::WorkloadEntry("echo-v2", "127.0.0.1")
                 .port("tcp", v2.port())
                 .labels({{"app", "echo"}, {"version", "v2"}}));
  config.add(istio::WorkloadEntry("not-echo", "127.0.0.1")
                 .port("tcp", stray.port())
                 .labels({{"app", "other"}, {"version", "v2"}}));
  ReadyWeir weir(dir, {config.writeFileIn(dir)},
                 {.concurrency = 1, .ephemeral_gateway_ports = {kPort}});
  // Subset v2 is the WorkloadEntry labelled app=echo, version=v2; the entry with
  // app=other is not selected, so it never answers.
  for (int i = 0; i < 6; ++i) EXPECT_EQ(answerThrough(weir.port(kPort)), "v2 hi") << i;
}

// Istio accepts a subset that selects no workload yet; Envoy then closes what is
// routed there (no healthy upstream). Weir loads it with a warning, closes those
// connections, counts them, and keeps serving the other subset.
TEST(WorkloadEndpoints, ASubsetThatSelectsNothingLoadsAndItsConnectionsAreClosed) {
  TempDir dir;
  EchoServer v1(dir, "v1");
  const std::filesystem::path config = selectingWorkloads("v2", v1.port()).writeFileIn(dir);
  ReadyWeir weir(dir, {config}, {.concurrency = 1, .ephemeral_gateway_ports = {kPort}});
  for (int i = 0; i < 3; ++i) {
    const std::string answer = answerThrough(weir.port(kPort));
    EXPECT_TRUE(answer.starts_with("no answer: ")) << i << ": " << answer;
  }
  const std::string cluster = "cluster.outbound|9000|v2|echo.default.svc.cluster.local.";
  EXPECT_EQ(weir.stat(cluster + "upstream_cx_none_healthy"), 3u);

  // The same file with the route to v1 serves as before.
  selectingWorkloads("v1", v1.port()).write(config);
  ASSERT_EQ(weir.post("/reload").status, 200);
  EXPECT_EQ(answerThrough(weir.port(kPort)), "v1 hi");
}

bool loopbackV6Available() {
  int fd = socket(AF_INET6, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in6 address{};
  address.sin6_family = AF_INET6;
  address.sin6_addr = in6addr_loopback;
  const bool ok = bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  close(fd);
  return ok;
}

TEST(WorkloadEndpoints, Ipv6EndpointAddressIsConnectedTo) {
  if (!loopbackV6Available()) GTEST_SKIP() << "no IPv6 loopback (::1) on this machine";
  TempDir dir;
  // tcp-echo-server on [::1] only: weir can reach it only over IPv6.
  ChildProcess echo({{kEchoServerBinary, "--listen", "::1", "0", "six"}, dir.path(), "echo-six",
                     std::nullopt});
  std::optional<uint16_t> port;
  for (int i = 0; i < 200 && !port; ++i) {
    port = parseListeningPort(echo.stdoutText() + echo.stderrText());
    if (!port) std::this_thread::sleep_for(milliseconds(10));
  }
  ASSERT_TRUE(port.has_value()) << echo.stderrText();
  istio::Config config = front("v1");
  config.serviceEntry().endpoint(istio::Endpoint("::1").port("tcp", *port).version("v1"));
  ReadyWeir weir(dir, {config.writeFileIn(dir)},
                 {.concurrency = 1, .ephemeral_gateway_ports = {kPort}});
  EXPECT_EQ(answerThrough(weir.port(kPort)), "six hi");
  EXPECT_EQ(weir.stat("endpoint.outbound|9000|v1|echo.default.svc.cluster.local/[::1]:" +
                      std::to_string(*port) + ".cx_total"),
            1u);
}

}  // namespace
}  // namespace weir::test
