// Unix domain sockets end to end with the real binaries: a Gateway server with
// `bind: unix:///path` listens on AF_UNIX, ServiceEntry `unix://` endpoints are
// reached over AF_UNIX, and everything else holds there as on TCP: the weighted
// split, stats, the access log, half-close, active health checks, outlier
// detection. tcp-echo-server listens on the sockets (--listen unix:PATH).
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <csignal>
#include <cstddef>
#include <cstring>
#include <fstream>
#include <optional>
#include <thread>

#include "tests/support/byte_stream.h"
#include "tests/support/echo_client.h"
#include "tests/support/echo_server.h"
#include "tests/support/endpoint_health.h"
#include "tests/support/istio_scenarios.h"
#include "tests/support/ready_weir.h"
#include "tests/support/socket_dir.h"
#include "tests/support/split_statistics.h"
#include "tests/support/tcp_connection.h"
#include "tests/support/temp_dir.h"

namespace weir::test {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr uint16_t kPort = 9000;  // the TCP Gateway server, when there is one
const std::string kHost = "echo.default.svc.cluster.local";
std::string cluster(const std::string& subset) { return "outbound|9000|" + subset + "|" + kHost; }

// An endpoint of subset `subset`: "unix:///path", "unix://@name", or an IP with a port.
struct Endpoint {
  std::string subset;
  std::string address;
  uint16_t port = 0;  // IP endpoints only
};

struct Scenario {
  std::string gateway_bind{};  // "unix://..." for a Unix listener; empty: TCP on kPort
  std::vector<Endpoint> endpoints{};
  int v1_weight = 80;
  int v2_weight = 20;
  std::optional<istio::TrafficPolicy> traffic_policy{};  // the DestinationRule's
  istio::StringMap annotations{};                        // the ServiceEntry's
};

std::filesystem::path writeScenario(const TempDir& dir, const Scenario& scenario) {
  istio::Config config = istio::echoObjects();
  config.gateway().server(scenario.gateway_bind.empty()
                              ? istio::Server(kPort)
                              : istio::Server(0, "uds").bind(scenario.gateway_bind));
  istio::Rule rule = istio::Rule().to({"echo", "v1"}, scenario.v1_weight);
  if (scenario.v2_weight > 0) rule.to({"echo", "v2"}, scenario.v2_weight);
  config.virtualService().tcp(rule);
  if (scenario.traffic_policy) config.destinationRule().trafficPolicy(*scenario.traffic_policy);
  config.destinationRule()
      .subset(istio::Subset::byVersion("v1"))
      .subset(istio::Subset::byVersion("v2"));
  config.serviceEntry().annotations(scenario.annotations);
  for (const Endpoint& endpoint : scenario.endpoints) {
    istio::Endpoint written(endpoint.address);
    if (endpoint.port != 0) written.port("tcp", endpoint.port);
    config.serviceEntry().endpoint(written.version(endpoint.subset));
  }
  return config.writeFileIn(dir);
}

// The access log's lines once there are at least `lines` (written by a background
// thread, hence the bounded wait).
std::vector<std::string> accessLogLines(const std::filesystem::path& file, size_t lines) {
  std::vector<std::string> result;
  for (int attempt = 0; attempt < 200; ++attempt) {
    result.clear();
    std::ifstream in(file);
    for (std::string line; std::getline(in, line);) result.push_back(line);
    if (result.size() >= lines) break;
    std::this_thread::sleep_for(milliseconds(25));
  }
  return result;
}

size_t countContaining(const std::vector<std::string>& lines, const std::string& text) {
  return static_cast<size_t>(
      std::count_if(lines.begin(), lines.end(),
                    [&](const std::string& line) { return line.find(text) != std::string::npos; }));
}

// 80/20 over 2000 connections: v1's count is within n·p ± z·sqrt(n·p·(1−p)) at
// 99.9% (z = 3.29): 1600 ± 59.
void expectEightyTwenty(const ClientTally& tally, size_t connections) {
  const size_t half_width = binomialHalfWidth(connections, 0.8, kZ999);
  EXPECT_EQ(tally.errors, 0u) << tally.describe();
  EXPECT_EQ(tally.count("one") + tally.count("two"), connections) << tally.describe();
  EXPECT_NEAR(static_cast<double>(tally.count("one")), 0.8 * static_cast<double>(connections),
              static_cast<double>(half_width))
      << tally.describe();
}

TEST(UnixSockets, AUnixGatewaySplitsToTcpEndpoints) {
  TempDir dir;
  SocketDir sockets;
  EchoServer one(dir, "one");
  EchoServer two(dir, "two");
  const std::string socket = sockets.socket("gw.sock");
  const std::filesystem::path log = dir.path() / "access.log";
  ReadyWeir weir(dir,
                 {writeScenario(dir, {.gateway_bind = "unix://" + socket,
                                      .endpoints = {{"v1", "127.0.0.1", one.port()},
                                                    {"v2", "127.0.0.1", two.port()}}})},
                 {.concurrency = 2, .access_log = log.string()});
  ASSERT_EQ(weir.ready().listeners.size(), 1u);
  EXPECT_EQ(weir.ready().listeners[0].address, "unix://" + socket);
  EXPECT_EQ(weir.ready().listeners[0].port, 0);
  struct stat info {};
  ASSERT_EQ(stat(socket.c_str(), &info), 0);
  EXPECT_TRUE(S_ISSOCK(info.st_mode));

  constexpr size_t kConnections = 2000;
  EchoClientRun run =
      runEchoClient(dir, "unix:" + socket, {.connections = kConnections, .concurrency = 20});
  ASSERT_TRUE(run.tally) << run.describe();
  expectEightyTwenty(*run.tally, kConnections);

  // The listener's counters: the gateway's name and the path, each character a
  // stat name cannot carry made '_' ("/tmp/weir-x/gw.sock": gw_tmp_weir-x_gw_sock).
  std::string prefix = "tcp.gw_";
  for (char c : socket.substr(1)) {
    prefix += std::isalnum(static_cast<unsigned char>(c)) || c == '-' ? c : '_';
  }
  EXPECT_EQ(weir.stat(prefix + ".downstream_cx_total"), kConnections) << prefix;
  EXPECT_EQ(weir.stat(prefix + ".downstream_cx_rx_bytes_total"), kConnections * 6);

  // Access log: the client reached the socket's path and, being unnamed, is shown
  // by that path too (as Envoy shows a pipe peer).
  const std::vector<std::string> lines = accessLogLines(log, kConnections);
  ASSERT_EQ(lines.size(), kConnections);
  EXPECT_EQ(countContaining(lines, " " + socket + " " + socket + " - default/vs/tcp[0]"),
            kConnections)
      << lines.front();
  EXPECT_EQ(countContaining(lines, "\"127.0.0.1:" + std::to_string(one.port()) + "\""),
            run.tally->count("one"));
}

TEST(UnixSockets, ATcpGatewaySplitsToUnixEndpoints) {
  TempDir dir;
  SocketDir sockets;
  const std::string one_path = sockets.socket("one.sock");
  const std::string two_name = sockets.abstractSocket("two");
  auto one = EchoServer::onUnixSocket(dir, "one", one_path);
  auto two = EchoServer::onUnixSocket(dir, "two", two_name);
  const std::filesystem::path log = dir.path() / "access.log";
  ReadyWeir weir(dir,
                 {writeScenario(dir, {.endpoints = {{"v1", "unix://" + one_path},
                                                    {"v2", "unix://" + two_name}}})},
                 {.concurrency = 2,
                  .ephemeral_gateway_ports = {kPort},
                  .access_log = log.string()});

  constexpr size_t kConnections = 2000;
  EchoClientRun run =
      runEchoClient(dir, weir.port(kPort), {.connections = kConnections, .concurrency = 20});
  ASSERT_TRUE(run.tally) << run.describe();
  expectEightyTwenty(*run.tally, kConnections);

  // Endpoints are named by their path (or @name), as Envoy names a pipe.
  EXPECT_EQ(weir.stat("endpoint." + cluster("v1") + "/" + one_path + ".cx_total"),
            run.tally->count("one"));
  EXPECT_EQ(weir.stat("endpoint." + cluster("v2") + "/" + two_name + ".cx_total"),
            run.tally->count("two"));
  EXPECT_EQ(weir.stat("cluster." + cluster("v1") + ".upstream_cx_total"), run.tally->count("one"));
  EXPECT_EQ(weir.stat("cluster." + cluster("v2") + ".upstream_cx_rx_bytes_total"),
            run.tally->count("two") * 10);  // "two hello\n"
  const std::map<std::string, std::string> health = endpointHealth(weir, cluster("v1"));
  EXPECT_EQ(health.count(one_path), 1u);

  const std::vector<std::string> lines = accessLogLines(log, kConnections);
  ASSERT_EQ(lines.size(), kConnections);
  // "UPSTREAM_HOST" UPSTREAM_CLUSTER UPSTREAM_LOCAL: a Unix client end has no name.
  EXPECT_EQ(countContaining(lines, "\"" + one_path + "\" " + cluster("v1") + " - 127.0.0.1:"),
            run.tally->count("one"))
      << lines.front();
  EXPECT_EQ(countContaining(lines, "\"" + two_name + "\" " + cluster("v2") + " - 127.0.0.1:"),
            run.tally->count("two"));
}

// Half-close in both directions, over Unix sockets on both sides, copying and
// splicing: the client's FIN reaches the upstream after every byte, and the
// upstream's answer (all of it) then its FIN come back.
class UnixHalfClose : public ::testing::TestWithParam<bool> {};

TEST_P(UnixHalfClose, AMebibyteThroughAndBackThenEofBothWays) {
  TempDir dir;
  SocketDir sockets;
  const std::string upstream = sockets.socket("raw.sock");
  auto raw = EchoServer::rawOnUnixSocket(dir, upstream);  // echoes, answers a FIN with its own
  const std::string socket = sockets.socket("gw.sock");
  ReadyWeir weir(dir,
                 {writeScenario(dir, {.gateway_bind = "unix://" + socket,
                                      .endpoints = {{"v1", "unix://" + upstream}},
                                      .v2_weight = 0})},
                 {.concurrency = 1, .extra_args = {"--splice-after", GetParam() ? "0" : "never"}});
  std::string error;
  auto connection = TcpConnection::connectUnix(socket, seconds(5), &error);
  ASSERT_TRUE(connection) << error;
  std::vector<TcpConnection> connections;
  connections.push_back(std::move(*connection));
  const std::vector<StreamPlan> plans = {
      StreamPlan{.seed = 0x55d5, .bytes = 1 << 20, .min_chunk = 1024, .max_chunk = 65536}};
  const StreamOutcome outcome = exchangeStreams(connections, plans, seconds(30)).at(0);
  SCOPED_TRACE(outcome.describe());
  EXPECT_TRUE(outcome.shut_down_write);
  EXPECT_EQ(outcome.received, plans[0].bytes);
  EXPECT_FALSE(outcome.first_mismatch.has_value());
  EXPECT_EQ(outcome.received_hash, outcome.sent_hash);
  EXPECT_EQ(outcome.read_end, IoStatus::kEof) << "the upstream's FIN came back";
  const std::optional<uint64_t> spliced =
      weir.stat("cluster." + cluster("v1") + ".upstream_cx_spliced_bytes_total");
  ASSERT_TRUE(spliced.has_value());
  if (GetParam()) {
    EXPECT_GT(*spliced, 0u) << "splice(2) moved the bytes between the Unix sockets";
  } else {
    EXPECT_EQ(*spliced, 0u);
  }
}

// A Unix socket the test listens on itself, to play an upstream that half-closes.
class UnixListener {
 public:
  explicit UnixListener(const std::string& path) {
    fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    if (path.size() >= sizeof address.sun_path) throw std::runtime_error("path too long");
    std::memcpy(address.sun_path, path.data(), path.size());
    const auto length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + path.size() + 1);
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&address), length) != 0 ||
        ::listen(fd_, 16) != 0) {
      throw std::runtime_error("unix listener " + path + ": " + std::strerror(errno));
    }
  }
  ~UnixListener() { ::close(fd_); }
  UnixListener(const UnixListener&) = delete;
  UnixListener& operator=(const UnixListener&) = delete;
  int fd() const { return fd_; }

 private:
  int fd_ = -1;
};

TEST_P(UnixHalfClose, AUnixUpstreamsShutdownReachesATcpClientWhoCanStillSend) {
  TempDir dir;
  SocketDir sockets;
  const std::string path = sockets.socket("upstream.sock");
  UnixListener listener(path);
  ReadyWeir weir(dir,
                 {writeScenario(dir, {.endpoints = {{"v1", "unix://" + path}}, .v2_weight = 0})},
                 {.concurrency = 1,
                  .ephemeral_gateway_ports = {kPort},
                  .extra_args = {"--splice-after", GetParam() ? "0" : "never"}});
  std::string error;
  auto client = TcpConnection::connect(weir.port(kPort), seconds(5), &error);
  ASSERT_TRUE(client) << error;
  ASSERT_EQ(client->sendAll("first\n", seconds(5)), IoStatus::kOk);
  pollfd pending{listener.fd(), POLLIN, 0};
  ASSERT_EQ(::poll(&pending, 1, 5000), 1) << "weir never connected to the Unix upstream";
  TcpConnection upstream = TcpConnection::adopt(::accept4(listener.fd(), nullptr, nullptr,
                                                          SOCK_CLOEXEC));
  EXPECT_EQ(upstream.readLine(seconds(5)), "first");

  ASSERT_EQ(upstream.sendAll("bye\n", seconds(5)), IoStatus::kOk);
  ASSERT_TRUE(upstream.shutdownWrite());
  TcpConnection::ReadResult to_client = client->readUntilEof(seconds(5));
  EXPECT_EQ(to_client.data, "bye\n");
  EXPECT_EQ(to_client.end, IoStatus::kEof) << toString(to_client.end);

  ASSERT_EQ(client->sendAll("still here\n", seconds(5)), IoStatus::kOk);
  EXPECT_EQ(upstream.readLine(seconds(5)), "still here");
  ASSERT_TRUE(client->shutdownWrite());
  TcpConnection::ReadResult to_upstream = upstream.readUntilEof(seconds(5));
  EXPECT_EQ(to_upstream.data, "");
  EXPECT_EQ(to_upstream.end, IoStatus::kEof) << toString(to_upstream.end);
}

// AF_UNIX has no RST, but a Unix socket closed with bytes still unread makes its
// peer's next read fail with ECONNRESET: weir takes that as the upstream's reset
// and resets the client, as it does for TCP.
TEST(UnixSockets, AUnixUpstreamClosingOnUnreadBytesResetsTheClient) {
  TempDir dir;
  SocketDir sockets;
  const std::string path = sockets.socket("upstream.sock");
  UnixListener listener(path);
  const std::filesystem::path log = dir.path() / "access.log";
  ReadyWeir weir(dir,
                 {writeScenario(dir, {.endpoints = {{"v1", "unix://" + path}}, .v2_weight = 0})},
                 {.concurrency = 1,
                  .ephemeral_gateway_ports = {kPort},
                  .access_log = log.string()});
  std::string error;
  auto client = TcpConnection::connect(weir.port(kPort), seconds(5), &error);
  ASSERT_TRUE(client) << error;
  ASSERT_EQ(client->sendAll("unread\n", seconds(5)), IoStatus::kOk);
  pollfd pending{listener.fd(), POLLIN, 0};
  ASSERT_EQ(::poll(&pending, 1, 5000), 1) << "weir never connected to the Unix upstream";
  const int upstream = ::accept4(listener.fd(), nullptr, nullptr, SOCK_CLOEXEC);
  ASSERT_GE(upstream, 0);
  pollfd readable{upstream, POLLIN, 0};
  ASSERT_EQ(::poll(&readable, 1, 5000), 1) << "the client's bytes reached the upstream";
  ::close(upstream);  // without reading them

  TcpConnection::ReadResult end = client->readUntilEof(seconds(5));
  EXPECT_EQ(end.end, IoStatus::kReset) << toString(end.end);
  EXPECT_EQ(weir.stat("cluster." + cluster("v1") + ".upstream_cx_destroy_remote_with_active_rq"),
            1u);
  EXPECT_EQ(countContaining(accessLogLines(log, 1), " UC - upstream_reset "), 1u);
}

INSTANTIATE_TEST_SUITE_P(CopiedAndSpliced, UnixHalfClose, ::testing::Bool(),
                         [](const auto& info) { return info.param ? "Spliced" : "Copied"; });

// Active checks probe a Unix endpoint like a TCP one: its workload dies (the
// socket file stays behind, refusing), it leaves rotation; it restarts on the same
// path (taking over the stale file) and comes back.
TEST(UnixSockets, HealthChecksSeeAUnixEndpointGoAndComeBack) {
  TempDir dir;
  SocketDir sockets;
  const std::string one_path = sockets.socket("one.sock");
  const std::string two_path = sockets.socket("two.sock");
  auto one = EchoServer::onUnixSocket(dir, "one", one_path);
  auto two = EchoServer::onUnixSocket(dir, "two", two_path);
  ReadyWeir weir(
      dir,
      {writeScenario(dir,
                     {.endpoints = {{"v1", "unix://" + one_path}, {"v1", "unix://" + two_path}},
                      .v1_weight = 100,
                      .v2_weight = 0,
                      .annotations = {{"weir.dev/health-check-interval", "100ms"},
                                      {"weir.dev/health-check-timeout", "500ms"},
                                      {"weir.dev/health-check-healthy-threshold", "2"},
                                      {"weir.dev/health-check-unhealthy-threshold", "2"}}})},
      {.concurrency = 1, .ephemeral_gateway_ports = {kPort}});
  ASSERT_TRUE(waitForEndpointHealth(weir, cluster("v1"), two_path, "HEALTHY", seconds(5)));
  auto inTurn = [&](size_t n) {
    return runEchoClient(dir, weir.port(kPort), {.connections = n, .concurrency = 1});
  };
  EchoClientRun run = inTurn(10);
  ASSERT_TRUE(run.tally) << run.describe();
  EXPECT_EQ(run.tally->count("two"), 5u) << run.tally->describe();  // round robin

  two->kill();
  ASSERT_TRUE(
      waitForEndpointHealth(weir, cluster("v1"), two_path, "FAILED_ACTIVE_HC", seconds(5)));
  run = inTurn(10);
  ASSERT_TRUE(run.tally) << run.describe();
  EXPECT_EQ(run.tally->count("one"), 10u) << run.tally->describe();
  EXPECT_EQ(weir.stat("cluster." + cluster("v1") + ".upstream_cx_connect_fail"), 0u);
  EXPECT_EQ(weir.stat("cluster." + cluster("v1") + ".health_check.healthy"), 1u);

  two = EchoServer::onUnixSocket(dir, "two", two_path);
  ASSERT_TRUE(waitForEndpointHealth(weir, cluster("v1"), two_path, "HEALTHY", seconds(5)));
  run = inTurn(10);
  ASSERT_TRUE(run.tally) << run.describe();
  EXPECT_EQ(run.tally->count("two"), 5u) << run.tally->describe();
  EXPECT_EQ(run.tally->errors, 0u);
}

// Nothing listens at a socket path: the connect fails at once (a Unix connect
// never waits), is counted and logged like a refused TCP connect, and outlier
// detection ejects the endpoint.
TEST(UnixSockets, AMissingSocketIsAConnectFailureAndIsEjected) {
  TempDir dir;
  SocketDir sockets;
  const std::string live = sockets.socket("live.sock");
  const std::string missing = sockets.socket("missing.sock");
  auto one = EchoServer::onUnixSocket(dir, "one", live);
  const std::filesystem::path log = dir.path() / "access.log";
  ReadyWeir weir(
      dir,
      {writeScenario(dir, {.endpoints = {{"v1", "unix://" + missing}, {"v1", "unix://" + live}},
                           .v1_weight = 100,
                           .v2_weight = 0,
                           .traffic_policy = istio::TrafficPolicy().outlierDetection(
                               istio::OutlierDetection()
                                   .consecutive5xxErrors(1)
                                   .interval("1s")
                                   .baseEjectionTime("30s")
                                   .maxEjectionPercent(100))})},
      {.concurrency = 1, .ephemeral_gateway_ports = {kPort}, .access_log = log.string()});
  EchoClientRun run = runEchoClient(dir, weir.port(kPort), {.connections = 10, .concurrency = 1});
  ASSERT_TRUE(run.tally) << run.describe();
  EXPECT_EQ(run.tally->errors, 1u) << run.tally->describe();
  EXPECT_EQ(run.tally->count("one"), 9u) << run.tally->describe();
  const std::string stat = "cluster." + cluster("v1") + ".";
  EXPECT_EQ(weir.stat(stat + "upstream_cx_connect_fail"), 1u);
  EXPECT_EQ(weir.stat(stat + "outlier_detection.ejections_enforced_total"), 1u);
  EXPECT_EQ(endpointHealth(weir, cluster("v1")).at(missing), "FAILED_OUTLIER_CHECK");
  const std::vector<std::string> lines = accessLogLines(log, 10);
  EXPECT_EQ(countContaining(lines, " UF - upstream_connect_failed "), 1u);
  EXPECT_EQ(countContaining(lines, "\"" + missing + "\""), 1u);
}

// A Unix client has no address to put in a PROXY protocol header: v1 says
// UNKNOWN, which tcp-echo-server --proxy-protocol shows as "from unknown".
TEST(UnixSockets, AProxyProtocolHeaderForAUnixClientIsUnknown) {
  TempDir dir;
  SocketDir sockets;
  auto one = EchoServer::withProxyProtocol(dir, "one");
  const std::string socket = sockets.socket("gw.sock");
  ReadyWeir weir(
      dir,
      {writeScenario(dir, {.gateway_bind = "unix://" + socket,
                           .endpoints = {{"v1", "127.0.0.1", one->port()}},
                           .v2_weight = 0,
                           .traffic_policy = istio::TrafficPolicy().proxyProtocol("V1")})},
      {.concurrency = 1});
  std::string error;
  auto client = TcpConnection::connectUnix(socket, seconds(5), &error);
  ASSERT_TRUE(client) << error;
  ASSERT_EQ(client->sendAll("hello\n", seconds(5)), IoStatus::kOk);
  EXPECT_EQ(client->readLine(seconds(5)), "one [from unknown] hello");
}

// Restarting over a path a crashed weir left behind works (the stale file is
// replaced); a clean stop removes the file.
TEST(UnixSockets, AStaleSocketFileIsReplacedAndAStoppedWeirRemovesItsFile) {
  TempDir dir;
  SocketDir sockets;
  EchoServer one(dir, "one");
  const std::string socket = sockets.socket("gw.sock");
  const std::filesystem::path config =
      writeScenario(dir, {.gateway_bind = "unix://" + socket,
                          .endpoints = {{"v1", "127.0.0.1", one.port()}},
                          .v2_weight = 0});
  {
    ReadyWeir crashed(dir, {config}, {.concurrency = 1});
    crashed.process().signal(SIGKILL);
    crashed.process().waitForExit(seconds(5));
  }
  struct stat info {};
  ASSERT_EQ(stat(socket.c_str(), &info), 0) << "SIGKILL leaves the file";
  {
    ReadyWeir weir(dir, {config}, {.concurrency = 2});
    std::string error;
    auto client = TcpConnection::connectUnix(socket, seconds(5), &error);
    ASSERT_TRUE(client) << error;
    ASSERT_EQ(client->sendAll("hi\n", seconds(5)), IoStatus::kOk);
    EXPECT_EQ(client->readLine(seconds(5)), "one hi");
  }
  for (int attempt = 0; attempt < 100 && stat(socket.c_str(), &info) == 0; ++attempt) {
    std::this_thread::sleep_for(milliseconds(20));
  }
  EXPECT_NE(stat(socket.c_str(), &info), 0) << "weir removed its socket file on exit";
}

}  // namespace
}  // namespace weir::test
