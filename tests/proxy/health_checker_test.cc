#include "proxy/upstream/health_checker.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <filesystem>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/libevent_handles.h"

namespace weir::proxy {
namespace {

using namespace std::chrono_literals;
using HealthCheck = config::UpstreamCluster::HealthCheck;

constexpr const char* kClusterName = "outbound|9000||backend.test.svc.cluster.local";

// A TCP socket bound to 127.0.0.1 on an ephemeral port. Until listen() it refuses
// connections (the kernel answers with RST), so a "dead endpoint" can come back on
// the same port without racing other processes for it.
class TestSocket {
 public:
  TestSocket() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
    socklen_t length = sizeof(address);
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
  }
  ~TestSocket() { ::close(fd_); }
  TestSocket(const TestSocket&) = delete;
  TestSocket& operator=(const TestSocket&) = delete;

  void listen() { ASSERT_EQ(::listen(fd_, 128), 0); }
  // Accepts (and closes) every connection waiting; returns how many there were.
  int drainAccepted() {
    int count = 0;
    for (int client; (client = ::accept(fd_, nullptr, nullptr)) >= 0; ++count) ::close(client);
    return count;
  }
  uint16_t port() const { return port_; }
  int fd() const { return fd_; }

 private:
  int fd_ = -1;
  uint16_t port_ = 0;
};

// Answers each connection on its own thread, one at a time: reads the request
// (up to a newline, at most 200 ms), then answers as told.
class AnsweringServer {
 public:
  enum class Answer {
    kPong,     // "PO", a pause, "NG\n", close: the match spans two reads
    kWrong,    // "NOPE\n", close
    kSilence,  // nothing; the connection stays open until the server stops
    kFlood,    // 128 KiB without "PONG"; the connection stays open
  };

  explicit AnsweringServer(Answer answer) : answer_(answer) {
    socket_.listen();
    thread_ = std::thread([this] { run(); });
  }
  ~AnsweringServer() {
    stop_ = true;
    thread_.join();
  }

  uint16_t port() const { return socket_.port(); }
  void setAnswer(Answer answer) { answer_ = answer; }
  int connections() const { return connections_; }
  std::string lastRequest() const {
    std::lock_guard lock(mutex_);
    return last_request_;
  }

 private:
  void run() {
    std::vector<int> held;
    while (!stop_) {
      pollfd ready{socket_.fd(), POLLIN, 0};
      if (::poll(&ready, 1, 10) <= 0) continue;
      const int client = ::accept4(socket_.fd(), nullptr, nullptr, SOCK_CLOEXEC);
      if (client < 0) continue;
      ++connections_;
      std::string request;
      const auto deadline = std::chrono::steady_clock::now() + 200ms;
      while (request.find('\n') == std::string::npos &&
             std::chrono::steady_clock::now() < deadline && !stop_) {
        pollfd readable{client, POLLIN, 0};
        if (::poll(&readable, 1, 10) <= 0) continue;
        char buffer[256];
        const ssize_t n = ::recv(client, buffer, sizeof(buffer), 0);
        if (n <= 0) break;
        request.append(buffer, static_cast<size_t>(n));
      }
      {
        std::lock_guard lock(mutex_);
        last_request_ = request;
      }
      switch (answer_.load()) {
        case Answer::kPong:
          ::send(client, "PO", 2, MSG_NOSIGNAL);
          std::this_thread::sleep_for(5ms);
          ::send(client, "NG\n", 3, MSG_NOSIGNAL);
          ::close(client);
          break;
        case Answer::kWrong:
          ::send(client, "NOPE\n", 5, MSG_NOSIGNAL);
          ::close(client);
          break;
        case Answer::kSilence:
          held.push_back(client);
          break;
        case Answer::kFlood: {
          const std::string junk(128 * 1024, 'x');
          size_t sent = 0;
          const auto flood_deadline = std::chrono::steady_clock::now() + 1s;
          while (sent < junk.size() && !stop_ && std::chrono::steady_clock::now() < flood_deadline) {
            const ssize_t n =
                ::send(client, junk.data() + sent, junk.size() - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
            if (n > 0) {
              sent += static_cast<size_t>(n);
            } else if (n < 0 && errno != EAGAIN) {
              break;
            } else {
              std::this_thread::sleep_for(1ms);
            }
          }
          held.push_back(client);
          break;
        }
      }
    }
    for (int client : held) ::close(client);
  }

  TestSocket socket_;
  std::atomic<Answer> answer_;
  std::atomic<int> connections_{0};
  std::atomic<bool> stop_{false};
  mutable std::mutex mutex_;
  std::string last_request_;
  std::thread thread_;
};

HealthCheck quickCheck() {
  HealthCheck check;
  check.interval = 50ms;
  check.timeout = 200ms;
  check.healthy_threshold = 2;
  check.unhealthy_threshold = 3;
  return check;
}

size_t openDescriptors() {
  size_t count = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) {
    ++count;
  }
  return count;
}

class HealthCheckerTest : public ::testing::Test {
 protected:
  // One cluster with one endpoint, 127.0.0.1:`port`; checked when `check` is set.
  // Without `with_cluster` the table has no cluster at all.
  std::shared_ptr<const ConfigSnapshot> snapshot(uint16_t port, std::optional<HealthCheck> check,
                                                bool with_cluster = true) {
    auto table = std::make_shared<config::RouteTable>();
    if (with_cluster) {
      config::UpstreamCluster cluster;
      cluster.name = kClusterName;
      cluster.host = "backend.test.svc.cluster.local";
      cluster.port = 9000;
      config::UpstreamEndpoint endpoint;
      endpoint.address = "127.0.0.1";
      endpoint.port = port;
      cluster.endpoints.push_back(endpoint);
      cluster.health_check = std::move(check);
      table->clusters.push_back(std::move(cluster));
    }
    return buildConfigSnapshot(std::move(table), ++generation_, nullptr, registry_);
  }

  ClusterHealth& cluster() { return registry_->cluster(kClusterName); }
  // The endpoint's state, as the first snapshot named it (it lives in the registry).
  const EndpointHealth& endpoint(const ConfigSnapshot& snapshot) {
    return *snapshot.clusters.at(0).endpoint(0).health;
  }
  ClusterHealthCounts counts() { return cluster().counts(); }

  // Runs the loop until `done` holds, at most `limit`; checks `done` every 5 ms.
  bool runUntil(const std::function<bool()>& done, std::chrono::milliseconds limit = 2000ms) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done()) {
      if (std::chrono::steady_clock::now() >= deadline) return false;
      runFor(5ms);
    }
    return true;
  }
  void runFor(std::chrono::milliseconds duration) {
    const timeval step{0, static_cast<suseconds_t>(duration.count() * 1000)};
    event_base_loopexit(loop_.get(), &step);
    event_base_dispatch(loop_.get());
  }

  EventBasePtr loop_{event_base_new()};
  std::shared_ptr<HealthRegistry> registry_ = std::make_shared<HealthRegistry>();
  uint64_t generation_ = 0;
};

TEST_F(HealthCheckerTest, LiveEndpointStaysUsableAndCountsSuccesses) {
  TestSocket listener;
  listener.listen();
  auto routes = snapshot(listener.port(), quickCheck());
  HealthChecker checker(loop_.get());
  checker.track(routes);
  EXPECT_EQ(checker.probedEndpoints(), 1u);

  ASSERT_TRUE(runUntil([&] { return counts().health_check_success >= 3; }));
  EXPECT_TRUE(endpoint(*routes).usable());
  EXPECT_EQ(counts().health_check_failure, 0u);
  EXPECT_EQ(counts().health_check_healthy, 1u);
  EXPECT_GE(listener.drainAccepted(), 3);
}

TEST_F(HealthCheckerTest, ClosedPortIsOutOfRotationAfterTheFirstProbe) {
  TestSocket closed;  // bound, not listening: connections are refused
  auto routes = snapshot(closed.port(), quickCheck());  // unhealthy_threshold 3
  HealthChecker checker(loop_.get());
  checker.track(routes);

  ASSERT_TRUE(runUntil([&] { return counts().health_check_attempt >= 1; }));
  EXPECT_EQ(counts().health_check_failure, 1u);
  EXPECT_FALSE(endpoint(*routes).usable());
  EXPECT_TRUE(endpoint(*routes).failedActiveCheck());
  EXPECT_EQ(cluster().unusableCount(), 1u);
  EXPECT_EQ(counts().health_check_healthy, 0u);
}

TEST_F(HealthCheckerTest, ComesBackAfterHealthyThresholdPassesWhenAListenerAppears) {
  TestSocket socket;
  HealthCheck check = quickCheck();
  check.healthy_threshold = 3;
  auto routes = snapshot(socket.port(), check);
  HealthChecker checker(loop_.get());
  checker.track(routes);
  ASSERT_TRUE(runUntil([&] { return endpoint(*routes).failedActiveCheck(); }));

  socket.listen();
  ASSERT_TRUE(runUntil([&] { return counts().health_check_success >= 2; }));
  EXPECT_FALSE(endpoint(*routes).usable()) << "two passes of three";
  ASSERT_TRUE(runUntil([&] { return counts().health_check_success >= 3; }));
  EXPECT_TRUE(endpoint(*routes).usable());
  EXPECT_EQ(cluster().unusableCount(), 0u);
}

TEST_F(HealthCheckerTest, SendAndExpectPassWhenTheAnswerContainsExpect) {
  AnsweringServer server(AnsweringServer::Answer::kPong);
  HealthCheck check = quickCheck();
  check.send = "PING\n";
  check.expect = "PONG";
  auto routes = snapshot(server.port(), check);
  HealthChecker checker(loop_.get());
  checker.track(routes);

  ASSERT_TRUE(runUntil([&] { return counts().health_check_success >= 2; }));
  EXPECT_EQ(counts().health_check_failure, 0u);
  EXPECT_TRUE(endpoint(*routes).usable());
  EXPECT_EQ(server.lastRequest(), "PING\n");
}

TEST_F(HealthCheckerTest, WrongAnswerFails) {
  AnsweringServer server(AnsweringServer::Answer::kWrong);
  HealthCheck check = quickCheck();
  check.send = "PING\n";
  check.expect = "PONG";
  auto routes = snapshot(server.port(), check);
  HealthChecker checker(loop_.get());
  checker.track(routes);

  ASSERT_TRUE(runUntil([&] { return counts().health_check_attempt >= 1; }));
  EXPECT_EQ(counts().health_check_failure, 1u);
  EXPECT_FALSE(endpoint(*routes).usable());
  EXPECT_EQ(server.lastRequest(), "PING\n");
}

TEST_F(HealthCheckerTest, SilenceFailsAfterTheTimeout) {
  AnsweringServer server(AnsweringServer::Answer::kSilence);
  HealthCheck check = quickCheck();
  check.interval = 5s;
  check.timeout = 150ms;
  check.expect = "PONG";  // nothing sent: the endpoint is expected to speak first
  auto routes = snapshot(server.port(), check);
  HealthChecker checker(loop_.get());
  const auto started = std::chrono::steady_clock::now();
  checker.track(routes);

  ASSERT_TRUE(runUntil([&] { return server.connections() >= 1; }));
  EXPECT_TRUE(endpoint(*routes).usable()) << "connected, still waiting for the answer";
  ASSERT_TRUE(runUntil([&] { return counts().health_check_attempt >= 1; }));
  // libevent's timers run on its cached, millisecond-rounded clock.
  EXPECT_GE(std::chrono::steady_clock::now() - started, 140ms);
  EXPECT_EQ(counts().health_check_failure, 1u);
  EXPECT_FALSE(endpoint(*routes).usable());
}

TEST_F(HealthCheckerTest, EndlessAnswerWithoutExpectFailsAtTheReadCap) {
  AnsweringServer server(AnsweringServer::Answer::kFlood);
  HealthCheck check = quickCheck();
  check.interval = 5s;
  check.timeout = 3s;
  check.expect = "PONG";
  auto routes = snapshot(server.port(), check);
  HealthChecker checker(loop_.get());
  const auto started = std::chrono::steady_clock::now();
  checker.track(routes);

  ASSERT_TRUE(runUntil([&] { return counts().health_check_attempt >= 1; }));
  EXPECT_LT(std::chrono::steady_clock::now() - started, 2s) << "failed at the cap, not the timeout";
  EXPECT_EQ(counts().health_check_failure, 1u);
  EXPECT_FALSE(endpoint(*routes).usable());
}

TEST_F(HealthCheckerTest, AfterPassingOnceUnhealthyThresholdFailuresInARowTakeItOut) {
  AnsweringServer server(AnsweringServer::Answer::kPong);
  HealthCheck check = quickCheck();
  check.unhealthy_threshold = 2;
  check.send = "PING\n";
  check.expect = "PONG";
  auto routes = snapshot(server.port(), check);
  HealthChecker checker(loop_.get());
  checker.track(routes);
  ASSERT_TRUE(runUntil([&] { return counts().health_check_success >= 1; }));

  server.setAnswer(AnsweringServer::Answer::kWrong);
  ASSERT_TRUE(runUntil([&] { return counts().health_check_failure >= 1; }));
  EXPECT_TRUE(endpoint(*routes).usable()) << "one failure of two";
  ASSERT_TRUE(runUntil([&] { return counts().health_check_failure >= 2; }));
  EXPECT_FALSE(endpoint(*routes).usable());
}

TEST_F(HealthCheckerTest, KeptEndpointKeepsItsCountsAndScheduleAcrossTrack) {
  AnsweringServer server(AnsweringServer::Answer::kPong);
  HealthCheck check = quickCheck();
  check.interval = 300ms;
  check.unhealthy_threshold = 2;
  check.send = "PING\n";
  check.expect = "PONG";
  auto first = snapshot(server.port(), check);
  HealthChecker checker(loop_.get());
  checker.track(first);
  ASSERT_TRUE(runUntil([&] { return counts().health_check_success >= 1; }));
  server.setAnswer(AnsweringServer::Answer::kWrong);
  ASSERT_TRUE(runUntil([&] { return counts().health_check_failure >= 1; }));
  EXPECT_TRUE(endpoint(*first).usable());

  // A reload that keeps the endpoint: no probe restarts at once...
  auto second = snapshot(server.port(), check);
  checker.track(second);
  const int connections = server.connections();
  runFor(150ms);
  EXPECT_EQ(server.connections(), connections);
  // ...and the failure before it still counts towards the threshold of two.
  ASSERT_TRUE(runUntil([&] { return counts().health_check_failure >= 2; }));
  EXPECT_FALSE(endpoint(*second).usable());
}

TEST_F(HealthCheckerTest, ShorterIntervalOnReloadMovesTheWaitingProbeEarlier) {
  TestSocket listener;
  listener.listen();
  HealthCheck check = quickCheck();
  check.interval = 10s;
  HealthChecker checker(loop_.get());
  checker.track(snapshot(listener.port(), check));
  ASSERT_TRUE(runUntil([&] { return counts().health_check_attempt >= 1; }));

  check.interval = 50ms;
  checker.track(snapshot(listener.port(), check));
  ASSERT_TRUE(runUntil([&] { return counts().health_check_attempt >= 3; }));
}

TEST_F(HealthCheckerTest, ClusterWithoutHealthCheckIsNoLongerProbedAndBackInRotation) {
  AnsweringServer server(AnsweringServer::Answer::kWrong);
  HealthCheck check = quickCheck();
  check.send = "PING\n";
  check.expect = "PONG";
  auto checked = snapshot(server.port(), check);
  HealthChecker checker(loop_.get());
  checker.track(checked);
  ASSERT_TRUE(runUntil([&] { return endpoint(*checked).failedActiveCheck(); }));

  auto unchecked = snapshot(server.port(), std::nullopt);
  checker.track(unchecked);
  EXPECT_EQ(checker.probedEndpoints(), 0u);
  EXPECT_TRUE(endpoint(*unchecked).usable());
  runFor(50ms);  // a probe in flight at track() would have connected already
  const int connections = server.connections();
  runFor(250ms);
  EXPECT_EQ(server.connections(), connections);
  EXPECT_EQ(cluster().unusableCount(), 0u);
}

TEST_F(HealthCheckerTest, ClusterGoneFromTheTableIsNoLongerProbedAndBackInRotation) {
  TestSocket closed;
  auto checked = snapshot(closed.port(), quickCheck());
  HealthChecker checker(loop_.get());
  checker.track(checked);
  ASSERT_TRUE(runUntil([&] { return endpoint(*checked).failedActiveCheck(); }));

  checker.track(snapshot(0, std::nullopt, /*with_cluster=*/false));
  EXPECT_EQ(checker.probedEndpoints(), 0u);
  EXPECT_TRUE(endpoint(*checked).usable());
  EXPECT_EQ(cluster().unusableCount(), 0u);
  const uint64_t attempts = counts().health_check_attempt;
  runFor(200ms);
  EXPECT_EQ(counts().health_check_attempt, attempts);
}

TEST_F(HealthCheckerTest, DestroyingTheCheckerWithAProbeInFlightLeaksNothing) {
  TestSocket listener;  // accepts nothing: the probe connects, then waits
  listener.listen();
  HealthCheck check = quickCheck();
  check.timeout = 5s;
  check.expect = "PONG";
  auto routes = snapshot(listener.port(), check);
  const size_t descriptors = openDescriptors();
  {
    HealthChecker checker(loop_.get());
    checker.track(routes);
    runFor(50ms);
    EXPECT_EQ(openDescriptors(), descriptors + 1) << "the probe's socket";
    EXPECT_EQ(counts().health_check_attempt, 0u) << "still in flight";
  }
  EXPECT_EQ(openDescriptors(), descriptors);
  EXPECT_EQ(event_base_get_num_events(loop_.get(), EVENT_BASE_COUNT_ADDED), 0);
  runFor(20ms);
  EXPECT_EQ(counts().health_check_attempt, 0u);
}

// Holds this process's descriptor limit at the lowest free descriptor number, so
// that the next socket() fails with EMFILE; restores the limit when destroyed.
class OutOfDescriptors {
 public:
  OutOfDescriptors() {
    getrlimit(RLIMIT_NOFILE, &saved_);
    const int lowest_free = ::dup(0);
    ::close(lowest_free);
    rlimit low = saved_;
    low.rlim_cur = static_cast<rlim_t>(lowest_free);
    EXPECT_EQ(setrlimit(RLIMIT_NOFILE, &low), 0);
  }
  ~OutOfDescriptors() { setrlimit(RLIMIT_NOFILE, &saved_); }
  OutOfDescriptors(const OutOfDescriptors&) = delete;
  OutOfDescriptors& operator=(const OutOfDescriptors&) = delete;

 private:
  rlimit saved_{};
};

TEST_F(HealthCheckerTest, OutOfDescriptorsProbesChangeNoVerdictAndAreCountedApart) {
  TestSocket listener;
  listener.listen();
  HealthCheck check = quickCheck();  // every 50 ms, 3 failures take it out
  auto routes = snapshot(listener.port(), check);
  std::vector<spdlog::level::level_enum> logged;
  auto local_errors = std::make_shared<LocalErrorLog>(
      [&logged](spdlog::level::level_enum level, const std::string&) { logged.push_back(level); },
      /*quiet=*/200ms);
  HealthChecker checker(loop_.get(), local_errors);
  checker.track(routes);
  ASSERT_TRUE(runUntil([&] { return counts().health_check_success >= 1; }));
  {
    OutOfDescriptors starved;
    ASSERT_TRUE(runUntil([&] { return counts().health_check_local_failure >= 5; }));
  }
  EXPECT_EQ(counts().health_check_failure, 0u);
  EXPECT_TRUE(endpoint(*routes).usable()) << "weir's own lack of descriptors says nothing of it";
  EXPECT_EQ(counts().health_check_healthy, 1u);
  // Probes work again as soon as descriptors do; the burst was logged once, and
  // its end once the failures had stopped for the quiet time.
  const uint64_t successes = counts().health_check_success;
  ASSERT_TRUE(runUntil([&] { return counts().health_check_success > successes; }));
  ASSERT_TRUE(runUntil([&] { return logged.size() >= 2; }));
  EXPECT_EQ(logged, (std::vector{spdlog::level::warn, spdlog::level::info}));
  listener.drainAccepted();
}

TEST_F(HealthCheckerTest, ADeadlineTheBusyLoopNoticedOverATimeoutLateIsNoFailure) {
  AnsweringServer server(AnsweringServer::Answer::kSilence);
  HealthCheck check = quickCheck();
  check.interval = 5s;
  check.timeout = 150ms;
  check.expect = "PONG";
  auto routes = snapshot(server.port(), check);
  HealthChecker checker(loop_.get());
  checker.track(routes);
  ASSERT_TRUE(runUntil([&] { return server.connections() >= 1; }));
  // The loop is stuck elsewhere for four timeouts: when it looks again, the
  // deadline is long past, and the wait measured weir rather than the endpoint.
  std::this_thread::sleep_for(600ms);
  ASSERT_TRUE(runUntil([&] { return counts().health_check_local_failure >= 1; }));
  EXPECT_EQ(counts().health_check_attempt, 0u);
  EXPECT_EQ(counts().health_check_failure, 0u);
  EXPECT_TRUE(endpoint(*routes).usable());
}

}  // namespace
}  // namespace weir::proxy
