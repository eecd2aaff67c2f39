// A ProxiedConnection gives its admission slot back exactly once, whichever way
// it ends: a failed connect, a connect retried onto another cluster, a normal
// finish, an abort, or destruction while open; and a recycled connection object
// never gives back its previous client's slot again. Real sockets on 127.0.0.1
// and a socketpair for the client; the worker is a fake owner.
#include "proxy/connection/proxied_connection.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "common/libevent_handles.h"
#include "proxy/cluster/config_snapshot.h"

namespace weir::proxy {
namespace {

using namespace std::chrono_literals;

// A TCP socket on 127.0.0.1, bound to an ephemeral port; listening or not (a
// bound socket that does not listen refuses connects while it is held).
class LocalSocket {
 public:
  explicit LocalSocket(bool listening)
      : fd_(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        (listening && listen(fd_, 16) != 0) ||
        getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
      ADD_FAILURE() << "cannot open a socket on 127.0.0.1";
    }
    port_ = ntohs(address.sin_port);
  }
  ~LocalSocket() { close(fd_); }
  LocalSocket(const LocalSocket&) = delete;
  LocalSocket& operator=(const LocalSocket&) = delete;

  uint16_t port() const { return port_; }
  // A connection waiting in the backlog, or -1.
  int acceptPending() const { return accept4(fd_, nullptr, nullptr, SOCK_NONBLOCK); }

 private:
  int fd_;
  uint16_t port_ = 0;
};

// The worker's side, reduced to what these tests watch.
class FakeOwner final : public ConnectionOwner {
 public:
  FakeOwner() : pipes_(64 * 1024, 2), scratch_(64 * 1024) {
    settings_.buffer_limit = 1024 * 1024;
    settings_.splice_after = std::nullopt;
    context_ = RelayContext{.settings = &settings_,
                            .scratch = scratch_.data(),
                            .scratch_size = scratch_.size(),
                            .pipes = &pipes_};
  }

  event_base* loop() override { return base_.get(); }
  const RelayContext& relayContext() override { return context_; }
  const timeval* commonTimeout(std::chrono::milliseconds length) override {
    auto [it, added] = timeouts_.try_emplace(length.count(), nullptr);
    if (added) {
      const timeval duration{static_cast<time_t>(length.count() / 1000),
                             static_cast<suseconds_t>((length.count() % 1000) * 1000)};
      it->second = event_base_init_common_timeout(base_.get(), &duration);
    }
    return it->second;
  }
  unsigned maxConnectAttempts(const config::TcpRoute*) const override { return attempts; }
  std::optional<UpstreamTarget> retryTarget(const UpstreamTarget&,
                                            std::span<const std::pair<size_t, size_t>>,
                                            AdmissionSlot& admission, EndReason&) override {
    ++retries;
    if (!retry_to || !admission.admitToCluster(*retry_limit)) return std::nullopt;
    return *retry_to;
  }
  void onConnectStarted() override {}
  void onLocalConnectFailure(const UpstreamTarget&, ConnectFailureCause, int) override {}
  void onConnectionDone(ProxiedConnection&, const ConnectionRecord*) override { ++done; }

  // Runs the loop until `condition` holds, at most `limit`.
  bool runUntil(const std::function<bool()>& condition, std::chrono::milliseconds limit = 3s) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!condition()) {
      if (std::chrono::steady_clock::now() >= deadline) return false;
      const timeval step{0, 5'000};
      event_base_loopexit(base_.get(), &step);
      event_base_dispatch(base_.get());
    }
    return true;
  }

  unsigned attempts = 1;
  std::optional<UpstreamTarget> retry_to;
  std::optional<AdmissionLimit> retry_limit;
  int retries = 0;
  int done = 0;

 private:
  EventBasePtr base_{event_base_new()};
  PipePool pipes_;
  std::vector<char> scratch_;
  ProxySettings settings_;
  RelayContext context_;
  std::map<int64_t, const timeval*> timeouts_;
};

class ConnectionAdmissionTest : public ::testing::Test {
 protected:
  // Cluster 0 refuses every connect; cluster 1 accepts.
  ConnectionAdmissionTest() {
    auto table = std::make_shared<config::RouteTable>();
    for (const auto& [name, port] : {std::pair{"refusing", refusing_.port()},
                                     std::pair{"accepting", accepting_.port()}}) {
      config::UpstreamCluster cluster;
      cluster.name = name;
      config::UpstreamEndpoint endpoint;
      endpoint.address = "127.0.0.1";
      endpoint.port = port;
      cluster.endpoints.push_back(endpoint);
      table->clusters.push_back(cluster);
    }
    table->routes.emplace_back().name = "test/route/tcp[0]";
    snapshot_ = buildConfigSnapshot(table, 1, nullptr);
  }

  const Cluster& refusing() const { return snapshot_->clusters[0]; }
  const Cluster& accepting() const { return snapshot_->clusters[1]; }
  AdmissionLimit limitOf(const Cluster& cluster) {
    return {cluster.openConnections(), 10, cluster_stats_.upstream_cx_overflow};
  }
  UpstreamTarget targetOf(const Cluster& cluster) {
    return UpstreamTarget{.snapshot = snapshot_,
                          .route = &snapshot_->table->routes[0],
                          .cluster = &cluster,
                          .endpoint_index = 0,
                          .route_stats = &route_stats_,
                          .cluster_stats = &cluster_stats_,
                          .endpoint_stats = &endpoint_stats_};
  }

  // Opens `connection` for a new client admitted to `cluster`; returns the
  // client's end of its socketpair (the test's to close), or -1.
  int openClient(ProxiedConnection& connection, const Cluster& cluster) {
    int ends[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, ends) != 0) return -1;
    AcceptedClient client;
    client.fd = ends[1];
    client.stats = &listener_stats_;
    client.admission = AdmissionSlot::admitClient(
        {global_, 100, listener_stats_.downstream_global_cx_overflow},
        {listener_, 100, listener_stats_.downstream_cx_overflow},
        listener_stats_.downstream_cx_active);
    EXPECT_TRUE(client.admission.admitToCluster(limitOf(cluster)));
    connection.open(std::move(client), targetOf(cluster));
    return ends[0];
  }

  // Nothing held: a count given back twice would wrap to 2^64 - 1.
  void expectNothingHeld() const {
    EXPECT_EQ(global_.open(), 0u);
    EXPECT_EQ(listener_.open(), 0u);
    EXPECT_EQ(refusing().openConnections().open(), 0u);
    EXPECT_EQ(accepting().openConnections().open(), 0u);
    EXPECT_EQ(listener_stats_.downstream_cx_active.value(), 0u);
  }
  void expectHeldBy(const Cluster& cluster) const {
    EXPECT_EQ(global_.open(), 1u);
    EXPECT_EQ(listener_.open(), 1u);
    EXPECT_EQ(cluster.openConnections().open(), 1u);
    EXPECT_EQ(listener_stats_.downstream_cx_active.value(), 1u);
  }

  LocalSocket refusing_{false};
  LocalSocket accepting_{true};
  std::shared_ptr<const ConfigSnapshot> snapshot_;
  ConnectionLimit global_;
  ConnectionLimit listener_;
  ListenerStats listener_stats_;
  RouteStats route_stats_;
  ClusterStats cluster_stats_;
  EndpointStats endpoint_stats_;
  FakeOwner owner_;
};

TEST_F(ConnectionAdmissionTest, AFailedConnectGivesTheSlotBackOnce) {
  ProxiedConnection connection(owner_);
  const int client = openClient(connection, refusing());
  ASSERT_GE(client, 0);
  ASSERT_TRUE(owner_.runUntil([&] { return owner_.done == 1; }));
  EXPECT_EQ(cluster_stats_.upstream_cx_connect_fail.value(), 1u);
  expectNothingHeld();
  close(client);
}

TEST_F(ConnectionAdmissionTest, ARetryMovesTheClusterCountAndTheFinishGivesItBackOnce) {
  owner_.attempts = 2;
  owner_.retry_to = targetOf(accepting());
  owner_.retry_limit.emplace(limitOf(accepting()));
  ProxiedConnection connection(owner_);
  const int client = openClient(connection, refusing());
  ASSERT_GE(client, 0);
  int upstream = -1;
  ASSERT_TRUE(owner_.runUntil([&] { return (upstream = accepting_.acceptPending()) >= 0; }));
  EXPECT_EQ(owner_.retries, 1);
  expectHeldBy(accepting());
  EXPECT_EQ(refusing().openConnections().open(), 0u);

  // Both ends close: the connection finishes by itself.
  close(client);
  close(upstream);
  ASSERT_TRUE(owner_.runUntil([&] { return owner_.done == 1; }));
  expectNothingHeld();
}

TEST_F(ConnectionAdmissionTest, AFinishedConnectionGivesTheSlotBackOnceAndItsObjectStartsClean) {
  ProxiedConnection connection(owner_);
  for (int client_number = 1; client_number <= 2; ++client_number) {
    // The second client reuses the object, as the worker's recycler does.
    const int client = openClient(connection, accepting());
    ASSERT_GE(client, 0);
    int upstream = -1;
    ASSERT_TRUE(owner_.runUntil([&] { return (upstream = accepting_.acceptPending()) >= 0; }));
    expectHeldBy(accepting());
    close(client);
    close(upstream);
    ASSERT_TRUE(owner_.runUntil([&] { return owner_.done == client_number; }));
    expectNothingHeld();
  }
}

TEST_F(ConnectionAdmissionTest, AnAbortedOrDestroyedConnectionGivesTheSlotBackOnce) {
  {
    ProxiedConnection connection(owner_);
    const int client = openClient(connection, accepting());
    ASSERT_GE(client, 0);
    expectHeldBy(accepting());
    connection.abort();  // the proxy stops
    EXPECT_EQ(owner_.done, 1);
    expectNothingHeld();
    close(client);
  }
  {
    ProxiedConnection connection(owner_);
    const int client = openClient(connection, accepting());
    ASSERT_GE(client, 0);
    expectHeldBy(accepting());
    close(client);
  }  // destroyed while open (a worker torn down)
  expectNothingHeld();
  // Drain what the accepting socket got.
  for (int pending; (pending = accepting_.acceptPending()) >= 0;) close(pending);
}

}  // namespace
}  // namespace weir::proxy
