// Weir's own failures with the real binaries: running out of descriptors,
// running out of ephemeral ports towards one endpoint, and a connect timeout that
// weir's stalled loop noticed late. None of them is held against an endpoint:
// no ejection, no failed health check, no connect failure on the endpoint; they
// are counted in upstream_cx_connect_local_fail (and health_check.local_failure),
// and service is back for every new connection as soon as the cause is gone.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/blackhole_listener.h"
#include "tests/support/echo_client.h"
#include "tests/support/echo_server.h"
#include "tests/support/endpoint_health.h"
#include "tests/support/istio_scenarios.h"
#include "tests/support/ready_weir.h"
#include "tests/support/tcp_connection.h"
#include "tests/support/temp_dir.h"

namespace weir::test {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr uint16_t kPort = 9000;
const std::string kV1 = "outbound|9000|v1|echo.default.svc.cluster.local";
const std::string kV2 = "outbound|9000|v2|echo.default.svc.cluster.local";

std::string address(uint16_t port) { return "127.0.0.1:" + std::to_string(port); }
std::string clusterStat(const std::string& cluster, const std::string& stat) {
  return "cluster." + cluster + "." + stat;
}
std::string endpointStat(const std::string& cluster, uint16_t port, const std::string& stat) {
  return "endpoint." + cluster + "/" + address(port) + "." + stat;
}
uint64_t valueOf(const StatsSnapshot& stats, const std::string& name) {
  const std::optional<uint64_t> value = stats.number(name);
  EXPECT_TRUE(value.has_value()) << name;
  return value.value_or(0);
}

// Two connect failures in a row eject an endpoint for 60 s, up to every endpoint.
istio::OutlierDetection ejectAfterTwoFailures() {
  return istio::OutlierDetection()
      .consecutive5xxErrors(2)
      .interval("1s")
      .baseEjectionTime("60s")
      .maxEjectionPercent(100);
}

// The fault test of the issue: one Gateway port split 50/50 between subset v1
// (`one`, and an endpoint that refuses) and v2 (`two`); outlier detection that
// ejects after 2 consecutive failures for 60 s, up to every endpoint; and active
// checks every 100 ms, two results in a row to change a verdict.
std::filesystem::path writeSplitScenario(const TempDir& dir, uint16_t one, uint16_t refusing,
                                         uint16_t two) {
  istio::Config config = istio::echoObjects();
  config.gateway().server(istio::Server(kPort));
  config.virtualService().tcp(
      istio::Rule().to(istio::echoSubset("v1"), 50).to(istio::echoSubset("v2"), 50));
  config.destinationRule().trafficPolicy(
      istio::TrafficPolicy().outlierDetection(ejectAfterTwoFailures()));
  config.addVersionSubset("v1", {one, refusing}).addVersionSubset("v2", {two});
  config.serviceEntry().annotations({{"weir.dev/health-check-interval", "100ms"},
                                     {"weir.dev/health-check-timeout", "1s"},
                                     {"weir.dev/health-check-healthy-threshold", "2"},
                                     {"weir.dev/health-check-unhealthy-threshold", "2"}});
  return config.writeFileIn(dir);
}

// The descriptor numbers `pid` has open.
std::set<int> openDescriptors(int pid) {
  std::set<int> open;
  std::error_code error;
  for (const auto& entry :
       std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd", error)) {
    open.insert(std::stoi(entry.path().filename().string()));
  }
  return open;
}

// What `pid` holds when nothing passes through: the smallest of 20 readings 10 ms
// apart, since a health-check probe holds a descriptor for a moment only.
std::set<int> steadyDescriptors(int pid) {
  std::set<int> fewest = openDescriptors(pid);
  for (int i = 0; i < 20; ++i) {
    std::this_thread::sleep_for(milliseconds(10));
    std::set<int> now = openDescriptors(pid);
    if (now.size() < fewest.size()) fewest = std::move(now);
  }
  return fewest;
}

// The soft RLIMIT_NOFILE that leaves exactly `spare` free descriptor numbers below
// it: a new descriptor takes the lowest free number, and fails (EMFILE) when that
// is not below the limit.
rlim_t limitLeaving(const std::set<int>& open, int spare) {
  int free_seen = 0;
  for (int number = 0;; ++number) {
    if (open.contains(number)) continue;
    if (free_seen == spare) return static_cast<rlim_t>(number);
    ++free_seen;
  }
}

void setSoftDescriptorLimit(int pid, rlim_t soft) {
  rlimit limit{};
  ASSERT_EQ(prlimit(pid, RLIMIT_NOFILE, nullptr, &limit), 0) << std::strerror(errno);
  limit.rlim_cur = soft;
  ASSERT_EQ(prlimit(pid, RLIMIT_NOFILE, &limit, nullptr), 0) << std::strerror(errno);
}

std::optional<TcpConnection> greeted(uint16_t port, const std::string& line = "hi") {
  auto connection = TcpConnection::connect(port, seconds(5));
  if (!connection || connection->sendAll(line + "\n", seconds(5)) != IoStatus::kOk) {
    return std::nullopt;
  }
  const std::optional<std::string> answer = connection->readLine(seconds(5));
  if (answer != "one " + line && answer != "two " + line) return std::nullopt;
  return connection;
}

TEST(LocalErrors, OutOfDescriptorsEjectsNoEndpointFailsNoCheckAndServiceIsBackAtOnce) {
  TempDir dir;
  EchoServer one(dir, "one");
  EchoServer two(dir, "two");
  const uint16_t refusing = freeTcpPort();
  ReadyWeir weir(dir, {writeSplitScenario(dir, one.port(), refusing, two.port())},
                 {.concurrency = 2, .ephemeral_gateway_ports = {kPort}});
  const uint16_t port = weir.port(kPort);
  const int pid = weir.process().pid();
  // The refusing endpoint is out after its first probe, before any client comes.
  ASSERT_TRUE(waitForEndpointHealth(weir, kV1, address(refusing), "FAILED_ACTIVE_HC", seconds(5)));
  ASSERT_TRUE(waitForEndpointHealth(weir, kV1, address(one.port()), "HEALTHY", seconds(5)));
  ASSERT_TRUE(waitForEndpointHealth(weir, kV2, address(two.port()), "HEALTHY", seconds(5)));

  // Traffic flows: these stay open throughout.
  std::vector<TcpConnection> held;
  for (int i = 0; i < 10; ++i) {
    auto connection = greeted(port);
    ASSERT_TRUE(connection.has_value()) << i;
    held.push_back(std::move(*connection));
  }
  rlimit original{};
  ASSERT_EQ(prlimit(pid, RLIMIT_NOFILE, nullptr, &original), 0) << std::strerror(errno);

  // One descriptor left: accept() gets it, the upstream socket() cannot (EMFILE).
  setSoftDescriptorLimit(pid, limitLeaving(steadyDescriptors(pid), 1));
  constexpr int kStarvedClients = 20;
  for (int i = 0; i < kStarvedClients; ++i) {
    auto connection = TcpConnection::connect(port, seconds(5));  // the kernel's backlog takes it
    ASSERT_TRUE(connection.has_value()) << i;
    connection->sendAll("hi\n", seconds(5));  // may meet the close already
    const TcpConnection::ReadResult end = connection->readUntilEof(seconds(5));
    EXPECT_EQ(end.data, "") << i;
    EXPECT_NE(end.end, IoStatus::kTimeout) << i << ": closed at once, not left waiting";
  }
  // None left: every probe's socket() fails, for eight intervals.
  setSoftDescriptorLimit(pid, limitLeaving(steadyDescriptors(pid), 0));
  std::this_thread::sleep_for(milliseconds(800));

  // Descriptors are back: every new connection is answered, at once.
  setSoftDescriptorLimit(pid, original.rlim_cur);
  EchoClientRun run = runEchoClient(
      dir, port, {.connections = 100, .concurrency = 10, .per_connection = seconds(5)});
  ASSERT_TRUE(run.tally.has_value()) << run.describe();
  EXPECT_EQ(run.tally->errors, 0u) << run.tally->describe();
  EXPECT_EQ(run.tally->count("one") + run.tally->count("two"), 100u) << run.tally->describe();
  EXPECT_GT(run.tally->count("one"), 0u) << run.tally->describe();
  EXPECT_GT(run.tally->count("two"), 0u) << run.tally->describe();
  for (size_t i = 0; i < held.size(); ++i) {
    ASSERT_EQ(held[i].sendAll("again\n", seconds(5)), IoStatus::kOk) << i;
    const std::optional<std::string> answer = held[i].readLine(seconds(5));
    EXPECT_TRUE(answer == "one again" || answer == "two again")
        << i << ": " << answer.value_or("-");
  }

  const std::optional<StatsSnapshot> stats = weir.stats();
  ASSERT_TRUE(stats.has_value());
  for (const std::string& cluster : {kV1, kV2}) {
    SCOPED_TRACE(cluster);
    EXPECT_EQ(valueOf(*stats, clusterStat(cluster, "outlier_detection.ejections_enforced_total")),
              0u);
    EXPECT_EQ(valueOf(*stats, clusterStat(cluster, "outlier_detection.ejections_active")), 0u);
    EXPECT_EQ(valueOf(*stats, clusterStat(cluster, "upstream_cx_connect_fail")), 0u);
    EXPECT_EQ(valueOf(*stats, clusterStat(cluster, "upstream_cx_none_healthy")), 0u);
  }
  EXPECT_EQ(valueOf(*stats, clusterStat(kV1, "upstream_cx_connect_local_fail")) +
                valueOf(*stats, clusterStat(kV2, "upstream_cx_connect_local_fail")),
            static_cast<uint64_t>(kStarvedClients))
      << "each starved client is one local failure";
  EXPECT_EQ(valueOf(*stats, endpointStat(kV1, one.port(), "cx_connect_fail")), 0u);
  EXPECT_EQ(valueOf(*stats, endpointStat(kV2, two.port(), "cx_connect_fail")), 0u);
  EXPECT_EQ(valueOf(*stats, endpointStat(kV1, one.port(), "cx_connect_local_fail")) +
                valueOf(*stats, endpointStat(kV2, two.port(), "cx_connect_local_fail")),
            static_cast<uint64_t>(kStarvedClients));
  EXPECT_EQ(valueOf(*stats, clusterStat(kV2, "health_check.failure")), 0u);
  EXPECT_GE(valueOf(*stats, clusterStat(kV2, "health_check.local_failure")), 3u);
  EXPECT_GE(valueOf(*stats, clusterStat(kV1, "health_check.local_failure")), 3u);
  EXPECT_EQ(endpointHealth(weir, kV1).at(address(one.port())), "HEALTHY");
  EXPECT_EQ(endpointHealth(weir, kV2).at(address(two.port())), "HEALTHY");
  EXPECT_EQ(endpointHealth(weir, kV1).at(address(refusing)), "FAILED_ACTIVE_HC");
}

TEST(LocalErrors, OutOfDescriptorsPausesAcceptingSoNewClientsWaitInTheBacklog) {
  TempDir dir;
  EchoServer one(dir, "one");
  ReadyWeir weir(dir, {istio::singleCluster({istio::Endpoint::local(one.port())}).writeFileIn(dir)},
                 {.concurrency = 1, .ephemeral_gateway_ports = {kPort}});
  const uint16_t port = weir.port(kPort);
  const int pid = weir.process().pid();
  rlimit original{};
  ASSERT_EQ(prlimit(pid, RLIMIT_NOFILE, nullptr, &original), 0) << std::strerror(errno);
  setSoftDescriptorLimit(pid, limitLeaving(steadyDescriptors(pid), 1));
  // Each client is accepted and closed for want of an upstream socket; that
  // pauses accepting for 100 ms, so the next one waits in the kernel's backlog
  // (where it would be served if descriptors came back) instead of being taken
  // only to be closed at once.
  constexpr int kClients = 10;
  Clock::time_point first_closed{};
  for (int i = 0; i < kClients; ++i) {
    auto connection = TcpConnection::connect(port, seconds(5));
    ASSERT_TRUE(connection.has_value()) << i;
    const TcpConnection::ReadResult end = connection->readUntilEof(seconds(5));
    EXPECT_EQ(end.data, "") << i;
    EXPECT_NE(end.end, IoStatus::kTimeout) << i;
    if (i == 0) first_closed = Clock::now();
  }
  const auto paused = Clock::now() - first_closed;
  setSoftDescriptorLimit(pid, original.rlim_cur);
  // Nine pauses of 100 ms at least; without them this takes a few milliseconds.
  EXPECT_GE(paused, milliseconds(600))
      << std::chrono::duration_cast<milliseconds>(paused).count() << " ms";
  EXPECT_TRUE(greeted(port).has_value());
  EXPECT_EQ(weir.stat("cluster." + istio::kSingleCluster + ".upstream_cx_connect_local_fail"),
            static_cast<uint64_t>(kClients));
  const HttpResponse prometheus = weir.get("/stats/prometheus");
  const std::string series = "envoy_cluster_upstream_cx_connect_local_fail{envoy_cluster_name=\"" +
                             istio::kSingleCluster + "\"} " + std::to_string(kClients) + "\n";
  EXPECT_NE(prometheus.body.find(series), std::string::npos) << prometheus.body;
}

TEST(LocalErrors, AConnectTimeoutWeirsStalledLoopNoticedLateIsNotHeldAgainstTheEndpoint) {
  TempDir dir;
  BlackholeListener blackhole;
  const std::string access_log = (dir.path() / "access.log").string();
  istio::Config config = istio::singleCluster({istio::Endpoint::local(blackhole.port())});
  config.destinationRule().trafficPolicy(
      istio::TrafficPolicy()
          .connectionPool(istio::TcpSettings().connectTimeout("1s"))
          .outlierDetection(ejectAfterTwoFailures()));
  ReadyWeir weir(dir, {config.writeFileIn(dir)},
                 {.concurrency = 1, .ephemeral_gateway_ports = {kPort}, .access_log = access_log});
  const uint16_t port = weir.port(kPort);
  const std::string stat = "cluster." + istio::kSingleCluster + ".";

  // On time: the endpoint did not answer within connectTimeout; that counts.
  auto first = TcpConnection::connect(port, seconds(5));
  ASSERT_TRUE(first.has_value());
  EXPECT_NE(first->readUntilEof(seconds(5)).end, IoStatus::kTimeout);
  EXPECT_EQ(weir.stat(stat + "upstream_cx_connect_timeout"), 1u);

  // Weir stops (as a starved loop would) while its connect is pending, for three
  // timeouts; when it runs again the timeout is long past, and says nothing of
  // the endpoint.
  const int pid = weir.process().pid();
  const size_t idle = steadyDescriptors(pid).size();
  auto second = TcpConnection::connect(port, seconds(5));
  ASSERT_TRUE(second.has_value());
  // Two descriptors more: the client's and the upstream socket, whose connect()
  // follows in the same callback.
  bool pending = false;
  const Clock::time_point deadline = Clock::now() + seconds(5);
  for (int i = 0; i < 2500 && !pending && Clock::now() < deadline; ++i) {
    pending = openDescriptors(pid).size() >= idle + 2;
    if (!pending) std::this_thread::sleep_for(milliseconds(1));
  }
  ASSERT_TRUE(pending) << "weir never started connecting";
  ASSERT_TRUE(weir.process().signal(SIGSTOP));
  std::this_thread::sleep_for(milliseconds(3000));
  ASSERT_TRUE(weir.process().signal(SIGCONT));
  const TcpConnection::ReadResult end = second->readUntilEof(seconds(5));
  EXPECT_EQ(end.data, "");
  EXPECT_NE(end.end, IoStatus::kTimeout);

  EXPECT_EQ(weir.stat(stat + "upstream_cx_connect_timeout"), 1u) << "still only the first";
  EXPECT_EQ(weir.stat(stat + "upstream_cx_connect_local_fail"), 1u);
  EXPECT_EQ(weir.stat("endpoint." + istio::kSingleCluster + "/" + address(blackhole.port()) +
                      ".cx_connect_fail"),
            1u);
  EXPECT_EQ(weir.stat(stat + "outlier_detection.ejections_enforced_total"), 0u)
      << "two timeouts in a row would have ejected it";
  EXPECT_EQ(endpointHealth(weir, istio::kSingleCluster).at(address(blackhole.port())), "HEALTHY");

  // The access log says which was which (it is written asynchronously).
  std::string log;
  for (int i = 0; i < 100; ++i) {
    log = readTextFile(access_log);
    if (log.find("connect_timer_late") != std::string::npos) break;
    std::this_thread::sleep_for(milliseconds(20));
  }
  EXPECT_NE(log.find(" 0 UF - upstream_connect_timeout "), std::string::npos) << log;
  EXPECT_NE(log.find(" 0 LF - connect_timer_late "), std::string::npos) << log;
}

// Runs `body` on a thread of its own in a fresh network namespace with loopback
// up. Processes started there (fork inherits the thread's namespace) and sockets
// made there live in it; it goes away with them. Returns why not, if it cannot.
std::optional<std::string> runInNetworkNamespace(const std::function<void()>& body) {
  std::optional<std::string> refused;
  std::thread thread([&] {
    if (unshare(CLONE_NEWNET) != 0) {
      refused = std::string("unshare(CLONE_NEWNET): ") + std::strerror(errno) +
                " (needs root or CAP_SYS_ADMIN)";
      return;
    }
    const int control = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    ifreq loopback{};
    std::strncpy(loopback.ifr_name, "lo", IFNAMSIZ - 1);
    const bool up = control >= 0 && ioctl(control, SIOCGIFFLAGS, &loopback) == 0 &&
                    (loopback.ifr_flags |= IFF_UP, ioctl(control, SIOCSIFFLAGS, &loopback) == 0);
    if (control >= 0) close(control);
    if (!up) {
      refused = std::string("cannot bring loopback up: ") + std::strerror(errno);
      return;
    }
    body();
  });
  thread.join();
  return refused;
}

// Sets net.ipv4.ip_local_port_range ("LOW HIGH") of the calling thread's network
// namespace; true if it reads back so.
bool setLocalPortRange(const std::string& range) {
  const std::filesystem::path sysctl = "/proc/sys/net/ipv4/ip_local_port_range";
  std::ofstream(sysctl) << range;
  std::istringstream wanted(range);
  std::istringstream now(readTextFile(sysctl));
  int wanted_low = 0, wanted_high = 0, low = -1, high = -1;
  wanted >> wanted_low >> wanted_high;
  now >> low >> high;
  return low == wanted_low && high == wanted_high;
}

// A client from 127.0.0.1:source_port, outside the narrowed ephemeral range (the
// test's own connections must not compete with weir's for it).
std::optional<TcpConnection> connectFrom(uint16_t source_port, uint16_t port) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const int on = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
  sockaddr_in from{};
  from.sin_family = AF_INET;
  from.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  from.sin_port = htons(source_port);
  sockaddr_in to = from;
  to.sin_port = htons(port);
  if (bind(fd, reinterpret_cast<sockaddr*>(&from), sizeof from) != 0 ||
      connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) != 0) {
    close(fd);
    return std::nullopt;
  }
  return TcpConnection::adopt(fd);
}

TEST(LocalErrors, EphemeralPortsUsedUpTowardsOneEndpointDoNotEjectItAndTheOtherServes) {
  const std::optional<std::string> refused = runInNetworkNamespace([] {
    TempDir dir;
    EchoServer one(dir, "one");
    EchoServer two(dir, "two");
    // Round robin by weight, one worker: `one` gets three picks in four.
    istio::Config config = istio::singleCluster({istio::Endpoint::local(one.port()).weight(3),
                                                 istio::Endpoint::local(two.port()).weight(1)});
    config.destinationRule().trafficPolicy(
        istio::TrafficPolicy().outlierDetection(ejectAfterTwoFailures()));
    ReadyWeir weir(dir, {config.writeFileIn(dir)},
                   {.concurrency = 1, .ephemeral_gateway_ports = {kPort}});
    const uint16_t port = weir.port(kPort);
    const std::string original_range = readTextFile("/proc/sys/net/ipv4/ip_local_port_range");
    // Everything listens already; from now on each destination has two local
    // ports, so weir can hold two connections to `one` and the third fails
    // with EADDRNOTAVAIL.
    ASSERT_TRUE(setLocalPortRange("40000 40001"));

    std::vector<TcpConnection> held;
    std::map<std::string, int> answered;
    int failed = 0;
    for (uint16_t client = 0; client < 10; ++client) {
      auto connection = connectFrom(static_cast<uint16_t>(20000 + client), port);
      ASSERT_TRUE(connection.has_value()) << client;
      connection->sendAll("hi\n", seconds(5));
      IoStatus status = IoStatus::kOk;
      const std::optional<std::string> answer = connection->readLine(seconds(5), &status);
      if (answer) {
        ++answered[*answer];
        held.push_back(std::move(*connection));
      } else {
        EXPECT_NE(status, IoStatus::kTimeout) << client << ": closed at once, not left waiting";
        ++failed;
      }
    }
    EXPECT_EQ(answered["one hi"], 2) << "two ports towards `one`";
    EXPECT_EQ(answered["two hi"], 2) << "`two` still serves: its ports are its own";
    EXPECT_EQ(failed, 6);
    // Connections that got their ports keep working.
    for (TcpConnection& connection : held) {
      ASSERT_EQ(connection.sendAll("again\n", seconds(5)), IoStatus::kOk);
      const std::optional<std::string> answer = connection.readLine(seconds(5));
      EXPECT_TRUE(answer == "one again" || answer == "two again") << answer.value_or("-");
    }

    // Ports again: every new connection is answered, and by both endpoints.
    held.clear();
    ASSERT_TRUE(setLocalPortRange(original_range));
    EchoClientRun run = runEchoClient(dir, port, {.connections = 20, .concurrency = 1});
    ASSERT_TRUE(run.tally.has_value()) << run.describe();
    EXPECT_EQ(run.tally->errors, 0u) << run.tally->describe();
    EXPECT_EQ(run.tally->count("one"), 15u) << run.tally->describe();
    EXPECT_EQ(run.tally->count("two"), 5u) << run.tally->describe();
    const std::optional<StatsSnapshot> stats = weir.stats();
    ASSERT_TRUE(stats.has_value());
    const std::string cluster = istio::kSingleCluster;
    EXPECT_EQ(valueOf(*stats, clusterStat(cluster, "upstream_cx_connect_local_fail")), 6u);
    EXPECT_EQ(valueOf(*stats, clusterStat(cluster, "upstream_cx_connect_fail")), 0u);
    EXPECT_EQ(valueOf(*stats, clusterStat(cluster, "outlier_detection.ejections_enforced_total")),
              0u);
    EXPECT_EQ(valueOf(*stats, endpointStat(cluster, one.port(), "cx_connect_local_fail")), 6u);
    EXPECT_EQ(valueOf(*stats, endpointStat(cluster, one.port(), "cx_connect_fail")), 0u);
    EXPECT_EQ(valueOf(*stats, clusterStat(cluster, "upstream_cx_total")), 30u);
    const auto health = endpointHealth(weir, cluster);
    EXPECT_EQ(health.at(address(one.port())), "HEALTHY");
    EXPECT_EQ(health.at(address(two.port())), "HEALTHY");
  });
  if (refused) GTEST_SKIP() << *refused;
}

}  // namespace
}  // namespace weir::test
