// ProxiedConnection's life, state by state, in this process: a fake ConnectionOwner,
// a real event_base run by the test thread, the client as one end of a connected
// pair and upstreams listening on 127.0.0.1. Each case checks how the connection
// ended (the access-log record's reason), what it told its owner, the statistics
// it moved, and that it gave back every count it held.
#include "proxy/connection/proxied_connection.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "common/libevent_handles.h"
#include "config/loader.h"
#include "proxy/connection/pipe_pool.h"
#include "tests/support/blackhole_listener.h"
#include "tests/support/istio_scenarios.h"
#include "tests/support/socket_pair.h"
#include "tests/support/tcp_connection.h"

namespace weir::proxy {
namespace {

namespace istio = test::istio;
using std::chrono::milliseconds;
using std::chrono::seconds;
using Clock = std::chrono::steady_clock;

// The one place that knows what a worker does before a connection opens
// (listener/worker.cc: accepting and admitting the client, picking its target): a
// snapshot of one cluster built from Istio YAML, the statistics a target points
// at, and the connection counts the client's admission slot holds. When
// UpstreamTarget or admission changes, this class is what changes.
class Targets {
 public:
  explicit Targets(const istio::Config& config) {
    config::LoadResult loaded = config::loadFromText({{"test.yaml", config.yaml()}});
    if (!loaded.ok()) throw std::runtime_error("bad test config: " + loaded.errors[0].toString());
    snapshot_ = buildConfigSnapshot(loaded.table, 1, nullptr);
    for (size_t e = 0; e < cluster().endpoints().size(); ++e) {
      endpoint_stats_.push_back(std::make_unique<EndpointStats>());
    }
  }

  // What a worker does when it accepts a client on this listener: counts it and
  // admits it (no limit is ever full here), to the cluster as well.
  AcceptedClient accept(int fd, const sockaddr_storage& address, socklen_t length) {
    listener.downstream_cx_total.add();
    AcceptedClient client;
    client.fd = fd;
    client.address = address;
    client.address_length = length;
    client.stats = &listener;
    client.admission = AdmissionSlot::admitClient(
        {global_connections, UINT64_MAX, listener.downstream_global_cx_overflow},
        {listener_connections, UINT64_MAX, listener.downstream_cx_overflow},
        listener.downstream_cx_active);
    admitToCluster(client.admission);
    client.record = std::make_unique<ConnectionRecord>();
    return client;
  }
  // What a worker does for a connect retry into this cluster: the slot moves to
  // it (a retry in the same cluster keeps its place).
  bool admitToCluster(AdmissionSlot& admission) {
    return admission.admitToCluster(
        {cluster().openConnections(), UINT64_MAX, cluster_stats.upstream_cx_overflow});
  }

  // Endpoint `e` of the cluster.
  UpstreamTarget forEndpoint(size_t e) {
    return UpstreamTarget{.snapshot = snapshot_,
                          .route = &snapshot_->table->routes.at(0),
                          .cluster = &cluster(),
                          .endpoint_index = e,
                          .route_stats = &route,
                          .cluster_stats = &cluster_stats,
                          .endpoint_stats = endpoint_stats_.at(e).get()};
  }

  size_t endpointCount() const { return endpoint_stats_.size(); }
  EndpointStats& endpoint(size_t e) { return *endpoint_stats_.at(e); }
  const std::string& display(size_t e) const { return cluster().endpoint(e).display; }
  bool ejected(size_t e) const { return cluster().endpoint(e).health->ejected(); }
  uint64_t clusterConnections() const { return cluster().openConnections().open(); }

  ClusterStats cluster_stats;
  RouteStats route;
  ListenerStats listener;
  ConnectionLimit global_connections;
  ConnectionLimit listener_connections;

 private:
  const Cluster& cluster() const { return snapshot_->clusters.at(0); }

  std::shared_ptr<const ConfigSnapshot> snapshot_;
  std::vector<std::unique_ptr<EndpointStats>> endpoint_stats_;
};

// A ConnectionOwner that records what the connection tells it.
class FakeOwner final : public ConnectionOwner {
 public:
  FakeOwner(event_base* base, RelayContext context) : base_(base), context_(context) {}

  event_base* loop() override { return base_; }
  const RelayContext& relayContext() override { return context_; }
  const timeval* commonTimeout(milliseconds length) override {
    auto [entry, added] = timeouts_.try_emplace(length.count());
    entry->second = timeval{static_cast<time_t>(length.count() / 1000),
                            static_cast<suseconds_t>(length.count() % 1000 * 1000)};
    return &entry->second;
  }
  unsigned maxConnectAttempts(const config::TcpRoute*) const override { return max_attempts; }
  std::optional<UpstreamTarget> retryTarget(const UpstreamTarget&,
                                            std::span<const std::pair<size_t, size_t>> tried,
                                            AdmissionSlot& admission, EndReason&) override {
    retries.emplace_back(tried.begin(), tried.end());
    if (!retry_endpoint || targets == nullptr || !targets->admitToCluster(admission)) {
      return std::nullopt;
    }
    return targets->forEndpoint(*retry_endpoint);
  }
  void onConnectStarted() override { ++connects_started; }
  void onLocalConnectFailure(const UpstreamTarget&, ConnectFailureCause cause, int error) override {
    local_failures.emplace_back(cause, error);
  }
  void onConnectionDone(ProxiedConnection&, const ConnectionRecord* record) override {
    ++done;
    if (record) this->record = *record;
  }

  // Settings.
  unsigned max_attempts = 1;
  std::optional<size_t> retry_endpoint;  // what retryTarget() offers, if anything
  Targets* targets = nullptr;

  // What the connection said.
  int connects_started = 0;
  std::vector<std::vector<std::pair<size_t, size_t>>> retries;  // `tried` of each call
  std::vector<std::pair<ConnectFailureCause, int>> local_failures;
  int done = 0;
  std::optional<ConnectionRecord> record;

 private:
  event_base* base_;
  RelayContext context_;
  std::map<int64_t, timeval> timeouts_;  // by milliseconds; stable addresses
};

// What one end of a test socket has received so far, read without blocking.
struct Inbox {
  std::string data;
  bool eof = false;
  int error = 0;  // ECONNRESET once reset

  void read(int fd) {
    char buffer[4096];
    while (!eof && error == 0) {
      const ssize_t got = recv(fd, buffer, sizeof buffer, MSG_DONTWAIT);
      if (got > 0) {
        data.append(buffer, static_cast<size_t>(got));
      } else if (got == 0) {
        eof = true;
      } else {
        if (errno != EAGAIN && errno != EWOULDBLOCK) error = errno;
        return;
      }
    }
  }
  bool ended() const { return eof || error != 0; }
};

// A cluster "v1" of echo whose endpoints are 127.0.0.1 at `ports`, with `policy`.
istio::Config clusterOn(const std::vector<uint16_t>& ports,
                        const std::optional<istio::TrafficPolicy>& policy = std::nullopt) {
  istio::Config config = istio::singleCluster(ports);
  if (policy) config.destinationRule().trafficPolicy(*policy);
  return config;
}

// Outlier detection that ejects an endpoint at its first connect failure.
istio::OutlierDetection ejectAtOnce() {
  return istio::OutlierDetection().consecutive5xxErrors(1).maxEjectionPercent(100);
}

class ProxiedConnectionTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { std::signal(SIGPIPE, SIG_IGN); }

  ~ProxiedConnectionTest() override {
    connection_.reset();  // before the loop it registered with
  }

  // The cluster every connection of the test goes to.
  void useCluster(const istio::Config& config) {
    targets_ = std::make_unique<Targets>(config);
    owner_.targets = targets_.get();
  }

  // A client connects; the connection opens towards endpoint `e`, right after
  // `just_before` (if any) has run.
  void open(size_t e, const std::function<void()>& just_before = {}) {
    test::SocketPair pair = test::connectedPair(test::SocketKind::kTcp);
    client_ = std::move(pair.a);
    const int accepted = pair.b.release();
    test::setNonBlocking(accepted);
    sockaddr_storage peer{};
    socklen_t length = sizeof peer;
    getpeername(accepted, reinterpret_cast<sockaddr*>(&peer), &length);
    AcceptedClient accepted_client = targets_->accept(accepted, peer, length);
    connection_ = std::make_unique<ProxiedConnection>(owner_);
    UpstreamTarget target = targets_->forEndpoint(e);
    if (just_before) just_before();
    opened_ = Clock::now();
    connection_->open(std::move(accepted_client), std::move(target));
  }

  // open(e), and the client sends "hello": returns the upstream's end of the
  // connection once those bytes have reached it (so the connection is connected).
  UniqueFd openConnected(size_t e, test::TcpListener& upstream) {
    open(e);
    send(client(), "hello", 5, MSG_NOSIGNAL);
    UniqueFd accepted;
    Inbox first;
    EXPECT_TRUE(runUntil([&] {
      if (accepted.get() < 0) accepted.reset(upstream.accept(milliseconds(0)));
      if (accepted.get() >= 0) first.read(accepted.get());
      return first.data.size() >= 5;
    })) << "weir never connected, or the client's bytes never came";
    EXPECT_EQ(first.data, "hello");
    return accepted;
  }

  // Runs the loop until `done()` holds, at most `timeout`.
  bool runUntil(const std::function<bool()>& done, milliseconds timeout = seconds(5)) {
    const auto deadline = Clock::now() + timeout;
    while (!done()) {
      if (Clock::now() >= deadline) return false;
      const timeval slice{0, 2000};
      event_base_loopexit(base_.get(), &slice);
      if (event_base_dispatch(base_.get()) == 1) std::this_thread::sleep_for(milliseconds(1));
    }
    return true;
  }
  bool finished() const { return owner_.done > 0; }
  bool runUntilFinished(milliseconds timeout = seconds(5)) {
    return runUntil([&] { return finished(); }, timeout);
  }

  int client() const { return client_.get(); }
  EndReason reason() const { return owner_.record ? owner_.record->reason : EndReason::kNoRoute; }

  // Every count the connection held was given back, exactly once.
  void expectEverythingReleased() {
    EXPECT_EQ(owner_.done, 1) << "onConnectionDone exactly once";
    EXPECT_EQ(targets_->clusterConnections(), 0u) << "cluster admission";
    EXPECT_EQ(targets_->listener_connections.open(), 0u) << "listener admission";
    EXPECT_EQ(targets_->global_connections.open(), 0u) << "global admission";
    EXPECT_EQ(targets_->listener.downstream_cx_active.value(), 0u);
    EXPECT_EQ(targets_->cluster_stats.upstream_cx_active.value(), 0u);
    for (size_t e = 0; e < targets_->endpointCount(); ++e) {
      EXPECT_EQ(targets_->endpoint(e).cx_active.value(), 0u) << "endpoint " << e;
    }
  }

  EventBasePtr base_{event_base_new()};
  std::vector<char> scratch_ = std::vector<char>(16 * 1024);
  PipePool pipes_{64 * 1024, 4};
  ProxySettings settings_ = [] {
    ProxySettings settings;
    settings.buffer_limit = 1024 * 1024;
    settings.splice_after = std::nullopt;
    return settings;
  }();
  FakeOwner owner_{base_.get(), RelayContext{.settings = &settings_,
                                             .scratch = scratch_.data(),
                                             .scratch_size = scratch_.size(),
                                             .pipes = &pipes_}};
  std::unique_ptr<Targets> targets_;
  UniqueFd client_;
  Clock::time_point opened_;
  std::unique_ptr<ProxiedConnection> connection_;
};

// ---- connected, then closed -----------------------------------------------------

TEST_F(ProxiedConnectionTest, AConnectedConnectionCarriesBytesBothWaysAndCountsThem) {
  test::TcpListener upstream;
  useCluster(clusterOn({upstream.port()}));
  UniqueFd server = openConnected(0, upstream);
  EXPECT_EQ(owner_.connects_started, 1);
  EXPECT_EQ(targets_->cluster_stats.upstream_cx_total.value(), 1u);
  EXPECT_EQ(targets_->cluster_stats.upstream_cx_active.value(), 1u);
  EXPECT_EQ(targets_->endpoint(0).cx_total.value(), 1u);
  EXPECT_EQ(targets_->endpoint(0).cx_active.value(), 1u);

  ASSERT_EQ(send(server.get(), "world!", 6, MSG_NOSIGNAL), 6);
  Inbox at_client;
  ASSERT_TRUE(runUntil([&] {
    at_client.read(client());
    return at_client.data.size() == 6;
  }));
  EXPECT_EQ(at_client.data, "world!");
  EXPECT_FALSE(finished());
  EXPECT_EQ(targets_->cluster_stats.upstream_cx_tx_bytes_total.value(), 5u);
  EXPECT_EQ(targets_->cluster_stats.upstream_cx_rx_bytes_total.value(), 6u);
  EXPECT_EQ(targets_->endpoint(0).tx_bytes_total.value(), 5u);
  EXPECT_EQ(targets_->endpoint(0).rx_bytes_total.value(), 6u);
  EXPECT_EQ(targets_->route.rx_bytes_total.value(), 5u);
  EXPECT_EQ(targets_->route.tx_bytes_total.value(), 6u);
  EXPECT_EQ(targets_->listener.downstream_cx_rx_bytes_total.value(), 5u);
  EXPECT_EQ(targets_->listener.downstream_cx_tx_bytes_total.value(), 6u);

  // Both close: the client first.
  shutdown(client(), SHUT_WR);
  Inbox at_server;
  ASSERT_TRUE(runUntil([&] {
    at_server.read(server.get());
    return at_server.eof;
  }));
  EXPECT_FALSE(finished()) << "the upstream may still send";
  shutdown(server.get(), SHUT_WR);
  ASSERT_TRUE(runUntilFinished());
  EXPECT_EQ(reason(), EndReason::kDownstreamClosed);
  ASSERT_TRUE(owner_.record.has_value());
  EXPECT_EQ(owner_.record->bytes_received, 5u);
  EXPECT_EQ(owner_.record->bytes_sent, 6u);
  EXPECT_GE(owner_.record->upstream_connect_ms, 0);
  EXPECT_TRUE(owner_.record->upstream_local.starts_with("127.0.0.1:"))
      << owner_.record->upstream_local;
  EXPECT_EQ(targets_->cluster_stats.upstream_cx_length_ms.count(), 1u);
  EXPECT_TRUE(owner_.local_failures.empty());
  EXPECT_TRUE(owner_.retries.empty());
  expectEverythingReleased();
  at_client.read(client());
  EXPECT_TRUE(at_client.eof);
}

// Half-close each way: the side that sent its FIN may still receive, and the FIN
// reaches the other side; the connection ends when both have finished, named by
// who closed first.
TEST_F(ProxiedConnectionTest, AfterTheClientsFinTheUpstreamStillSends) {
  test::TcpListener upstream;
  useCluster(clusterOn({upstream.port()}));
  UniqueFd server = openConnected(0, upstream);
  shutdown(client(), SHUT_WR);
  Inbox at_server;
  ASSERT_TRUE(runUntil([&] {
    at_server.read(server.get());
    return at_server.eof;
  })) << "the client's FIN was not forwarded";
  ASSERT_EQ(send(server.get(), "late answer", 11, MSG_NOSIGNAL), 11);
  shutdown(server.get(), SHUT_WR);
  Inbox at_client;
  ASSERT_TRUE(runUntil([&] {
    at_client.read(client());
    return at_client.ended() && finished();
  }));
  EXPECT_EQ(at_client.data, "late answer");
  EXPECT_TRUE(at_client.eof);
  EXPECT_EQ(reason(), EndReason::kDownstreamClosed);
  expectEverythingReleased();
}

TEST_F(ProxiedConnectionTest, AfterTheUpstreamsFinTheClientStillSends) {
  test::TcpListener upstream;
  useCluster(clusterOn({upstream.port()}));
  UniqueFd server = openConnected(0, upstream);
  shutdown(server.get(), SHUT_WR);
  Inbox at_client;
  ASSERT_TRUE(runUntil([&] {
    at_client.read(client());
    return at_client.eof;
  })) << "the upstream's FIN was not forwarded";
  ASSERT_EQ(send(client(), " and more", 9, MSG_NOSIGNAL), 9);
  shutdown(client(), SHUT_WR);
  Inbox at_server;
  ASSERT_TRUE(runUntil([&] {
    at_server.read(server.get());
    return at_server.ended() && finished();
  }));
  EXPECT_EQ(at_server.data, " and more");
  EXPECT_TRUE(at_server.eof);
  EXPECT_EQ(reason(), EndReason::kUpstreamClosed);
  expectEverythingReleased();
}

// A reset on one side is passed on as a reset to the other.
TEST_F(ProxiedConnectionTest, AClientResetResetsTheUpstream) {
  test::TcpListener upstream;
  useCluster(clusterOn({upstream.port()}));
  UniqueFd server = openConnected(0, upstream);
  test::resetOnClose(client());
  client_.reset();
  ASSERT_TRUE(runUntilFinished());
  EXPECT_EQ(reason(), EndReason::kDownstreamReset);
  Inbox at_server;
  ASSERT_TRUE(runUntil([&] {
    at_server.read(server.get());
    return at_server.ended();
  }));
  EXPECT_EQ(at_server.error, ECONNRESET);
  EXPECT_EQ(targets_->cluster_stats.upstream_cx_destroy_remote_with_active_rq.value(), 0u);
  expectEverythingReleased();
}

TEST_F(ProxiedConnectionTest, AnUpstreamResetResetsTheClientAndIsCounted) {
  test::TcpListener upstream;
  useCluster(clusterOn({upstream.port()}));
  UniqueFd server = openConnected(0, upstream);
  test::resetOnClose(server.get());
  server.reset();
  ASSERT_TRUE(runUntilFinished());
  EXPECT_EQ(reason(), EndReason::kUpstreamReset);
  Inbox at_client;
  ASSERT_TRUE(runUntil([&] {
    at_client.read(client());
    return at_client.ended();
  }));
  EXPECT_EQ(at_client.error, ECONNRESET);
  EXPECT_EQ(targets_->cluster_stats.upstream_cx_destroy_remote_with_active_rq.value(), 1u);
  expectEverythingReleased();
}

TEST_F(ProxiedConnectionTest, AbortResetsBothSides) {
  test::TcpListener upstream;
  useCluster(clusterOn({upstream.port()}));
  UniqueFd server = openConnected(0, upstream);
  connection_->abort();
  EXPECT_TRUE(finished()) << "at once";
  EXPECT_EQ(reason(), EndReason::kProxyShutdown);
  Inbox at_client, at_server;
  ASSERT_TRUE(runUntil([&] {
    at_client.read(client());
    at_server.read(server.get());
    return at_client.ended() && at_server.ended();
  }));
  EXPECT_EQ(at_client.error, ECONNRESET);
  EXPECT_EQ(at_server.error, ECONNRESET);
  expectEverythingReleased();
}

// ---- timers ----------------------------------------------------------------------

TEST_F(ProxiedConnectionTest, TheIdleTimeoutClosesOnlyAQuietConnection) {
  test::TcpListener upstream;
  useCluster(clusterOn({upstream.port()}, istio::TrafficPolicy().connectionPool(
                                              istio::TcpSettings().idleTimeout("500ms"))));
  UniqueFd server = openConnected(0, upstream);
  // A byte every 100 ms, one way then the other: never 500 ms without one (the
  // margin is for a loaded machine).
  Inbox at_server, at_client;
  Clock::time_point quiet_since;
  for (int i = 0; i < 6; ++i) {
    const int from = i % 2 == 0 ? client() : server.get();
    ASSERT_EQ(send(from, "x", 1, MSG_NOSIGNAL), 1);
    quiet_since = Clock::now();
    runUntil([] { return false; }, milliseconds(100));
    ASSERT_FALSE(finished()) << "closed while busy, after " << i + 1 << " bytes";
  }
  ASSERT_TRUE(runUntilFinished(seconds(3)));
  EXPECT_GE(Clock::now() - quiet_since, milliseconds(490));
  EXPECT_EQ(reason(), EndReason::kIdleTimeout);
  EXPECT_EQ(targets_->cluster_stats.upstream_cx_idle_timeout.value(), 1u);
  ASSERT_TRUE(runUntil([&] {
    at_client.read(client());
    at_server.read(server.get());
    return at_client.ended() && at_server.ended();
  }));
  EXPECT_TRUE(at_client.eof && at_server.eof) << "closed, not reset";
  expectEverythingReleased();
}

TEST_F(ProxiedConnectionTest, TheMaxDurationEndsEvenABusyConnection) {
  test::TcpListener upstream;
  useCluster(clusterOn(
      {upstream.port()},
      istio::TrafficPolicy().connectionPool(istio::TcpSettings().maxConnectionDuration("300ms"))));
  UniqueFd server = openConnected(0, upstream);
  for (int i = 0; i < 100 && !finished(); ++i) {
    send(client(), "x", 1, MSG_NOSIGNAL);
    runUntil([&] { return finished(); }, milliseconds(20));
  }
  ASSERT_TRUE(finished());
  EXPECT_GE(Clock::now() - opened_, milliseconds(290));
  EXPECT_EQ(reason(), EndReason::kMaxDurationReached);
  EXPECT_EQ(targets_->cluster_stats.upstream_cx_max_duration_reached.value(), 1u);
  expectEverythingReleased();
}

// ---- connect failures (issue 13: the endpoint's, or weir's own) -----------------

TEST_F(ProxiedConnectionTest, ARefusedConnectIsTheEndpointsFailure) {
  const uint16_t refused = test::freeTcpPort();
  useCluster(clusterOn({refused}, istio::TrafficPolicy().outlierDetection(ejectAtOnce())));
  open(0);
  ASSERT_TRUE(runUntilFinished());
  EXPECT_EQ(reason(), EndReason::kUpstreamConnectFailed);
  EXPECT_EQ(targets_->cluster_stats.upstream_cx_connect_fail.value(), 1u);
  EXPECT_EQ(targets_->endpoint(0).cx_connect_fail.value(), 1u);
  EXPECT_EQ(targets_->cluster_stats.upstream_cx_connect_local_fail.value(), 0u);
  EXPECT_TRUE(targets_->ejected(0)) << "outlier detection heard of it";
  EXPECT_TRUE(owner_.local_failures.empty());
  EXPECT_EQ(owner_.record->upstream_connect_ms, -1);
  EXPECT_EQ(targets_->cluster_stats.upstream_cx_length_ms.count(), 0u) << "never connected";
  EXPECT_EQ(targets_->cluster_stats.upstream_cx_connect_attempts_exceeded.value(), 0u)
      << "one attempt was all it had";
  Inbox at_client;
  ASSERT_TRUE(runUntil([&] {
    at_client.read(client());
    return at_client.ended();
  }));
  EXPECT_TRUE(at_client.eof && at_client.data.empty()) << "closed without a byte";
  expectEverythingReleased();
}

// socket() fails for want of descriptors: weir's own failure. It is counted as a
// local failure, told to the owner (who pauses accepting), never held against the
// endpoint, and not retried: another attempt would meet the same shortage.
TEST_F(ProxiedConnectionTest, RunningOutOfDescriptorsIsWeirsOwnFailure) {
  test::TcpListener upstream;
  useCluster(clusterOn({upstream.port()}, istio::TrafficPolicy().outlierDetection(ejectAtOnce())));
  owner_.max_attempts = 3;
  owner_.retry_endpoint = 0;
  rlimit original{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &original), 0);
  open(0, [&] {
    // The lowest free descriptor number becomes the limit: the next socket() fails.
    int lowest_free = 0;
    while (fcntl(lowest_free, F_GETFD) != -1) ++lowest_free;
    rlimit low = original;
    low.rlim_cur = static_cast<rlim_t>(lowest_free);
    setrlimit(RLIMIT_NOFILE, &low);
  });
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &original), 0);
  ASSERT_TRUE(finished()) << "at once";
  EXPECT_EQ(reason(), EndReason::kLocalConnectFailure);
  ASSERT_EQ(owner_.local_failures.size(), 1u);
  EXPECT_EQ(owner_.local_failures[0].first, ConnectFailureCause::kLocalShortage);
  EXPECT_EQ(owner_.local_failures[0].second, EMFILE);
  EXPECT_EQ(targets_->cluster_stats.upstream_cx_connect_local_fail.value(), 1u);
  EXPECT_EQ(targets_->endpoint(0).cx_connect_local_fail.value(), 1u);
  EXPECT_EQ(targets_->cluster_stats.upstream_cx_connect_fail.value(), 0u);
  EXPECT_EQ(targets_->endpoint(0).cx_connect_fail.value(), 0u);
  EXPECT_FALSE(targets_->ejected(0));
  EXPECT_TRUE(owner_.retries.empty()) << "no retry on a local failure";
  EXPECT_EQ(owner_.connects_started, 0);
  expectEverythingReleased();
}

TEST_F(ProxiedConnectionTest, AConnectTimeoutOnTimeIsTheEndpointsFailure) {
  test::BlackholeListener blackhole;
  useCluster(clusterOn({blackhole.port()}, istio::TrafficPolicy().connectionPool(
                                               istio::TcpSettings().connectTimeout("1s"))));
  open(0);
  ASSERT_TRUE(runUntilFinished());
  EXPECT_GE(Clock::now() - opened_, milliseconds(990));
  EXPECT_EQ(reason(), EndReason::kUpstreamConnectTimeout);
  EXPECT_EQ(targets_->cluster_stats.upstream_cx_connect_timeout.value(), 1u);
  EXPECT_EQ(targets_->endpoint(0).cx_connect_fail.value(), 1u);
  EXPECT_EQ(targets_->cluster_stats.upstream_cx_connect_local_fail.value(), 0u);
  EXPECT_TRUE(owner_.local_failures.empty());
  expectEverythingReleased();
}

// The loop stalled past a whole timeout: the wait measured weir, not the endpoint.
TEST_F(ProxiedConnectionTest, AConnectTimeoutNoticedLateIsWeirsOwn) {
  test::BlackholeListener blackhole;
  useCluster(clusterOn({blackhole.port()}, istio::TrafficPolicy().connectionPool(
                                               istio::TcpSettings().connectTimeout("50ms"))));
  open(0);
  std::this_thread::sleep_for(milliseconds(300));  // the loop does not run
  ASSERT_TRUE(runUntilFinished());
  EXPECT_EQ(reason(), EndReason::kConnectTimerLate);
  ASSERT_EQ(owner_.local_failures.size(), 1u);
  EXPECT_EQ(owner_.local_failures[0].first, ConnectFailureCause::kLocalLateTimer);
  EXPECT_EQ(targets_->cluster_stats.upstream_cx_connect_timeout.value(), 0u);
  EXPECT_EQ(targets_->cluster_stats.upstream_cx_connect_local_fail.value(), 1u);
  EXPECT_EQ(targets_->endpoint(0).cx_connect_fail.value(), 0u);
  expectEverythingReleased();
}

// ---- connect retries -------------------------------------------------------------

TEST_F(ProxiedConnectionTest, ARetryConnectsToAnotherEndpointAndCountsEachAttempt) {
  const uint16_t refused = test::freeTcpPort();
  test::TcpListener upstream;
  useCluster(clusterOn({refused, upstream.port()}));
  owner_.max_attempts = 2;
  owner_.retry_endpoint = 1;
  UniqueFd server = openConnected(0, upstream);
  ASSERT_EQ(owner_.retries.size(), 1u);
  EXPECT_EQ(owner_.retries[0], (std::vector<std::pair<size_t, size_t>>{{0, 0}}))
      << "the endpoint that failed is excluded";
  EXPECT_EQ(targets_->cluster_stats.upstream_cx_total.value(), 2u);
  EXPECT_EQ(targets_->cluster_stats.upstream_cx_active.value(), 1u);
  EXPECT_EQ(targets_->cluster_stats.upstream_cx_connect_fail.value(), 1u);
  EXPECT_EQ(targets_->endpoint(0).cx_connect_fail.value(), 1u);
  EXPECT_EQ(targets_->endpoint(0).cx_active.value(), 0u);
  EXPECT_EQ(targets_->endpoint(1).cx_total.value(), 1u);
  EXPECT_EQ(targets_->endpoint(1).cx_active.value(), 1u);
  EXPECT_EQ(targets_->clusterConnections(), 1u) << "one place, kept by the same-cluster retry";

  test::resetOnClose(client());
  client_.reset();
  ASSERT_TRUE(runUntilFinished());
  EXPECT_EQ(owner_.record->upstream_host, targets_->display(1));
  EXPECT_EQ(targets_->endpoint(1).cx_active.value(), 0u);
  expectEverythingReleased();
}

TEST_F(ProxiedConnectionTest, GivingUpAfterAFailedAttemptIsCounted) {
  useCluster(clusterOn({test::freeTcpPort()}));
  owner_.max_attempts = 3;  // but the owner has no other endpoint to offer
  open(0);
  ASSERT_TRUE(runUntilFinished());
  EXPECT_EQ(reason(), EndReason::kUpstreamConnectFailed);
  EXPECT_EQ(owner_.retries.size(), 1u);
  EXPECT_EQ(targets_->cluster_stats.upstream_cx_connect_attempts_exceeded.value(), 1u);
  expectEverythingReleased();
}

}  // namespace
}  // namespace weir::proxy
